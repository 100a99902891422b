package directory

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// goodConfig is a complete OpenLDAP configuration that needs no network to
// be judged.
func goodConfig(t *testing.T) Config {
	c := Defaults(OpenLDAP)
	c.URL = "ldap://nas.office.lan"
	c.StartTLS = true
	c.CA = testCAPEM(t)
	c.BindDN = "cn=inhouse,ou=services,dc=office,dc=lan"
	c.BindPassword = "secret"
	c.BaseDN = "dc=office,dc=lan"
	return c
}

func testCAPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "office CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestDefaults(t *testing.T) {
	ad := Defaults(AD)
	if ad.Dialect != AD || ad.Filter != "(&(objectCategory=person)(objectClass=user))" ||
		ad.Attr != (Attributes{"sAMAccountName", "displayName", "mail", "title", "telephoneNumber"}) {
		t.Errorf("AD defaults: %+v", ad)
	}
	ol := Defaults(OpenLDAP)
	if ol.Dialect != OpenLDAP || ol.Filter != "(objectClass=inetOrgPerson)" ||
		ol.Attr != (Attributes{"uid", "cn", "mail", "title", "telephoneNumber"}) {
		t.Errorf("OpenLDAP defaults: %+v", ol)
	}
	for _, c := range []Config{ad, ol} {
		if c.DisabledFilter != "" || c.URL != "" || c.Timeout != 0 {
			t.Errorf("defaults set more than the dialect's filter and attributes: %+v", c)
		}
		if _, err := ldap.CompileFilter(c.Filter); err != nil {
			t.Errorf("default filter %q: %v", c.Filter, err)
		}
	}
}

func TestValidateGood(t *testing.T) {
	c := goodConfig(t)
	if err := c.Validate(); err != nil {
		t.Fatalf("a good configuration: %v", err)
	}
	variants := map[string]func(*Config){
		"ldaps":                    func(c *Config) { c.URL, c.StartTLS = "ldaps://dc1.office.lan:636", false },
		"ldaps, system roots":      func(c *Config) { c.URL, c.StartTLS, c.CA = "ldaps://dc1.office.lan", false, "" },
		"plain, ticked":            func(c *Config) { c.StartTLS, c.Plain, c.CA = false, true, "" },
		"ipv6 and port":            func(c *Config) { c.URL = "ldap://[fd00::5]:3389/" },
		"AD with user@domain":      func(c *Config) { *c = withDialect(*c, AD); c.BindDN = "inhouse@office.lan" },
		"AD with DOMAIN\\user":     func(c *Config) { *c = withDialect(*c, AD); c.BindDN = `OFFICE\inhouse` },
		"disabled filter":          func(c *Config) { c.DisabledFilter = "(pwdAccountLockedTime=*)" },
		"empty optional attribute": func(c *Config) { c.Attr.Phone, c.Attr.Title = "", "" },
		"oid attribute":            func(c *Config) { c.Attr.Mail = "0.9.2342.19200300.100.1.3" },
		"timeout":                  func(c *Config) { c.Timeout = 30 * time.Second },
	}
	for name, change := range variants {
		c := goodConfig(t)
		change(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func withDialect(c Config, d Dialect) Config {
	def := Defaults(d)
	c.Dialect, c.Filter, c.Attr = d, def.Filter, def.Attr
	return c
}

func TestValidateProblems(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		step   string
		words  string
	}{
		{"no address", func(c *Config) { c.URL = "" }, stepAddress, "Enter the directory's address"},
		{"http", func(c *Config) { c.URL = "http://nas" }, stepAddress, "must start with ldap:// or ldaps://"},
		{"no scheme", func(c *Config) { c.URL = "nas.office.lan" }, stepAddress, "must start with ldap:// or ldaps://"},
		{"no host", func(c *Config) { c.URL = "ldap://:389" }, stepAddress, "names no server"},
		{"a base in the url", func(c *Config) { c.URL = "ldap://nas/dc=office" }, stepAddress, "the server and its port only"},
		{"a user in the url", func(c *Config) { c.URL = "ldap://me:pw@nas" }, stepAddress, "the server and its port only"},
		{"bad port", func(c *Config) { c.URL = "ldap://nas:99999" }, stepAddress, "from 1 to 65535"},
		{"plain", func(c *Config) { c.StartTLS, c.CA = false, "" }, stepAddress,
			"Passwords would cross the network in clear: use ldaps:// or StartTLS, or tick “I understand passwords cross the network in clear”."},
		{"ldaps with starttls", func(c *Config) { c.URL = "ldaps://nas" }, stepAddress, "encrypted already"},
		{"ca not pem", func(c *Config) { c.CA = "MIIB..." }, stepCert, "not a PEM certificate"},
		{"ca is a key", func(c *Config) {
			c.CA = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		}, stepCert, "contains a private key"},
		{"ca broken", func(c *Config) {
			c.CA = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
		}, stepCert, "cannot be read"},
		{"ca without tls", func(c *Config) { c.StartTLS, c.Plain = false, true }, stepCert, "uses no TLS"},
		{"no service", func(c *Config) { c.BindDN = " " }, stepService, "Enter the service account"},
		{"service not a dn", func(c *Config) { c.BindDN = "inhouse" }, stepService, "is not a DN"},
		{"upn outside AD", func(c *Config) { c.BindDN = "inhouse@office.lan" }, stepService, "is not a DN"},
		{"no service password", func(c *Config) { c.BindPassword = "" }, stepService, "service account's password"},
		{"no base", func(c *Config) { c.BaseDN = "" }, stepBase, "Enter the base DN"},
		{"base not a dn", func(c *Config) { c.BaseDN = "office.lan" }, stepBase, "is not a DN"},
		{"no filter", func(c *Config) { c.Filter = "" }, stepFilter, "Enter the filter"},
		{"filter unclosed", func(c *Config) { c.Filter = "(objectClass=person" }, stepFilter, "is not an LDAP filter"},
		{"filter bare", func(c *Config) { c.Filter = "objectClass=person" }, stepFilter, "is not an LDAP filter"},
		{"disabled filter", func(c *Config) { c.DisabledFilter = "employeeType=disabled" }, stepFilter, "filter for disabled people"},
		{"dialect", func(c *Config) { c.Dialect = "novell" }, stepSettings, "Choose the kind of directory"},
		{"no user name attribute", func(c *Config) { c.Attr.UserName = "" }, stepSettings, "holds the user name"},
		{"attribute with filter characters", func(c *Config) { c.Attr.UserName = "uid)(cn=*" }, stepSettings, "is not an attribute name"},
		{"attribute with a space", func(c *Config) { c.Attr.Mail = "e mail" }, stepSettings, "is not an attribute name"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, stepSettings, "at most 1 minute"},
		{"long timeout", func(c *Config) { c.Timeout = 5 * time.Minute }, stepSettings, "at most 1 minute"},
	}
	for _, tc := range cases {
		c := goodConfig(t)
		tc.change(&c)
		ps := c.problems()
		if len(ps) != 1 || ps[0].step != tc.step || !strings.Contains(ps[0].text, tc.words) {
			t.Errorf("%s: want one problem at %q with %q, got %+v", tc.name, tc.step, tc.words, ps)
			continue
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("%s: Validate() = %v", tc.name, err)
		}
	}
}

// Every problem is told at once, each its own error.
func TestValidateTellsEverything(t *testing.T) {
	// Without a kind of directory, that is the problem, and not the
	// defaults the kind would have given.
	var none Config
	if err := none.Validate(); err == nil || !strings.Contains(err.Error(), "kind of directory") || strings.Contains(err.Error(), "user name") {
		t.Errorf("no kind of directory: %v", err)
	}
	c := Config{Dialect: OpenLDAP}
	err := c.Validate()
	if err == nil {
		t.Fatal("an empty configuration passed")
	}
	list, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Validate's error lists nothing: %T", err)
	}
	if n := len(list.Unwrap()); n < 6 {
		t.Errorf("%d problems for an empty configuration:\n%v", n, err)
	}
	for _, want := range []string{"address", "service account", "password", "base DN", "filter", "user name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no word of %q in:\n%v", want, err)
		}
	}
}

// A client made from bad settings says so on every call, without a
// network step.
func TestClientWithBadSettings(t *testing.T) {
	c := goodConfig(t)
	c.StartTLS, c.CA = false, ""
	cl := New(c)
	if _, err := cl.Authenticate(t.Context(), "ana", "pw"); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "cross the network in clear") {
		t.Errorf("Authenticate: %v", err)
	}
	if _, err := cl.People(t.Context()); !errors.Is(err, ErrUnreachable) {
		t.Errorf("People: %v", err)
	}
	if r := cl.Test(t.Context()); r.OK || r.Step != stepAddress || !strings.Contains(r.Problem, "in clear") {
		t.Errorf("Test: %+v", r)
	}
	if got := New(Config{Timeout: time.Hour}).timeout; got != DefaultTimeout {
		t.Errorf("an out-of-range timeout became %v", got)
	}
}

func TestSameDN(t *testing.T) {
	same := [][2]string{
		{"cn=admins,ou=groups,dc=office,dc=test", "CN=Admins,OU=Groups,DC=office,DC=test"},
		{"uid=ben,ou=people,dc=office,dc=test", "UID=Ben, OU=People, dc=office,dc=test"},
		{`cn=Smith\, John,dc=x`, `CN=smith\2c john,DC=X`},
		{"cn=a+sn=b,dc=x", "sn=B+cn=A,dc=x"},
	}
	for _, p := range same {
		if !SameDN(p[0], p[1]) {
			t.Errorf("%q and %q should be the same", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"cn=admins,ou=groups,dc=office,dc=test", "cn=admins,ou=groups,dc=office,dc=com"},
		{"cn=admins,dc=x", "cn=admins2,dc=x"},
		{"cn=a,dc=x", "cn=a+sn=b,dc=x"},
	}
	for _, p := range differ {
		if SameDN(p[0], p[1]) {
			t.Errorf("%q and %q should differ", p[0], p[1])
		}
	}
	if withoutUID("uid=ben,dc=x#'0101'B") != "uid=ben,dc=x" || withoutUID("uid=ben,dc=x") != "uid=ben,dc=x" {
		t.Error("withoutUID")
	}
}

func TestAttributeName(t *testing.T) {
	for _, ok := range []string{"uid", "sAMAccountName", "telephone-Number", "cn;lang-en", "2.5.4.3"} {
		if !attributeName(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "1uid", "uid=", "u id", "uid)", "*", "2.5..4", "2.5.x", ";lang"} {
		if attributeName(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// AD tells why a right password is refused in the bind's diagnostic; a
// wrong password stays a wrong password.
func TestUserBindErrors(t *testing.T) {
	c := New(goodConfig(t))
	s := &session{addr: "dc1:389", timeout: time.Second}
	adErr := func(data string) error {
		return &ldap.Error{ResultCode: ldap.LDAPResultInvalidCredentials,
			Err: errors.New("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data " + data + ", v4563")}
	}
	cases := []struct {
		err  error
		want error
		text string
	}{
		{adErr("52e"), ErrBadPassword, ""},
		{adErr("533"), ErrDisabled, "disabled"},
		{adErr("701"), ErrDisabled, "expired"},
		{adErr("775"), ErrDisabled, "locked"},
		{adErr("532"), ErrBadPassword, "has expired: change it"},
		{adErr("773"), ErrBadPassword, "must be changed"},
		{&ldap.Error{ResultCode: ldap.LDAPResultInvalidCredentials, Err: errors.New("")}, ErrBadPassword, ""},
		{&ldap.Error{ResultCode: ldap.LDAPResultUnwillingToPerform, Err: errors.New("unauthenticated bind disallowed")}, ErrUnreachable, "refused the sign-in"},
		{&ldap.Error{ResultCode: ldap.LDAPResultBusy, Err: errors.New("")}, ErrUnreachable, "busy"},
		{&ldap.Error{ResultCode: ldap.ErrorNetwork, Err: errors.New("ldap: connection timed out")}, ErrUnreachable, "did not answer within"},
		{errors.New("unable to read LDAP response packet: EOF"), ErrUnreachable, "failed while checking the password"},
	}
	for _, tc := range cases {
		got := c.userBindError(t.Context(), s, tc.err)
		if !errors.Is(got, tc.want) || !strings.Contains(got.Error(), tc.text) {
			t.Errorf("%v: got %v, want %v with %q", tc.err, got, tc.want, tc.text)
		}
	}
}

// The answer to StartTLS is read by hand: anything but a well-formed
// ExtendedResponse to message 1 is refused.
func TestExtendedResult(t *testing.T) {
	answer := func(id int64, tag ber.Tag, code int64, children int) *ber.Packet {
		p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
		p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, id, ""))
		op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, tag, nil, "")
		op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, code, ""))
		op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
		if children > 2 {
			op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "no TLS here", ""))
		}
		p.AppendChild(op)
		// As read from the wire, so the values are decoded as they would be.
		return ber.DecodePacket(p.Bytes())
	}
	if code, diag, err := extendedResult(answer(1, ldap.ApplicationExtendedResponse, 52, 3)); err != nil || code != 52 || diag != "no TLS here" {
		t.Errorf("a refusal: %d %q %v", code, diag, err)
	}
	if code, _, err := extendedResult(answer(1, ldap.ApplicationExtendedResponse, 0, 3)); err != nil || code != 0 {
		t.Errorf("a success: %d %v", code, err)
	}
	for name, p := range map[string]*ber.Packet{
		"another message": answer(2, ldap.ApplicationExtendedResponse, 0, 3),
		"a bind response": answer(1, ldap.ApplicationBindResponse, 0, 3),
		"too short":       answer(1, ldap.ApplicationExtendedResponse, 0, 2),
		"a bare integer":  ber.DecodePacket(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(1), "").Bytes()),
	} {
		if _, _, err := extendedResult(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
