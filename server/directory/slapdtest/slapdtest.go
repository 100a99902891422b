// Package slapdtest runs a real OpenLDAP server (Debian's slapd) for tests:
// on 127.0.0.1, with a configuration, a TLS certificate and data made by
// the test in a temporary folder, in one of two dialects, Active Directory
// (an AD-shaped schema, testdata/ad.schema) or OpenLDAP (inetOrgPerson and
// groupOfNames). Other packages' tests use it; the product does not.
//
// The office in both dialects, under dc=office,dc=test:
//
//	ana   Ana Ruiz, title Accounts, phone 214, in admins
//	ben   Ben Okafor, in staff and auditors
//	cleo  Cleo Marsh, disabled (AD: userAccountControl 514;
//	      OpenLDAP: employeeType=disabled, which Config's DisabledFilter finds)
//	dan   Dan Kim, in staff
//	groups cn=admins, cn=auditors, cn=staff under ou=groups
//	the service account cn=inhouse,ou=services (not a person)
//
// The AD dialect also has a computer account, WS01$, which is a user in AD
// and which the default filter must leave out.
package slapdtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"inhouse/server/directory"
)

// The passwords of the test office's people and accounts.
const (
	AnaPassword     = "ana-Pass-214"
	BenPassword     = "ben-Pass-215"
	CleoPassword    = "cleo-Pass-216"
	DanPassword     = "dan-Pass-217"
	ServicePassword = "inhouse-Service-1"
	AdminPassword   = "admin-Root-1"
)

// The DNs every dialect shares. The AD dialect's data writes DNs the way
// AD does (CN=…,OU=…,DC=…); the directory compares them without case.
const (
	BaseDN         = "dc=office,dc=test"
	ServiceDN      = "cn=inhouse,ou=services,dc=office,dc=test"
	AdminDN        = "cn=admin,dc=office,dc=test" // the rootdn, for Modify
	AdminsDN       = "cn=admins,ou=groups,dc=office,dc=test"
	AuditorsDN     = "cn=auditors,ou=groups,dc=office,dc=test"
	StaffDN        = "cn=staff,ou=groups,dc=office,dc=test"
	DisabledFilter = "(employeeType=disabled)" // the OpenLDAP dialect's DisabledFilter
)

// Server is one running slapd.
type Server struct {
	URL, LDAPS   string // ldap://127.0.0.1:port (StartTLS available), ldaps://127.0.0.1:port
	CA, OtherCA  string // PEM: the CA that signed the server's certificate, and an unrelated CA
	BaseDN       string
	BindDN       string // the service account
	BindPassword string
	Dialect      directory.Dialect

	t       testing.TB
	dir     string
	conf    string
	slapd   string
	listen  string // slapd's -h
	ldapAdr string // 127.0.0.1:port of URL, polled for readiness
	mu      sync.Mutex
	proc    *process
}

// process is slapd running; done closes when it has exited.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
}

//go:embed testdata/ad.schema
var adSchema []byte

// Start runs slapd for the dialect and stops it, and removes its folder,
// at the end of the test. A missing slapd fails the test: CI installs it,
// so its absence is a broken machine, not a reason to skip.
func Start(t testing.TB, d directory.Dialect) *Server {
	t.Helper()
	if d != directory.AD && d != directory.OpenLDAP {
		t.Fatalf("slapdtest: unknown dialect %q", d)
	}
	slapd := lookPath(t, "slapd")
	slapadd := lookPath(t, "slapadd")

	s := &Server{
		t: t, dir: t.TempDir(), slapd: slapd, Dialect: d,
		BaseDN: BaseDN, BindDN: ServiceDN, BindPassword: ServicePassword,
	}
	ca, other, err := s.writeCertificates()
	if err != nil {
		t.Fatalf("slapdtest: certificates: %v", err)
	}
	s.CA, s.OtherCA = ca, other
	if err := s.writeConfig(); err != nil {
		t.Fatalf("slapdtest: configuration: %v", err)
	}
	if err := os.Mkdir(filepath.Join(s.dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	ldif := filepath.Join(s.dir, "office.ldif")
	if err := os.WriteFile(ldif, []byte(officeLDIF(d)), 0o600); err != nil {
		t.Fatal(err)
	}
	// slapadd loads the data before slapd starts: no admin connection is
	// needed to fill it, and memberOf can be written as AD would show it.
	if out, err := exec.Command(slapadd, "-q", "-f", s.conf, "-l", ldif).CombinedOutput(); err != nil {
		t.Fatalf("slapdtest: slapadd: %v\n%s", err, out)
	}

	// Free ports are found by listening and closing; another process may
	// take one in between, so a failed start is tried again on new ones.
	var last error
	for range 3 {
		ports, err := freePorts(2)
		if err != nil {
			t.Fatalf("slapdtest: %v", err)
		}
		s.URL = "ldap://127.0.0.1:" + strconv.Itoa(ports[0])
		s.LDAPS = "ldaps://127.0.0.1:" + strconv.Itoa(ports[1])
		s.ldapAdr = "127.0.0.1:" + strconv.Itoa(ports[0])
		s.listen = s.URL + "/ " + s.LDAPS + "/"
		if last = s.start(); last == nil {
			break
		}
	}
	if last != nil {
		t.Fatalf("slapdtest: %v", last)
	}
	t.Cleanup(s.Stop)
	return s
}

func lookPath(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	// Debian puts the server's tools in /usr/sbin, often not on a user's PATH.
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	t.Fatalf("slapdtest: %s is not installed: apt-get install slapd ldap-utils (.ci/run installs them)", name)
	return ""
}

// Config is the dialect's defaults pointed at this server: StartTLS on URL,
// the test CA trusted, the service account; for OpenLDAP the filter that
// finds disabled people.
func (s *Server) Config() directory.Config {
	c := directory.Defaults(s.Dialect)
	c.URL = s.URL
	c.StartTLS = true
	c.CA = s.CA
	c.BindDN = s.BindDN
	c.BindPassword = s.BindPassword
	c.BaseDN = s.BaseDN
	if s.Dialect == directory.OpenLDAP {
		c.DisabledFilter = DisabledFilter
	}
	return c
}

// PersonDN is the DN of one of the test office's people (ana, ben, cleo,
// dan) as this dialect's data writes it.
func (s *Server) PersonDN(user string) string {
	return personDN(s.Dialect, user)
}

// Stop stops slapd (the directory going away); the data stays for Restart.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.proc
	if p == nil {
		return
	}
	s.proc = nil
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Restart starts slapd again on the same ports with the same data (the
// directory coming back). It stops it first if it runs. A failure fails
// the test that started the server.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("slapdtest: restart: %v", err)
	}
}

// Modify applies an LDIF change (changetype: modify, add, delete) as the
// directory's administrator, with ldapmodify.
func (s *Server) Modify(t testing.TB, ldif string) {
	t.Helper()
	tool, err := exec.LookPath("ldapmodify")
	if err != nil {
		t.Fatalf("slapdtest: ldapmodify is not installed: apt-get install ldap-utils")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "-x", "-H", s.URL, "-D", AdminDN, "-w", AdminPassword)
	// LDAPNOINIT: the machine's ldap.conf and ~/.ldaprc must not change
	// what the test does.
	cmd.Env = append(os.Environ(), "LDAPNOINIT=1")
	cmd.Stdin = strings.NewReader(ldif)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("slapdtest: ldapmodify: %v\n%s", err, out)
	}
}

// start runs slapd on the chosen ports and waits until it accepts
// connections, or says why it did not.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// -d: stay in the foreground, so the test owns the process; level 0
	// keeps it quiet. Errors still reach stderr.
	cmd := exec.Command(s.slapd, "-f", s.conf, "-h", s.listen, "-d", "0")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting slapd: %v", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()

	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("slapd stopped at start (%v):\n%s", cmd.ProcessState, out.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", s.ldapAdr, time.Second); err == nil {
			c.Close()
			s.proc = p
			return nil
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-p.done
			return fmt.Errorf("slapd did not listen on %s within 15 s:\n%s", s.ldapAdr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("no free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// syncBuffer collects slapd's output while the test may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeCertificates makes a CA, a server certificate it signs for
// 127.0.0.1, ::1 and localhost, and an unrelated CA; slapd gets the
// server's, the tests the CAs' PEM.
func (s *Server) writeCertificates() (ca, other string, err error) {
	caKey, caCert, caPEM, err := newCA("Inhouse test office CA")
	if err != nil {
		return "", "", err
	}
	_, _, otherPEM, err := newCA("Somebody else's CA")
	if err != nil {
		return "", "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "slapd on 127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return "", "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	files := map[string][]byte{
		"ca.pem":   []byte(caPEM),
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(s.dir, name), b, 0o600); err != nil {
			return "", "", err
		}
	}
	return caPEM, otherPEM, nil
}

func newCA(name string) (*ecdsa.PrivateKey, *x509.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, "", err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, "", err
	}
	return key, cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return n
}

// slapdConf is the server's whole configuration (slapd.conf, read with -f).
var slapdConf = template.Must(template.New("slapd.conf").Parse(`# Written by slapdtest for one test.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
{{if .AD}}include {{.Dir}}/ad.schema
{{end}}
pidfile {{.Dir}}/slapd.pid
argsfile {{.Dir}}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb

TLSCACertificateFile {{.Dir}}/ca.pem
TLSCertificateFile {{.Dir}}/cert.pem
TLSCertificateKeyFile {{.Dir}}/key.pem

# Like many real directories, this one accepts a name with an empty
# password as an unauthenticated (anonymous) bind: the tests show that
# Inhouse never lets such a bind sign anyone in.
allow bind_anon_dn

# Like AD's MaxPageSize (1000): at most 3 entries without paging, so
# reading everyone needs a paged search; pages as large as asked.
sizelimit size.soft=3 size.hard=3 size.pr=unlimited size.prtotal=unlimited

database mdb
maxsize 16777216
suffix "{{.Base}}"
rootdn "{{.Admin}}"
rootpw {{.AdminPassword}}
directory {{.Dir}}/data
index objectClass eq

# People and the service account sign in; nobody reads a password.
access to attrs=userPassword
	by anonymous auth
	by self write
	by * none
# The service account and people signed in read the directory; anonymous
# sessions (unauthenticated binds too) read nothing, as in AD.
access to *
	by dn.exact="{{.Service}}" read
	by users read
	by * none
`))

func (s *Server) writeConfig() error {
	if s.Dialect == directory.AD {
		if err := os.WriteFile(filepath.Join(s.dir, "ad.schema"), adSchema, 0o600); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	err := slapdConf.Execute(&b, map[string]any{
		"AD": s.Dialect == directory.AD, "Dir": s.dir, "Base": BaseDN, "Admin": AdminDN,
		"AdminPassword": AdminPassword, "Service": ServiceDN,
	})
	if err != nil {
		return err
	}
	s.conf = filepath.Join(s.dir, "slapd.conf")
	return os.WriteFile(s.conf, b.Bytes(), 0o600)
}

// person is one of the test office's people.
type person struct {
	user, given, sur, title, phone, password string
	groups                                   []string // cn of each group
	disabled                                 bool
}

var people = []person{
	{"ana", "Ana", "Ruiz", "Accounts", "214", AnaPassword, []string{"admins"}, false},
	{"ben", "Ben", "Okafor", "Warehouse", "215", BenPassword, []string{"staff", "auditors"}, false},
	{"cleo", "Cleo", "Marsh", "Reception", "216", CleoPassword, nil, true},
	{"dan", "Dan", "Kim", "Driver", "217", DanPassword, []string{"staff"}, false},
}

func personDN(d directory.Dialect, user string) string {
	for _, p := range people {
		if p.user == user {
			if d == directory.AD {
				return "CN=" + p.given + " " + p.sur + ",OU=People,DC=office,DC=test"
			}
			return "uid=" + p.user + ",ou=people," + BaseDN
		}
	}
	return ""
}

// officeLDIF is the test office in the dialect, for slapadd. Passwords
// are in clear: slapd compares them as they are, and nothing here is a
// secret.
func officeLDIF(d directory.Dialect) string {
	var b strings.Builder
	entry := func(dn string, lines ...string) {
		b.WriteString("dn: " + dn + "\n" + strings.Join(lines, "\n") + "\n\n")
	}
	ad := d == directory.AD
	dn := func(s string) string {
		if ad {
			// AD writes DNs with upper-case attribute types.
			return strings.NewReplacer("cn=", "CN=", "ou=", "OU=", "dc=", "DC=").Replace(s)
		}
		return s
	}
	entry(dn(BaseDN), "objectClass: dcObject", "objectClass: organization", "dc: office", "o: Office")
	for _, ou := range []string{"people", "groups", "services", "computers"} {
		entry(dn("ou="+ou+","+BaseDN), "objectClass: organizationalUnit", "ou: "+ou)
	}
	entry(dn(ServiceDN), "objectClass: organizationalRole", "objectClass: simpleSecurityObject",
		"cn: inhouse", "userPassword: "+ServicePassword)

	members := map[string][]string{}
	for _, p := range people {
		full := p.given + " " + p.sur
		lines := []string{"cn: " + full, "sn: " + p.sur, "mail: " + p.user + "@office.test",
			"title: " + p.title, "telephoneNumber: " + p.phone, "userPassword: " + p.password}
		if ad {
			uac := "512" // NORMAL_ACCOUNT
			if p.disabled {
				uac = "514" // NORMAL_ACCOUNT | ACCOUNTDISABLE
			}
			lines = append([]string{"objectClass: user", "sAMAccountName: " + p.user, "displayName: " + full,
				"objectCategory: person", "userAccountControl: " + uac}, lines...)
			for _, g := range p.groups {
				lines = append(lines, "memberOf: "+dn("cn="+g+",ou=groups,"+BaseDN))
			}
		} else {
			lines = append([]string{"objectClass: inetOrgPerson", "uid: " + p.user}, lines...)
			if p.disabled {
				lines = append(lines, "employeeType: disabled")
			}
		}
		entry(personDN(d, p.user), lines...)
		for _, g := range p.groups {
			members[g] = append(members[g], p.user)
		}
	}
	if ad {
		entry(dn("cn=WS01,ou=computers,"+BaseDN), "objectClass: computer", "cn: WS01", "sn: WS01",
			"sAMAccountName: WS01$", "objectCategory: computer", "userAccountControl: 4096", "userPassword: machine-1")
	}

	for _, g := range []string{"admins", "auditors", "staff"} {
		lines := []string{"cn: " + g}
		switch {
		case ad:
			lines = append(lines, "objectClass: group", "sAMAccountName: "+g, "objectCategory: group")
			for _, u := range members[g] {
				lines = append(lines, "member: "+personDN(d, u))
			}
		case g == "auditors":
			// A groupOfUniqueNames, naming its member with other case and
			// spacing than the person's entry: it must still be found.
			lines = append(lines, "objectClass: groupOfUniqueNames")
			for _, u := range members[g] {
				lines = append(lines, "uniqueMember: UID="+strings.ToUpper(u[:1])+u[1:]+", OU=People, "+BaseDN)
			}
		default:
			lines = append(lines, "objectClass: groupOfNames")
			for _, u := range members[g] {
				lines = append(lines, "member: "+personDN(d, u))
			}
		}
		entry(dn("cn="+g+",ou=groups,"+BaseDN), lines...)
	}
	return b.String()
}
