package slapdtest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"inhouse/server/directory"
)

func tlsConfig(caPEM string) *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(caPEM))
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// dialService connects with StartTLS, trusting caPEM, and signs in as the
// service account.
func dialService(t *testing.T, s *Server, caPEM string) (*ldap.Conn, error) {
	conn, err := ldap.DialURL(s.URL)
	if err != nil {
		return nil, err
	}
	if err := conn.StartTLS(tlsConfig(caPEM)); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.Bind(s.BindDN, s.BindPassword); err != nil {
		conn.Close()
		return nil, err
	}
	t.Cleanup(func() { conn.Close() })
	return conn, nil
}

func count(t *testing.T, conn *ldap.Conn, filter string) int {
	t.Helper()
	res, err := conn.SearchWithPaging(ldap.NewSearchRequest(BaseDN, ldap.ScopeWholeSubtree, 0, 0, 0, false,
		filter, []string{"1.1"}, nil), 100)
	if err != nil {
		t.Fatalf("%s: %v", filter, err)
	}
	return len(res.Entries)
}

// Both dialects: the data is there as the package says, over StartTLS
// with the test CA; the unrelated CA is refused; ldaps answers too.
func TestStart(t *testing.T) {
	for _, d := range []directory.Dialect{directory.AD, directory.OpenLDAP} {
		t.Run(string(d), func(t *testing.T) {
			s := Start(t, d)
			if !strings.HasPrefix(s.URL, "ldap://127.0.0.1:") || !strings.HasPrefix(s.LDAPS, "ldaps://127.0.0.1:") || s.Dialect != d {
				t.Errorf("server: %+v", s)
			}
			if err := s.Config().Validate(); err != nil {
				t.Errorf("Config: %v", err)
			}
			conn, err := dialService(t, s, s.CA)
			if err != nil {
				t.Fatal(err)
			}
			people, groups := "(objectClass=inetOrgPerson)", "(objectClass=groupOfNames)"
			if d == directory.AD {
				people, groups = "(&(objectCategory=person)(objectClass=user))", "(objectClass=group)"
				if n := count(t, conn, "(objectClass=user)"); n != 5 {
					t.Errorf("%d users, want 4 people and the computer", n)
				}
				if n := count(t, conn, "(userAccountControl=514)"); n != 1 {
					t.Errorf("%d disabled", n)
				}
			} else {
				groups = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"
				if n := count(t, conn, DisabledFilter); n != 1 {
					t.Errorf("%d disabled", n)
				}
			}
			if n := count(t, conn, people); n != 4 {
				t.Errorf("%d people", n)
			}
			if n := count(t, conn, groups); n != 3 {
				t.Errorf("%d groups", n)
			}
			res, err := conn.Search(ldap.NewSearchRequest(s.PersonDN("ana"), ldap.ScopeBaseObject, 0, 0, 0, false,
				"(objectClass=*)", []string{"title", "telephoneNumber", "userPassword"}, nil))
			if err != nil || len(res.Entries) != 1 {
				t.Fatalf("ana: %v", err)
			}
			ana := res.Entries[0]
			if ana.GetAttributeValue("title") != "Accounts" || ana.GetAttributeValue("telephoneNumber") != "214" {
				t.Errorf("ana: title %q, phone %q", ana.GetAttributeValue("title"), ana.GetAttributeValue("telephoneNumber"))
			}
			if ana.GetAttributeValue("userPassword") != "" {
				t.Error("the service account reads passwords")
			}

			// Each person signs in with their password.
			for user, pw := range map[string]string{"ana": AnaPassword, "ben": BenPassword, "cleo": CleoPassword, "dan": DanPassword} {
				if err := conn.Bind(s.PersonDN(user), pw); err != nil {
					t.Errorf("%s: %v", user, err)
				}
			}

			if _, err := dialService(t, s, s.OtherCA); err == nil {
				t.Error("the unrelated CA was trusted")
			}
			tc, err := ldap.DialURL(s.LDAPS, ldap.DialWithTLSConfig(tlsConfig(s.CA)))
			if err != nil {
				t.Fatalf("ldaps: %v", err)
			}
			defer tc.Close()
			if err := tc.Bind(s.BindDN, s.BindPassword); err != nil {
				t.Errorf("ldaps bind: %v", err)
			}
		})
	}
}

func TestStopRestartModify(t *testing.T) {
	s := Start(t, directory.OpenLDAP)
	s.Modify(t, "dn: "+s.PersonDN("ana")+"\nchangetype: modify\nreplace: title\ntitle: Finance\n")

	s.Stop()
	s.Stop() // twice does nothing
	if c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "ldap://")); err == nil {
		c.Close()
		t.Fatal("the directory still answers after Stop")
	}

	s.Restart()
	conn, err := dialService(t, s, s.CA)
	if err != nil {
		t.Fatalf("after Restart: %v", err)
	}
	res, err := conn.Search(ldap.NewSearchRequest(s.PersonDN("ana"), ldap.ScopeBaseObject, 0, 0, 0, false,
		"(objectClass=*)", []string{"title"}, nil))
	if err != nil || len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("title") != "Finance" {
		t.Errorf("the change did not survive the restart: %v", err)
	}
	s.Restart() // restarting a running server restarts it
	if _, err := dialService(t, s, s.CA); err != nil {
		t.Errorf("after the second Restart: %v", err)
	}
}

// The unauthenticated bind the package allows on purpose, and what an
// anonymous session may read: nothing.
func TestAnonymousReadsNothing(t *testing.T) {
	s := Start(t, directory.OpenLDAP)
	conn, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.UnauthenticatedBind(s.PersonDN("ana")); err != nil {
		t.Fatalf("unauthenticated bind: %v", err)
	}
	res, err := conn.Search(ldap.NewSearchRequest(BaseDN, ldap.ScopeWholeSubtree, 0, 0, 0, false,
		"(uid=ana)", []string{"uid"}, nil))
	if err == nil && len(res.Entries) > 0 {
		t.Errorf("an anonymous session read %d entries", len(res.Entries))
	}
	var le *ldap.Error
	if err != nil && !errors.As(err, &le) {
		t.Errorf("search: %v", err)
	}
}

func TestOfficeLDIF(t *testing.T) {
	ad := officeLDIF(directory.AD)
	for _, want := range []string{"sAMAccountName: ana", "userAccountControl: 514", "memberOf: CN=admins,OU=groups,DC=office,DC=test",
		"objectCategory: person", "sAMAccountName: WS01$"} {
		if !strings.Contains(ad, want) {
			t.Errorf("AD data lacks %q", want)
		}
	}
	ol := officeLDIF(directory.OpenLDAP)
	for _, want := range []string{"uid: ana", "employeeType: disabled", "member: uid=ana,ou=people,dc=office,dc=test",
		"objectClass: groupOfUniqueNames", "uniqueMember: UID=Ben, OU=People, dc=office,dc=test"} {
		if !strings.Contains(ol, want) {
			t.Errorf("OpenLDAP data lacks %q", want)
		}
	}
	if personDN(directory.AD, "nobody") != "" {
		t.Error("a DN for nobody")
	}
}
