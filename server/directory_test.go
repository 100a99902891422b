package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/directory"
	"inhouse/server/directory/slapdtest"
	"inhouse/server/office"
	"inhouse/server/servertest"
)

// directoryOffice: a server whose directory is a real slapd of dialect d,
// in use with admins and auditors by group and #sales filled by staff.
// "boss" is a local manager; "ana" also exists locally in the OpenLDAP
// case of TestLocalAccountsKeepTheirPasswords only.
func directoryOffice(t *testing.T, d directory.Dialect) (*servertest.Server, *slapdtest.Server) {
	t.Helper()
	ldap := slapdtest.Start(t, d)
	ts := servertest.Start(t)
	ts.AddUser("boss", "admin")
	boss := ts.Login("boss")
	sales := boss.CreateChannel("sales", false)
	cfg := ldap.Config()
	in := office.DirectoryChange{On: true, URL: cfg.URL, Security: "starttls", CA: cfg.CA,
		BindDN: cfg.BindDN, BindPassword: cfg.BindPassword, BaseDN: cfg.BaseDN, Filter: cfg.Filter,
		DisabledFilter: cfg.DisabledFilter, Dialect: string(d),
		AdminGroup: slapdtest.AdminsDN, AuditorGroup: slapdtest.AuditorsDN,
		ChannelGroups: "#" + sales.Name + " " + slapdtest.StaffDN}
	if err := ts.Office().SaveDirectory(office.Actor{Name: "boss", Role: archive.RoleAdmin, Via: office.ViaConsole}, in); err != nil {
		t.Fatalf("save the directory settings: %v", err)
	}
	return ts, ldap
}

// signIn posts a sign-in and returns the status, the error code and the client.
func signIn(t *testing.T, ts *servertest.Server, name, password string) (int, string, *servertest.Client) {
	t.Helper()
	c := ts.NewClient()
	var out struct{ Error string }
	st := c.Do("POST", "/api/login", map[string]string{"username": name, "password": password}, &out)
	if st == 200 {
		var me struct{ CSRF string }
		c.Do("GET", "/api/me", nil, &me)
		c.CSRF = me.CSRF
	}
	return st, out.Error, c
}

func TestDirectorySignIn(t *testing.T) {
	for _, d := range []directory.Dialect{directory.OpenLDAP, directory.AD} {
		t.Run(string(d), func(t *testing.T) {
			ts, _ := directoryOffice(t, d)
			// First sign-in makes the person from the directory.
			st, _, ana := signIn(t, ts, "ana", slapdtest.AnaPassword)
			if st != 200 {
				t.Fatalf("ana's first sign-in: %d", st)
			}
			u, err := ts.Store().User("ana")
			if err != nil || u.Display != "Ana Ruiz" || u.Role != archive.RoleAdmin || u.Title != "Accounts" || u.Directory == "" {
				t.Fatalf("ana as made from the directory: %+v %v", u, err)
			}
			var me struct{ User map[string]any }
			ana.Do("GET", "/api/me", nil, &me)
			if me.User["role"] != "admin" || me.User["phone"] != "214" {
				t.Fatalf("ana's /api/me: %v", me.User)
			}
			if st, _, _ := signIn(t, ts, "ben", slapdtest.BenPassword); st != 200 {
				t.Fatalf("ben: %d", st)
			}
			if u, _ := ts.Store().User("ben"); u.Role != archive.RoleAuditor {
				t.Fatalf("ben in the auditors group: %s", u.Role)
			}
			// Staff fill #sales.
			if st, _, _ := signIn(t, ts, "dan", slapdtest.DanPassword); st != 200 {
				t.Fatalf("dan: %d", st)
			}
			sales := ts.Store().Channels(func(c *archive.Channel) bool { return c.Name == "sales" })
			if len(sales) != 1 || !sales[0].Has("dan") || !sales[0].Has("ben") {
				t.Fatalf("#sales after staff signed in: %v", sales)
			}

			for _, c := range []struct{ name, password, code string }{
				{"ana", "wrong", "bad_credentials"},
				{"ana", "", "bad_credentials"},
				{"*)(uid=*", slapdtest.AnaPassword, "bad_credentials"},
				{"*", slapdtest.AnaPassword, "bad_credentials"},
				{"ana)(|(uid=*", slapdtest.AnaPassword, "bad_credentials"},
				{"nobody", "whatever", "bad_credentials"},
				{"cleo", slapdtest.CleoPassword, "disabled"},
			} {
				if st, code, _ := signIn(t, ts, c.name, c.password); st == 200 || code != c.code {
					t.Errorf("%q with %q: %d %s, want %s", c.name, c.password, st, code, c.code)
				}
			}
			if _, err := ts.Store().User("cleo"); err == nil {
				t.Errorf("a disabled directory person got an account")
			}
			// No directory password is kept anywhere.
			if u, _ := ts.Store().User("ana"); u.Hash == "" || strings.Contains(u.Hash, slapdtest.AnaPassword) {
				t.Fatalf("ana's stored hash: %q", u.Hash)
			}
		})
	}
}

func TestDirectoryKeepsPeopleInStep(t *testing.T) {
	for _, d := range []directory.Dialect{directory.OpenLDAP, directory.AD} {
		t.Run(string(d), func(t *testing.T) {
			ts, ldap := directoryOffice(t, d)
			_, _, ben := signIn(t, ts, "ben", slapdtest.BenPassword)
			_, _, dan := signIn(t, ts, "dan", slapdtest.DanPassword)
			ws := ben.Dial()

			// Ben is disabled in the directory; Dan joins the admins.
			if d == directory.AD {
				ldap.Modify(t, "dn: "+ldap.PersonDN("ben")+"\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n")
				ldap.Modify(t, "dn: "+ldap.PersonDN("dan")+"\nchangetype: modify\nadd: memberOf\nmemberOf: "+slapdtest.AdminsDN+"\n")
				ldap.Modify(t, "dn: "+slapdtest.AdminsDN+"\nchangetype: modify\nadd: member\nmember: "+ldap.PersonDN("dan")+"\n")
			} else {
				ldap.Modify(t, "dn: "+ldap.PersonDN("ben")+"\nchangetype: modify\nreplace: employeeType\nemployeeType: disabled\n")
				ldap.Modify(t, "dn: "+slapdtest.AdminsDN+"\nchangetype: modify\nadd: member\nmember: "+ldap.PersonDN("dan")+"\n")
			}
			res, err := ts.Office().SyncDirectory(context.Background())
			if err != nil || res.Disabled != 1 {
				t.Fatalf("sync: %+v %v", res, err)
			}
			// Ben is signed out at once: his socket closes, his session ends.
			if _, err := ws.ReadErr(5 * time.Second); err == nil {
				for {
					if _, err = ws.ReadErr(5 * time.Second); err != nil {
						break
					}
				}
			}
			if st := ben.Do("GET", "/api/me", nil, nil); st != 401 {
				t.Fatalf("ben after the sync: %d", st)
			}
			if u, _ := ts.Store().User("dan"); u.Role != archive.RoleAdmin {
				t.Fatalf("dan after joining the admins: %s", u.Role)
			}
			var me struct{ User map[string]any }
			dan.Do("GET", "/api/me", nil, &me)
			if me.User["role"] != "admin" {
				t.Fatalf("dan's /api/me: %v", me.User)
			}
			// The audit log says the directory did it.
			found := 0
			entries, _, _ := ts.Store().AuditLog(0, 50, nil)
			for _, e := range entries {
				if e.Actor == "directory" && (e.Target == "ben" || e.Target == "dan") {
					found++
				}
			}
			if found < 2 {
				t.Fatalf("the directory's changes in the audit log: %d", found)
			}
		})
	}
}

func TestDirectoryGoingAwayAndComingBack(t *testing.T) {
	ts, ldap := directoryOffice(t, directory.OpenLDAP)
	_, _, ana := signIn(t, ts, "ana", slapdtest.AnaPassword)
	ldap.Stop()

	start := time.Now()
	st, code, _ := signIn(t, ts, "dan", slapdtest.DanPassword)
	if st != 503 || code != "directory_down" {
		t.Fatalf("sign-in with the directory away: %d %s", st, code)
	}
	if time.Since(start) > 15*time.Second {
		t.Fatalf("a sign-in waited %v for a directory that is away", time.Since(start))
	}
	// Those signed in keep working; local accounts sign in.
	if st := ana.Do("GET", "/api/me", nil, nil); st != 200 {
		t.Fatalf("ana's session with the directory away: %d", st)
	}
	if st, _, _ := signIn(t, ts, "boss", servertest.Password); st != 200 {
		t.Fatalf("the local manager with the directory away: %d", st)
	}
	if _, err := ts.Office().SyncDirectory(context.Background()); err == nil {
		t.Fatalf("a sync with the directory away succeeded")
	}
	if s := ts.Office().DirectoryStatus(); s.UnreachableSince.IsZero() {
		t.Fatalf("the status does not say since when: %+v", s)
	}
	// A sync that cannot read the directory disables nobody.
	if u, _ := ts.Store().User("ana"); u.Disabled {
		t.Fatalf("ana disabled by a directory that did not answer")
	}

	ldap.Restart()
	if st, _, _ := signIn(t, ts, "dan", slapdtest.DanPassword); st != 200 {
		t.Fatalf("dan after the directory came back: %d", st)
	}
	if s := ts.Office().DirectoryStatus(); !s.UnreachableSince.IsZero() {
		t.Fatalf("still unreachable after it answered: %+v", s)
	}
}

func TestDirectorySignInsAreThrottled(t *testing.T) {
	ts, _ := directoryOffice(t, directory.OpenLDAP)
	throttled := false
	for i := 0; i < 20 && !throttled; i++ {
		st, _, _ := signIn(t, ts, "ana", "wrong-"+strings.Repeat("x", i))
		throttled = st == http.StatusTooManyRequests
	}
	if !throttled {
		t.Fatalf("20 wrong directory passwords were never throttled")
	}
}

func TestDirectoryPeopleKeepTheDirectorysPassword(t *testing.T) {
	ts, _ := directoryOffice(t, directory.OpenLDAP)
	_, _, ana := signIn(t, ts, "ana", slapdtest.AnaPassword)
	var e struct{ Error string }
	if st := ana.Do("POST", "/api/password", map[string]string{"old": slapdtest.AnaPassword, "new": "a brand new passphrase"}, &e); st != 403 || e.Error != "directory_password" {
		t.Fatalf("a directory person changing their password here: %d %v", st, e)
	}
	if _, err := ts.Office().SetPassword(office.Actor{Name: "boss", Role: archive.RoleAdmin}, "ana", "a brand new passphrase", true); err == nil {
		t.Fatalf("a manager set a directory person's password")
	}
	// The service account's password is stored sealed, never in clear.
	if d := ts.Store().Directory(); d.Secret == "" || strings.Contains(d.Secret, slapdtest.ServicePassword) {
		t.Fatalf("the stored secret: %q", d.Secret)
	}
}

func TestLocalAccountsKeepTheirPasswords(t *testing.T) {
	ts, _ := directoryOffice(t, directory.OpenLDAP)
	ts.AddUser("ana", "member") // a local ana, before the directory's
	if st, _, _ := signIn(t, ts, "ana", servertest.Password); st != 200 {
		t.Fatalf("the local ana with her own password: %d", st)
	}
	if st, _, _ := signIn(t, ts, "ana", slapdtest.AnaPassword); st != 401 {
		t.Fatalf("the local ana with the directory's password: %d", st)
	}
}

func TestDirectoryCertificateIsVerified(t *testing.T) {
	ts, ldap := directoryOffice(t, directory.OpenLDAP)
	cfg := ldap.Config()
	in := office.DirectoryChange{On: true, URL: cfg.URL, Security: "starttls", CA: ldap.OtherCA,
		BindDN: cfg.BindDN, BaseDN: cfg.BaseDN, Filter: cfg.Filter, Dialect: string(directory.OpenLDAP)}
	boss := office.Actor{Name: "boss", Role: archive.RoleAdmin, Via: office.ViaConsole}
	if err := ts.Office().SaveDirectory(boss, in); err != nil {
		t.Fatal(err)
	}
	if r := ts.Office().TestDirectory(context.Background()); r.OK || r.Step != "certificate" {
		t.Fatalf("StartTLS with a certificate of another CA: %+v", r)
	}
	if st, code, _ := signIn(t, ts, "ana", slapdtest.AnaPassword); st != 503 || code != "directory_down" {
		t.Fatalf("sign-in through an untrusted certificate: %d %s", st, code)
	}
	// Plain ldap:// without StartTLS is refused until the manager ticks it.
	in.CA, in.Security = cfg.CA, "plain"
	if err := ts.Office().SaveDirectory(boss, in); err == nil || !strings.Contains(err.Error(), "clear") {
		t.Fatalf("plain ldap:// without the tick: %v", err)
	}
	in.Security = "starttls"
	if err := ts.Office().SaveDirectory(boss, in); err != nil {
		t.Fatal(err)
	}
	if r := ts.Office().TestDirectory(context.Background()); !r.OK || r.People < 3 || r.Groups < 3 {
		t.Fatalf("the right CA: %+v", r)
	}
}
