// Package directory talks to the office's directory: Active Directory, a
// Samba domain or an OpenLDAP server. It signs a person in by binding as
// them, reads everyone the office's filter finds (with their groups and
// whether they are disabled), and tests a configuration step by step so a
// manager reads in plain words what is wrong. It knows nothing of Inhouse:
// what a person becomes here is the caller's business.
//
// Every call is bounded: at most four directory operations run at once,
// waiting for a turn lasts at most Config.Timeout, and every network step
// (dial, TLS, bind, each page of a search) must finish within
// Config.Timeout, so a directory that answers slowly or not at all cannot
// hold the server's goroutines for long. Certificates are always verified.
package directory

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Dialect is the kind of directory: it decides the defaults, how a
// disabled person is recognised and where groups are read.
type Dialect string

const (
	AD       Dialect = "ad"       // Active Directory, or a Samba domain controller
	OpenLDAP Dialect = "openldap" // OpenLDAP, or another directory with inetOrgPerson and groupOfNames
)

// Attributes names the directory attributes read for each person. Only
// UserName is required; an empty name leaves its field empty.
type Attributes struct{ UserName, Display, Mail, Title, Phone string }

// Config is what the manager enters on the console's Directory page.
type Config struct {
	URL            string // ldap://host[:389] or ldaps://host[:636]
	StartTLS       bool   // ldap:// upgraded with StartTLS before any bind
	Plain          bool   // ldap:// without StartTLS: the manager accepted that passwords cross the network in clear
	CA             string // PEM: the office CA or the server's own certificate to trust; "" the system's roots
	BindDN         string // the service account (in Active Directory also user@domain)
	BindPassword   string
	BaseDN         string
	Filter         string // who are people, e.g. (objectClass=inetOrgPerson)
	DisabledFilter string // people matching it are disabled; AD: also userAccountControl's ACCOUNTDISABLE bit, always
	Dialect        Dialect
	Attr           Attributes
	Timeout        time.Duration // each network step (0: 5 s)
}

// DefaultTimeout bounds each network step when Config.Timeout is 0.
const DefaultTimeout = 5 * time.Second

// maxTimeout keeps a typo (5m for 5s) from letting a dead directory hold
// sign-ins for minutes.
const maxTimeout = time.Minute

// Defaults gives the filter and attributes a directory of that dialect
// usually has. AD's filter is the usual one for people: objectClass=user
// alone would also find computer accounts (a computer is a user in AD),
// objectCategory=person alone would find contacts. DisabledFilter stays
// empty: AD's disabled flag is read always, and OpenLDAP has no standard
// marker, so the office names its own (see docs/directory.md).
func Defaults(d Dialect) Config {
	switch d {
	case AD:
		return Config{
			Dialect: AD,
			Filter:  "(&(objectCategory=person)(objectClass=user))",
			Attr: Attributes{
				UserName: "sAMAccountName",
				Display:  "displayName",
				Mail:     "mail",
				Title:    "title",
				Phone:    "telephoneNumber",
			},
		}
	case OpenLDAP:
		return Config{
			Dialect: OpenLDAP,
			Filter:  "(objectClass=inetOrgPerson)",
			Attr: Attributes{
				UserName: "uid",
				Display:  "cn",
				Mail:     "mail",
				Title:    "title",
				Phone:    "telephoneNumber",
			},
		}
	}
	return Config{Dialect: d}
}

// The steps a Report names, in the order Test walks them. Each problem of
// Validate belongs to one of them, so the console can point at the field.
const (
	stepSettings = "settings"        // the dialect, the attributes, the timeout
	stepAddress  = "address"         // the URL, the connection, the directory answering
	stepCert     = "certificate"     // TLS: the CA, the server's certificate, StartTLS
	stepService  = "service account" // the bind DN and password
	stepBase     = "base DN"
	stepFilter   = "filter" // the people filter and the disabled filter
	stepPeople   = "people" // the filter finds nobody
)

// problem is one thing wrong with a Config, the step it belongs to and
// the field it is about.
type problem struct{ step, field, text string }

// Problem is one thing wrong with a Config: the field it is about, named
// as in Config ("URL", "Plain", "CA", "BindDN", "BindPassword", "BaseDN",
// "Filter", "DisabledFilter", "Dialect", "Attr.UserName", "Attr.Display",
// "Attr.Mail", "Attr.Title", "Attr.Phone", "Timeout"), and a sentence.
type Problem struct{ Field, Message string }

// Problems tells every problem with the configuration, each with its field,
// so a form can show it beside the field.
func (c Config) Problems() []Problem {
	var out []Problem
	for _, p := range c.problems() {
		out = append(out, Problem{p.field, p.text})
	}
	return out
}

// Validate tells every problem with the configuration at once, one
// sentence each (errors.Join: Unwrap() []error lists them).
func (c Config) Validate() error {
	ps := c.problems()
	if len(ps) == 0 {
		return nil
	}
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = errors.New(p.text)
	}
	return errors.Join(errs...)
}

// plainTick is the console's words for Plain, quoted by the refusal so the
// manager knows what to tick.
const plainTick = "I understand passwords cross the network in clear"

func (c Config) problems() []problem {
	var ps []problem
	add := func(step, field, format string, args ...any) {
		ps = append(ps, problem{step, field, fmt.Sprintf(format, args...)})
	}

	known := c.Dialect == AD || c.Dialect == OpenLDAP
	if !known {
		add(stepSettings, "Dialect", "Choose the kind of directory: Active Directory or OpenLDAP.")
	}

	plainChosen := false // ldap:// without StartTLS, ticked
	if _, _, scheme, err := splitURL(c.URL); err != nil {
		add(stepAddress, "URL", "%s", err.Error())
	} else {
		switch {
		case scheme == "ldaps" && c.StartTLS:
			add(stepAddress, "URL", "An ldaps:// address is encrypted already: choose ldaps rather than StartTLS, or use an ldap:// address with StartTLS.")
		case scheme == "ldaps" || c.StartTLS:
		case !c.Plain:
			add(stepAddress, "Plain", "Passwords would cross the network in clear: use ldaps:// or StartTLS, or tick “%s”.", plainTick)
		default:
			plainChosen = true
		}
	}

	if c.CA != "" {
		if msg := checkCA(c.CA); msg != "" {
			add(stepCert, "CA", "%s", msg)
		} else if plainChosen {
			// A certificate that is never checked would give a false
			// sense of safety.
			add(stepCert, "CA", "A certificate to trust was given, but the address uses no TLS: use ldaps:// or StartTLS, or remove the certificate.")
		}
	}

	switch {
	case strings.TrimSpace(c.BindDN) == "":
		add(stepService, "BindDN", "Enter the service account that reads the directory, such as cn=inhouse,ou=services,dc=office,dc=lan.")
	case c.Dialect == AD && (strings.Contains(c.BindDN, "@") || strings.Contains(c.BindDN, `\`)) && !strings.Contains(c.BindDN, "="):
		// Active Directory also takes user@domain or DOMAIN\user.
	default:
		if _, err := ldap.ParseDN(c.BindDN); err != nil {
			add(stepService, "BindDN", "The service account %q is not a DN, such as cn=inhouse,ou=services,dc=office,dc=lan.", c.BindDN)
		}
	}
	if c.BindPassword == "" {
		// An empty password would make the service bind an anonymous one.
		add(stepService, "BindPassword", "Enter the service account's password.")
	}

	if strings.TrimSpace(c.BaseDN) == "" {
		add(stepBase, "BaseDN", "Enter the base DN, the part of the directory that holds the office's people, such as dc=office,dc=lan.")
	} else if _, err := ldap.ParseDN(c.BaseDN); err != nil {
		add(stepBase, "BaseDN", "The base DN %q is not a DN, such as dc=office,dc=lan.", c.BaseDN)
	}

	// Without a known kind there are no defaults: what they would give is
	// the kind's problem, said once.
	if strings.TrimSpace(c.Filter) == "" {
		if known {
			add(stepFilter, "Filter", "Enter the filter that finds people, such as (objectClass=inetOrgPerson).")
		}
	} else if _, err := ldap.CompileFilter(c.Filter); err != nil {
		add(stepFilter, "Filter", "The filter %q is not an LDAP filter: it is written in parentheses, such as (objectClass=person), with every parenthesis closed.", c.Filter)
	}
	if c.DisabledFilter != "" {
		if _, err := ldap.CompileFilter(c.DisabledFilter); err != nil {
			add(stepFilter, "DisabledFilter", "The filter for disabled people %q is not an LDAP filter: it is written in parentheses, such as (employeeType=disabled).", c.DisabledFilter)
		}
	}

	if c.Attr.UserName == "" && known {
		add(stepSettings, "Attr.UserName", "Enter the attribute that holds the user name (sAMAccountName in Active Directory, uid in OpenLDAP).")
	}
	for _, a := range []struct{ field, what, name string }{
		{"Attr.UserName", "user name", c.Attr.UserName}, {"Attr.Display", "display name", c.Attr.Display},
		{"Attr.Mail", "e-mail", c.Attr.Mail}, {"Attr.Title", "title", c.Attr.Title}, {"Attr.Phone", "phone", c.Attr.Phone},
	} {
		if a.name != "" && !attributeName(a.name) {
			add(stepSettings, a.field, "The attribute for the %s, %q, is not an attribute name: letters, digits and hyphens, starting with a letter.", a.what, a.name)
		}
	}

	if c.Timeout < 0 || c.Timeout > maxTimeout {
		add(stepSettings, "Timeout", "The time to wait for each step of the directory must be at most 1 minute (0 for the default, 5 seconds).")
	}
	return ps
}

// splitURL reads the address into host, port and scheme, or says in plain
// words what is wrong with it.
func splitURL(raw string) (host, port, scheme string, err error) {
	example := "such as ldaps://dc1.office.lan or ldap://nas.office.lan"
	if strings.TrimSpace(raw) == "" {
		return "", "", "", fmt.Errorf("Enter the directory's address, %s.", example) //lint:ignore ST1005 shown to people as it is
	}
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") {
		return "", "", "", fmt.Errorf("The address %q must start with ldap:// or ldaps://, %s.", raw, example) //lint:ignore ST1005 shown to people as it is
	}
	if u.Hostname() == "" {
		return "", "", "", fmt.Errorf("The address %q names no server, %s.", raw, example) //lint:ignore ST1005 shown to people as it is
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", "", fmt.Errorf("The address %q must be the server and its port only, such as ldaps://dc1.office.lan:636.", raw) //lint:ignore ST1005 shown to people as it is
	}
	port = u.Port()
	if port == "" {
		port = ldap.DefaultLdapPort
		if u.Scheme == "ldaps" {
			port = ldap.DefaultLdapsPort
		}
	} else if n, aerr := strconv.Atoi(port); aerr != nil || n < 1 || n > 65535 {
		return "", "", "", fmt.Errorf("The port in %q must be a number from 1 to 65535.", raw) //lint:ignore ST1005 shown to people as it is
	}
	return u.Hostname(), port, u.Scheme, nil
}

// checkCA says what is wrong with the pasted certificate, or "".
func checkCA(s string) string {
	rest := []byte(s)
	certs := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			// A key pasted here would be kept with the settings; say so
			// before it is stored.
			return "The certificate to trust contains a private key: paste the certificate only (-----BEGIN CERTIFICATE-----), and keep the key on the server."
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Sprintf("The certificate to trust cannot be read: %v.", err)
		}
		certs++
	}
	if certs == 0 {
		return "The certificate to trust is not a PEM certificate: paste the text that begins with -----BEGIN CERTIFICATE-----."
	}
	return ""
}

// attributeName accepts an attribute description as RFC 4512 writes it: a
// name (a letter, then letters, digits, hyphens) or a numeric OID, with
// options such as ;binary. It keeps filter characters out of the
// attribute names that Authenticate puts into a filter.
func attributeName(s string) bool {
	name, _, _ := strings.Cut(s, ";")
	if name == "" {
		return false
	}
	if name[0] >= '0' && name[0] <= '9' {
		for _, part := range strings.Split(name, ".") {
			if part == "" || strings.Trim(part, "0123456789") != "" {
				return false
			}
		}
		return true
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == ';'):
		default:
			return false
		}
	}
	return true
}

// SameDN tells whether two DNs name the same entry, as the directory
// compares them: without case, spacing or escaping differences (see
// normDN). The console's group settings compare with Person.Groups so.
func SameDN(a, b string) bool { return normDN(a) == normDN(b) }
