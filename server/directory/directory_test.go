package directory_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"inhouse/server/directory"
	"inhouse/server/directory/slapdtest"
)

var dialects = []directory.Dialect{directory.AD, directory.OpenLDAP}

// eachDialect runs the test against a fresh slapd of each dialect.
func eachDialect(t *testing.T, test func(t *testing.T, s *slapdtest.Server)) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			test(t, slapdtest.Start(t, d))
		})
	}
}

// sameDNs compares lists of DNs as the directory would, in any order.
func sameDNs(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return directory.SameDN(g, w) }) {
			return false
		}
	}
	return true
}

func TestAuthenticate(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		c := directory.New(s.Config())
		p, err := c.Authenticate(t.Context(), "ana", slapdtest.AnaPassword)
		if err != nil {
			t.Fatalf("ana: %v", err)
		}
		if !directory.SameDN(p.DN, s.PersonDN("ana")) || p.UserName != "ana" || p.Display != "Ana Ruiz" ||
			p.Mail != "ana@office.test" || p.Title != "Accounts" || p.Phone != "214" || p.Disabled {
			t.Errorf("ana: %+v", p)
		}
		if !sameDNs(p.Groups, slapdtest.AdminsDN) {
			t.Errorf("ana's groups: %q", p.Groups)
		}

		// Ben is in two groups; in the OpenLDAP dialect auditors is a
		// groupOfUniqueNames naming him with other case and spaces.
		p, err = c.Authenticate(t.Context(), "ben", slapdtest.BenPassword)
		if err != nil || !sameDNs(p.Groups, slapdtest.StaffDN, slapdtest.AuditorsDN) {
			t.Errorf("ben: %+v %v", p, err)
		}

		// The directory matches user names without case; the Person says
		// how the directory writes it.
		p, err = c.Authenticate(t.Context(), "ANA", slapdtest.AnaPassword)
		if err != nil || p.UserName != "ana" {
			t.Errorf("ANA: %+v %v", p, err)
		}
	})
}

func TestWrongPassword(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		c := directory.New(s.Config())
		for _, pw := range []string{slapdtest.BenPassword, slapdtest.AnaPassword + "x", " ", strings.ToUpper(slapdtest.AnaPassword),
			slapdtest.AnaPassword + strings.Repeat("x", 2000)} {
			p, err := c.Authenticate(t.Context(), "ana", pw)
			if !errors.Is(err, directory.ErrBadPassword) {
				t.Errorf("password %q: %v", pw, err)
			}
			if p.DN != "" || p.UserName != "" {
				t.Errorf("a wrong password gave away the person: %+v", p)
			}
		}
		if _, err := c.Authenticate(t.Context(), "nobody", slapdtest.AnaPassword); !errors.Is(err, directory.ErrNoSuchPerson) {
			t.Errorf("nobody: %v", err)
		}
	})
}

// The directory takes a name with an empty password as an anonymous
// bind, and says yes; Authenticate never asks it.
func TestEmptyPassword(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		conn, err := ldap.DialURL(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := conn.UnauthenticatedBind(s.PersonDN("ana")); err != nil {
			t.Fatalf("the test directory should accept an unauthenticated bind, to show the danger: %v", err)
		}

		c := directory.New(s.Config())
		for _, name := range []string{"ana", "cleo", "nobody"} {
			if p, err := c.Authenticate(t.Context(), name, ""); !errors.Is(err, directory.ErrBadPassword) || p.DN != "" {
				t.Errorf("%s with an empty password: %+v %v", name, p, err)
			}
		}
	})
	// And without a network step: a listener that would see the attempt
	// sees nothing.
	l := listenSilently(t)
	cfg := directory.Config{URL: "ldap://" + l.addr, Plain: true, BindDN: "cn=svc,dc=x", BindPassword: "pw",
		BaseDN: "dc=x", Filter: "(uid=*)", Dialect: directory.OpenLDAP, Attr: directory.Attributes{UserName: "uid"}}
	if _, err := directory.New(cfg).Authenticate(t.Context(), "ana", ""); !errors.Is(err, directory.ErrBadPassword) {
		t.Errorf("empty password: %v", err)
	}
	if n := l.accepted(); n != 0 {
		t.Errorf("an empty password reached the network: %d connections", n)
	}
}

// User names go into the filter escaped: filter syntax in a name finds
// nobody, even with a real password.
func TestFilterInjection(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		c := directory.New(s.Config())
		attr := s.Config().Attr.UserName
		names := []string{
			"*)(" + attr + "=*", "*)(uid=*", "*", "a*", "an*", "*na", "ana)(|(" + attr + "=*)", "ana)", "(ana",
			`ana\`, `ana\2a`, "ana\x00", "(" + attr + "=ana)", "*)(objectClass=*))(|(" + attr + "=*",
			strings.Repeat("a", 300), "", " ",
		}
		for _, name := range names {
			for _, pw := range []string{slapdtest.AnaPassword, "x"} {
				if p, err := c.Authenticate(t.Context(), name, pw); !errors.Is(err, directory.ErrNoSuchPerson) {
					t.Errorf("name %q: %+v %v", name, p, err)
				}
			}
		}
	})
}

func TestDisabled(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		c := directory.New(s.Config())
		people, err := c.People(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range people {
			names = append(names, p.UserName)
			if p.Disabled != (p.UserName == "cleo") {
				t.Errorf("%s: Disabled %v", p.UserName, p.Disabled)
			}
		}
		slices.Sort(names)
		// In AD the computer account WS01$ is a user too: the default
		// filter leaves it out.
		if !slices.Equal(names, []string{"ana", "ben", "cleo", "dan"}) {
			t.Errorf("people: %q", names)
		}

		p, err := c.Authenticate(t.Context(), "cleo", slapdtest.CleoPassword)
		if !errors.Is(err, directory.ErrDisabled) || !p.Disabled || p.UserName != "cleo" {
			t.Errorf("cleo: %+v %v", p, err)
		}
		// A wrong password tells nothing of the account.
		if _, err := c.Authenticate(t.Context(), "cleo", "guess"); !errors.Is(err, directory.ErrBadPassword) {
			t.Errorf("cleo with a wrong password: %v", err)
		}
	})
}

// In OpenLDAP the office's filter is what disables; without it nobody is.
// In AD a DisabledFilter adds to the flag.
func TestDisabledFilter(t *testing.T) {
	s := slapdtest.Start(t, directory.OpenLDAP)
	cfg := s.Config()
	cfg.DisabledFilter = ""
	if _, err := directory.New(cfg).Authenticate(t.Context(), "cleo", slapdtest.CleoPassword); err != nil {
		t.Errorf("cleo without a disabled filter: %v", err)
	}
	cfg.DisabledFilter = "(|(employeeType=disabled)(title=Driver))"
	people, err := directory.New(cfg).People(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Disabled != (p.UserName == "cleo" || p.UserName == "dan") {
			t.Errorf("%s: Disabled %v", p.UserName, p.Disabled)
		}
	}

	ad := slapdtest.Start(t, directory.AD)
	cfg = ad.Config()
	cfg.DisabledFilter = "(title=Driver)"
	c := directory.New(cfg)
	for user, pw := range map[string]string{"dan": slapdtest.DanPassword, "cleo": slapdtest.CleoPassword} {
		if _, err := c.Authenticate(t.Context(), user, pw); !errors.Is(err, directory.ErrDisabled) {
			t.Errorf("AD %s: %v", user, err)
		}
	}
	if _, err := c.Authenticate(t.Context(), "ana", slapdtest.AnaPassword); err != nil {
		t.Errorf("AD ana: %v", err)
	}
}

// Dan moves from staff to admins in the directory; the next reading shows
// it. In AD the person's memberOf changes with the groups (AD keeps it;
// the test directory is told).
func TestGroupChange(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		c := directory.New(s.Config())
		dan := s.PersonDN("dan")
		ldif := "dn: " + slapdtest.StaffDN + "\nchangetype: modify\ndelete: member\nmember: " + dan + "\n\n" +
			"dn: " + slapdtest.AdminsDN + "\nchangetype: modify\nadd: member\nmember: " + dan + "\n"
		if s.Dialect == directory.AD {
			ldif += "\ndn: " + dan + "\nchangetype: modify\nreplace: memberOf\nmemberOf: " + slapdtest.AdminsDN + "\n"
		}
		s.Modify(t, ldif)

		people, err := c.People(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range people {
			var want []string
			switch p.UserName {
			case "ana", "dan":
				want = []string{slapdtest.AdminsDN}
			case "ben":
				want = []string{slapdtest.StaffDN, slapdtest.AuditorsDN}
			}
			if !sameDNs(p.Groups, want...) {
				t.Errorf("%s's groups: %q, want %q", p.UserName, p.Groups, want)
			}
		}
		p, err := c.Authenticate(t.Context(), "dan", slapdtest.DanPassword)
		if err != nil || !sameDNs(p.Groups, slapdtest.AdminsDN) {
			t.Errorf("dan signing in: %+v %v", p, err)
		}
	})
}

// The test directory refuses more than three entries without paging, as
// AD refuses more than 1000; People pages (in pages of two in these
// tests), so it reads everyone.
func TestPaging(t *testing.T) {
	s := slapdtest.Start(t, directory.OpenLDAP)
	conn, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(s.BindDN, s.BindPassword); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Search(ldap.NewSearchRequest(s.BaseDN, ldap.ScopeWholeSubtree, 0, 0, 0, false,
		"(objectClass=inetOrgPerson)", []string{"uid"}, nil))
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		t.Fatalf("a search without paging: %v, want the size limit", err)
	}
	people, err := directory.New(s.Config()).People(t.Context())
	if err != nil || len(people) != 4 {
		t.Errorf("People: %d, %v", len(people), err)
	}
}

// Two entries with one user name: nobody signs in with it, and People
// leaves both out rather than pick one.
func TestAmbiguousName(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		twin := "dn: cn=Ana Twin,ou=services," + slapdtest.BaseDN + "\nchangetype: add\n"
		if s.Dialect == directory.AD {
			twin += "objectClass: user\nsAMAccountName: ANA\nobjectCategory: person\nuserAccountControl: 512\n"
		} else {
			twin += "objectClass: inetOrgPerson\nuid: ANA\n"
		}
		twin += "cn: Ana Twin\nsn: Twin\nuserPassword: " + slapdtest.AnaPassword + "\n"
		s.Modify(t, twin)

		c := directory.New(s.Config())
		_, err := c.Authenticate(t.Context(), "ana", slapdtest.AnaPassword)
		if !errors.Is(err, directory.ErrNoSuchPerson) || !strings.Contains(err.Error(), "More than one") {
			t.Errorf("ana twice: %v", err)
		}
		people, err := c.People(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range people {
			if strings.EqualFold(p.UserName, "ana") {
				t.Errorf("People kept %s (%s)", p.UserName, p.DN)
			}
		}
		if len(people) != 3 {
			t.Errorf("%d people, want ben, cleo and dan", len(people))
		}
	})
}

// The directory going away: directory people are told it is not
// answering (not that the password is wrong), at once; back, all works.
func TestDirectoryGoesAwayAndComesBack(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		cfg := s.Config()
		cfg.Timeout = 2 * time.Second
		c := directory.New(cfg)
		if _, err := c.Authenticate(t.Context(), "ana", slapdtest.AnaPassword); err != nil {
			t.Fatal(err)
		}

		s.Stop()
		start := time.Now()
		_, err := c.Authenticate(t.Context(), "ana", slapdtest.AnaPassword)
		if !errors.Is(err, directory.ErrUnreachable) || !strings.HasPrefix(err.Error(), "The office directory is not answering.") {
			t.Errorf("stopped: %v", err)
		}
		if took := time.Since(start); took >= cfg.Timeout {
			t.Errorf("telling took %v, want under %v", took, cfg.Timeout)
		}
		if _, err := c.People(t.Context()); !errors.Is(err, directory.ErrUnreachable) {
			t.Errorf("People when stopped: %v", err)
		}
		if r := c.Test(t.Context()); r.OK || r.Step != "address" || !strings.Contains(r.Problem, "nothing is listening") {
			t.Errorf("Test when stopped: %+v", r)
		}

		s.Restart()
		if p, err := c.Authenticate(t.Context(), "ana", slapdtest.AnaPassword); err != nil || p.UserName != "ana" {
			t.Errorf("after the restart: %+v %v", p, err)
		}
		if people, err := c.People(t.Context()); err != nil || len(people) != 4 {
			t.Errorf("People after the restart: %d %v", len(people), err)
		}
	})
}

func TestCertificates(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		for name, change := range map[string]func(*directory.Config){
			"StartTLS, another CA": func(c *directory.Config) { c.CA = s.OtherCA },
			"StartTLS, system CAs": func(c *directory.Config) { c.CA = "" },
			"ldaps, another CA":    func(c *directory.Config) { c.URL, c.StartTLS, c.CA = s.LDAPS, false, s.OtherCA },
		} {
			cfg := s.Config()
			change(&cfg)
			c := directory.New(cfg)
			if r := c.Test(t.Context()); r.OK || r.Step != "certificate" || !strings.Contains(r.Problem, "not trusted") {
				t.Errorf("%s: %+v", name, r)
			}
			if _, err := c.Authenticate(t.Context(), "ana", slapdtest.AnaPassword); !errors.Is(err, directory.ErrUnreachable) || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("%s, signing in: %v", name, err)
			}
		}

		// ldaps:// with the office CA works, and so does trusting the
		// server's own certificate instead of its CA.
		cfg := s.Config()
		cfg.URL, cfg.StartTLS = s.LDAPS, false
		if r := directory.New(cfg).Test(t.Context()); !r.OK {
			t.Errorf("ldaps: %+v", r)
		}
		if _, err := directory.New(cfg).Authenticate(t.Context(), "ben", slapdtest.BenPassword); err != nil {
			t.Errorf("ldaps, signing in: %v", err)
		}
		cfg.CA = serverCertificate(t, s)
		if _, err := directory.New(cfg).Authenticate(t.Context(), "ben", slapdtest.BenPassword); err != nil {
			t.Errorf("trusting the server's own certificate: %v", err)
		}

		// "localhost" is in the certificate too.
		cfg = s.Config()
		cfg.URL = strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
		if _, err := directory.New(cfg).Authenticate(t.Context(), "ana", slapdtest.AnaPassword); err != nil {
			t.Errorf("by the name localhost: %v", err)
		}

		// ldaps:// on the plain port, StartTLS on the ldaps port: the
		// directory hangs up, and the manager hears to check the port.
		cfg = s.Config()
		cfg.URL, cfg.StartTLS = strings.Replace(s.URL, "ldap:", "ldaps:", 1), false
		if r := directory.New(cfg).Test(t.Context()); r.OK || r.Step != "address" || !strings.Contains(r.Problem, "check that the port matches") {
			t.Errorf("ldaps on the plain port: %+v", r)
		}
		cfg = s.Config()
		cfg.URL = strings.Replace(s.LDAPS, "ldaps:", "ldap:", 1)
		if r := directory.New(cfg).Test(t.Context()); r.OK || r.Step != "address" || !strings.Contains(r.Problem, "check that the port matches") {
			t.Errorf("StartTLS on the ldaps port: %+v", r)
		}
	})
}

// serverCertificate fetches the directory's own certificate, verified
// with the test CA, as a manager would export it.
func serverCertificate(t *testing.T, s *slapdtest.Server) string {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(s.CA))
	c, err := tls.Dial("tcp", strings.TrimPrefix(s.LDAPS, "ldaps://"), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	leaf := c.ConnectionState().PeerCertificates[0]
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
}

// Plain ldap:// without StartTLS is refused until the manager ticks that
// passwords cross the network in clear; then it works.
func TestPlain(t *testing.T) {
	s := slapdtest.Start(t, directory.OpenLDAP)
	cfg := s.Config()
	cfg.StartTLS, cfg.CA = false, ""
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "Passwords would cross the network in clear: use ldaps:// or StartTLS, or tick") {
		t.Errorf("Validate: %v", err)
	}
	if _, err := directory.New(cfg).Authenticate(t.Context(), "ana", slapdtest.AnaPassword); !errors.Is(err, directory.ErrUnreachable) {
		t.Errorf("Authenticate in clear: %v", err)
	}
	cfg.Plain = true
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate, ticked: %v", err)
	}
	if _, err := directory.New(cfg).Authenticate(t.Context(), "ana", slapdtest.AnaPassword); err != nil {
		t.Errorf("Authenticate, ticked: %v", err)
	}
}

func TestTestReports(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *slapdtest.Server) {
		if r := directory.New(s.Config()).Test(t.Context()); r != (directory.Report{OK: true, People: 4, Groups: 3}) {
			t.Errorf("the right settings: %+v", r)
		}
		closed := closedPort(t)
		cases := []struct {
			name   string
			change func(*directory.Config)
			step   string
			words  string
		}{
			{"bad address", func(c *directory.Config) { c.URL = "ldap://" + closed }, "address", "Cannot connect to " + closed},
			{"unknown host", func(c *directory.Config) { c.URL = "ldap://nowhere.invalid" }, "address", "nowhere.invalid"},
			{"bad service password", func(c *directory.Config) { c.BindPassword = "wrong" }, "service account", "its DN or password is wrong"},
			{"bad service DN", func(c *directory.Config) { c.BindDN = "cn=nobody," + slapdtest.BaseDN }, "service account", "refused the service account"},
			{"a person as the service", func(c *directory.Config) {
				c.BindDN, c.BindPassword = s.PersonDN("ana"), "x"
			}, "service account", "refused"},
			{"missing base DN", func(c *directory.Config) { c.BaseDN = "ou=nowhere," + slapdtest.BaseDN }, "base DN", "There is no ou=nowhere"},
			{"another tree", func(c *directory.Config) { c.BaseDN = "dc=elsewhere,dc=test" }, "base DN", "There is no dc=elsewhere"},
			{"bad filter", func(c *directory.Config) { c.Filter = "(objectClass=person" }, "filter", "is not an LDAP filter"},
			{"bad disabled filter", func(c *directory.Config) { c.DisabledFilter = "disabled" }, "filter", "disabled people"},
			{"nobody", func(c *directory.Config) { c.Filter = "(objectClass=nothingLikeThis)" }, "people", "finds nobody"},
			{"no user names", func(c *directory.Config) { c.Attr.UserName = "employeeNumber" }, "people", "finds nobody"},
			{"no dialect", func(c *directory.Config) { c.Dialect = "" }, "settings", "kind of directory"},
		}
		for _, tc := range cases {
			cfg := s.Config()
			cfg.Timeout = 2 * time.Second
			tc.change(&cfg)
			r := directory.New(cfg).Test(t.Context())
			if r.OK || r.Step != tc.step || !strings.Contains(r.Problem, tc.words) {
				t.Errorf("%s: %+v, want step %q with %q", tc.name, r, tc.step, tc.words)
			}
		}
	})
}
