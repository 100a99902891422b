package admin_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inhouse/server/archive"
	"inhouse/server/directory"
	"inhouse/server/directory/slapdtest"
	"inhouse/server/servertest"
)

// The console's Directory page against a real slapd (docs/directory.md,
// "The console").

// directoryForm is the Directory page's form filled in for the test
// directory: StartTLS with its CA, the service account, groups for
// managers and auditors, and the filter left to the default.
func directoryForm(s *slapdtest.Server) url.Values {
	cfg := s.Config()
	return url.Values{
		"on": {"yes"}, "dialect": {string(s.Dialect)}, "url": {cfg.URL}, "security": {"starttls"},
		"ca": {cfg.CA}, "bind_dn": {cfg.BindDN}, "bind_password": {cfg.BindPassword}, "base_dn": {cfg.BaseDN},
		"disabled_filter": {cfg.DisabledFilter},
		"admin_group":     {slapdtest.AdminsDN}, "auditor_group": {slapdtest.AuditorsDN},
	}
}

var markupRE = regexp.MustCompile(`<[^>]*>`)

// textOf is what a piece of HTML says, tags left out.
func textOf(h string) string {
	return strings.Join(strings.Fields(html.UnescapeString(markupRE.ReplaceAllString(h, " "))), " ")
}

// problemBeside is the problem the page shows beside a field ("" if none).
func problemBeside(body, field string) string {
	m := regexp.MustCompile(`(?s)<p class="field-error" id="e-` + regexp.QuoteMeta(field) + `">(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return textOf(m[1])
}

// flashOf is the text of the page's flashes of a kind ("ok", "error").
func flashOf(body, kind string) string {
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<div class="flash flash-`+kind+`" role="[a-z]+">(.*?)</div>`).FindAllStringSubmatch(body, -1) {
		out = append(out, textOf(m[1]))
	}
	return strings.Join(out, " | ")
}

// fieldProblems lists every field the page marks, with its problem.
func fieldProblems(body string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<p class="field-error" id="e-([a-z_]+)">(.*?)</p>`).FindAllStringSubmatch(body, -1) {
		out[m[1]] = textOf(m[2])
	}
	return out
}

func TestDirectorySavedAndReadBack(t *testing.T) {
	ts := start(t)
	st := ts.Store()
	boss := signIn(t, ts, "boss")
	sales := channelID(t, ts, "sales", "mia")
	ldap := slapdtest.Start(t, directory.OpenLDAP)

	p := boss.get("/admin/directory")
	if p.Status != 200 || !strings.Contains(p.Body, "Not set up yet") || !strings.Contains(p.Body, "No password is stored yet.") ||
		!strings.Contains(p.Body, `href="/admin/directory" aria-current="page"`) {
		t.Fatalf("a new office's Directory page: %d\n%s", p.Status, excerpt(p.Body))
	}
	if strings.Contains(p.Body, `action="/admin/directory/test"`) {
		t.Fatalf("Test the connection is offered before anything is saved")
	}

	form := directoryForm(ldap)
	form.Set("channel_groups", "#sales "+slapdtest.StaffDN+"\n\n")
	// A group's DN is the manager's text: shown as text, never as markup.
	form.Set("auditor_group", `cn=<b>auditors</b>,ou=groups,dc=office,dc=test`)
	p = boss.mustPost("/admin/directory", form)
	if got := flashOf(p.Body, "ok"); !strings.Contains(got, "Directory settings saved.") {
		t.Fatalf("flash after saving: %q\n%s", got, excerpt(p.Body))
	}
	d := st.Directory()
	if !d.On || d.URL != ldap.URL || !d.StartTLS || d.Plain || d.BindDN != slapdtest.ServiceDN || d.BaseDN != slapdtest.BaseDN ||
		d.Dialect != "openldap" || d.Filter != "" || d.DisabledFilter != slapdtest.DisabledFilter || d.AdminGroup != slapdtest.AdminsDN ||
		len(d.ChannelGroups) != 1 || d.ChannelGroups[0] != (archive.GroupChannel{Group: slapdtest.StaffDN, Channel: sales}) {
		t.Fatalf("stored: %+v", d)
	}
	sealed := d.Secret
	if sealed == "" || strings.Contains(sealed, slapdtest.ServicePassword) {
		t.Fatalf("the service password is not sealed: %q", sealed)
	}

	// Read back: every setting in its field, the password only said to be
	// stored, never in the page, sealed or not.
	body := boss.get("/admin/directory").Body
	for _, want := range []string{
		`value="` + ldap.URL + `"`, `value="` + slapdtest.ServiceDN + `"`, `value="` + slapdtest.BaseDN + `"`,
		`value="` + slapdtest.AdminsDN + `"`, `value="` + slapdtest.DisabledFilter + `"`,
		`value="cn=&lt;b&gt;auditors&lt;/b&gt;,ou=groups,dc=office,dc=test"`,
		`name="security" value="starttls" checked`, `name="dialect" value="openldap" checked`, `name="on" value="yes" checked`,
		`placeholder="(objectClass=inetOrgPerson)"`, `placeholder="uid"`, `placeholder="cn"`,
		"#sales " + slapdtest.StaffDN, "-----BEGIN CERTIFICATE-----",
		"A password is stored. Leave empty to keep it.", "Stored, sealed",
		`action="/admin/directory/test"`, `action="/admin/directory/sync"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, slapdtest.ServicePassword) || strings.Contains(body, sealed) || strings.Contains(body, "<b>auditors") {
		t.Fatalf("the page shows the password, its seal or unescaped markup")
	}
	if m := regexp.MustCompile(`<input[^>]*name="bind_password"[^>]*>`).FindString(body); m == "" || strings.Contains(m, "value=") {
		t.Fatalf("the password field: %q", m)
	}
	if n := strings.Count(body, `name="csrf" value="`+boss.csrf+`"`); n < 4 {
		t.Fatalf("%d forms carry the token, want the settings, test, sync and sign-out", n)
	}

	// Saved again with the password left empty: the stored one is kept,
	// and it still opens the directory.
	form.Del("bind_password")
	boss.mustPost("/admin/directory", form)
	if got := st.Directory().Secret; got != sealed {
		t.Fatalf("an empty password field changed the stored one")
	}
	p = boss.mustPost("/admin/directory/test", nil)
	if got := flashOf(p.Body, "ok"); got != "Connected: 4 people and 3 groups found." {
		t.Fatalf("test with the kept password: %q / %q", got, flashOf(p.Body, "error"))
	}

	// A new password is sealed anew and never shown either.
	const changed = "a-New-Service-pass-77"
	form.Set("bind_password", changed)
	p = boss.mustPost("/admin/directory", form)
	after := st.Directory().Secret
	if after == "" || after == sealed || strings.Contains(after, changed) {
		t.Fatalf("the changed password is not sealed anew: %q", after)
	}
	if strings.Contains(p.Body, changed) || strings.Contains(p.Body, after) {
		t.Fatalf("the page shows the changed password")
	}
	entries, _, err := st.AuditLog(0, 100, func(e archive.AuditEntry) bool { return e.Action == "directory.save" })
	if err != nil || len(entries) != 3 || !strings.Contains(entries[0].Detail, "new service account password (not recorded)") {
		t.Fatalf("audit: %v %+v", err, entries)
	}
	all, _, err := st.AuditLog(0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if strings.Contains(e.Detail+e.Target, changed) || strings.Contains(e.Detail+e.Target, slapdtest.ServicePassword) {
			t.Fatalf("the audit log holds a password: %+v", e)
		}
	}
}

func TestDirectoryProblemsBesideTheirFields(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	bad := url.Values{
		"on": {"yes"}, "dialect": {"openldap"}, "url": {"https://dc1.office.lan"}, "security": {"ldaps"},
		"bind_dn": {"inhouse service"}, "bind_password": {""}, "base_dn": {""},
		"filter": {"(objectClass=inetOrgPerson"}, "disabled_filter": {"employeeType=disabled)"},
		"user_attr": {"u(id"}, "ca": {"not a certificate"},
		"channel_groups": {"#nowhere cn=staff,ou=groups,dc=office,dc=test"},
	}
	p := boss.post("/admin/directory", bad, nil)
	if p.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400:\n%s", p.Status, excerpt(p.Body))
	}
	got := fieldProblems(p.Body)
	for field, want := range map[string]string{
		"url":             "must start with ldap:// or ldaps://",
		"ca":              "not a PEM certificate",
		"bind_dn":         "is not a DN",
		"bind_password":   "Enter the service account's password.",
		"base_dn":         "Enter the base DN",
		"filter":          "is not an LDAP filter",
		"disabled_filter": "filter for disabled people",
		"user_attr":       "is not an attribute name",
		"channel_groups":  "#nowhere",
	} {
		if !strings.Contains(got[field], want) {
			t.Errorf("beside %s: %q, want %q", field, got[field], want)
		}
	}
	if len(got) != 9 {
		t.Errorf("problems: %v", got)
	}
	if !strings.Contains(p.Body, "9 fields need your attention") {
		t.Errorf("the form's heading does not count the problems")
	}
	// What was typed stays; nothing is stored.
	for _, want := range []string{`value="https://dc1.office.lan"`, `value="inhouse service"`, `value="u(id"`, "#nowhere cn=staff", `name="dialect" value="openldap" checked`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the form lost %q", want)
		}
	}
	if d := ts.Store().Directory(); d.URL != "" || d.On {
		t.Fatalf("refused settings were stored: %+v", d)
	}

	// A typed password is not sent back: the page asks for it again.
	bad.Set("bind_password", "typed-Secret-1")
	p = boss.post("/admin/directory", bad, nil)
	if p.Status != 400 || strings.Contains(p.Body, "typed-Secret-1") || !strings.Contains(p.Body, "Type the password again") {
		t.Fatalf("a typed password after a refusal: %d", p.Status)
	}
	if problemBeside(p.Body, "bind_password") != "" {
		t.Fatalf("a typed password is still said to be missing: %q", problemBeside(p.Body, "bind_password"))
	}

	// An unknown kind of directory is the kind's problem, not the
	// attributes' it would have given defaults to.
	bad = url.Values{"on": {"yes"}, "dialect": {"novell"}, "url": {"ldaps://dc1.office.lan"}, "security": {"ldaps"},
		"bind_dn": {"cn=inhouse,dc=office,dc=lan"}, "bind_password": {"x"}, "base_dn": {"dc=office,dc=lan"}}
	p = boss.post("/admin/directory", bad, nil)
	got = fieldProblems(p.Body)
	if p.Status != 400 || !strings.Contains(got["dialect"], "Active Directory or OpenLDAP") || len(got) != 1 {
		t.Fatalf("an unknown kind: %d %v", p.Status, got)
	}
}

func TestDirectoryPlainNeedsTheTick(t *testing.T) {
	ts := start(t)
	st := ts.Store()
	boss := signIn(t, ts, "boss")
	ldap := slapdtest.Start(t, directory.OpenLDAP)
	form := directoryForm(ldap)
	form.Set("security", "plain")
	form.Del("ca")

	p := boss.post("/admin/directory", form, nil)
	got := fieldProblems(p.Body)
	if p.Status != 400 || !strings.Contains(got["plain_ok"], "cross the network in clear") || len(got) != 1 {
		t.Fatalf("plain without the tick: %d %v", p.Status, got)
	}
	if st.Directory().URL != "" {
		t.Fatalf("plain without the tick was stored")
	}
	// A certificate that would never be checked is refused beside it.
	form.Set("plain_ok", "yes")
	form.Set("ca", ldap.CA)
	p = boss.post("/admin/directory", form, nil)
	if got := fieldProblems(p.Body); p.Status != 400 || !strings.Contains(got["ca"], "uses no TLS") || len(got) != 1 {
		t.Fatalf("plain with a certificate: %d %v", p.Status, got)
	}

	form.Del("ca")
	p = boss.mustPost("/admin/directory", form)
	if d := st.Directory(); !d.Plain || d.StartTLS {
		t.Fatalf("plain with the tick: %+v", d)
	}
	const clear = "Passwords cross the network in clear"
	if !strings.Contains(p.Body, `id="directory-plain"`) || !strings.Contains(p.Body, clear) ||
		!strings.Contains(p.Body, `name="security" value="plain" checked`) || !strings.Contains(p.Body, `name="plain_ok" value="yes" checked`) {
		t.Fatalf("the Directory page does not keep saying it:\n%s", excerpt(p.Body))
	}
	dash := boss.get("/admin").Body
	if m := regexp.MustCompile(`(?s)<li class="flash flash-warn" id="directory-plain">.*?</li>`).FindString(dash); !strings.Contains(m, clear) {
		t.Fatalf("the dashboard does not say it in amber:\n%s", excerpt(dash))
	}
	// Saved again with StartTLS, the warning goes.
	form.Set("security", "starttls")
	form.Del("plain_ok")
	form.Set("ca", ldap.CA)
	boss.mustPost("/admin/directory", form)
	if strings.Contains(boss.get("/admin").Body, clear) || strings.Contains(boss.get("/admin/directory").Body, `id="directory-plain"`) {
		t.Fatalf("still in clear after StartTLS")
	}
}

func TestDirectoryTestTheConnection(t *testing.T) {
	for _, dialect := range []directory.Dialect{directory.OpenLDAP, directory.AD} {
		t.Run(string(dialect), func(t *testing.T) {
			ts := start(t)
			boss := signIn(t, ts, "boss")
			ldap := slapdtest.Start(t, dialect)
			form := directoryForm(ldap)
			form.Del("on") // a test needs the settings saved, not in use
			boss.mustPost("/admin/directory", form)
			p := boss.mustPost("/admin/directory/test", nil)
			if got := flashOf(p.Body, "ok"); got != "Connected: 4 people and 3 groups found." {
				t.Fatalf("test: %q / %q", got, flashOf(p.Body, "error"))
			}

			form.Set("bind_password", "not-the-Service-password")
			boss.mustPost("/admin/directory", form)
			p = boss.mustPost("/admin/directory/test", nil)
			if got := flashOf(p.Body, "error"); !strings.HasPrefix(got, "The test stopped at the service account: ") || flashOf(p.Body, "ok") != "" {
				t.Fatalf("a wrong service password: %q", got)
			}
			// Wrong, but the directory answered: no "not answering".
			if strings.Contains(boss.get("/admin").Body, "has not answered") {
				t.Fatalf("a wrong password counts as the directory not answering")
			}
		})
	}
}

func TestDirectoryTestNeedsSavedSettings(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	p := boss.mustPost("/admin/directory/test", nil)
	if got := flashOf(p.Body, "error"); !strings.Contains(got, "nothing to test yet") {
		t.Fatalf("test before saving: %q", got)
	}
	p = boss.mustPost("/admin/directory/sync", nil)
	if got := flashOf(p.Body, "error"); !strings.Contains(got, "not in use") {
		t.Fatalf("sync before saving: %q", got)
	}
	// Members and auditors may not, and a post from elsewhere changes nothing.
	ts.AddUser("audra", "auditor")
	for _, who := range []string{"mia", "audra"} {
		b := signIn(t, ts, who)
		if p := b.post("/admin/directory", url.Values{"url": {"ldaps://x"}}, nil); p.Status != http.StatusForbidden {
			t.Fatalf("%s saves the directory: %d", who, p.Status)
		}
		if p := b.get("/admin/directory"); p.Status != http.StatusForbidden {
			t.Fatalf("%s opens the directory: %d", who, p.Status)
		}
	}
	if p := boss.post("/admin/directory", url.Values{"url": {"ldaps://x"}, "csrf": {"forged"}}, nil); p.Status != http.StatusForbidden {
		t.Fatalf("a forged post: %d", p.Status)
	}
	if ts.Store().Directory().URL != "" {
		t.Fatalf("a refused post was stored")
	}
}

// directorySignIn signs a directory person in through the API.
func directorySignIn(t *testing.T, ts *servertest.Server, name, password string) int {
	t.Helper()
	return ts.NewClient().Do("POST", "/api/login", map[string]string{"username": name, "password": password}, nil)
}

func TestDirectorySyncNow(t *testing.T) {
	ts := start(t)
	st := ts.Store()
	boss := signIn(t, ts, "boss")
	ldap := slapdtest.Start(t, directory.OpenLDAP)
	boss.mustPost("/admin/directory", directoryForm(ldap))
	if dash := textOf(boss.get("/admin").Body); !strings.Contains(dash, "In use · last sync none since Inhouse started") {
		t.Fatalf("the dashboard's directory line before a sync:\n%s", excerpt(dash))
	}
	for name, pw := range map[string]string{"ana": slapdtest.AnaPassword, "dan": slapdtest.DanPassword} {
		if st := directorySignIn(t, ts, name, pw); st != 200 {
			t.Fatalf("%s signs in with the directory: %d", name, st)
		}
	}
	if u, err := st.User("ana"); err != nil || u.Role != archive.RoleAdmin || u.Directory == "" {
		t.Fatalf("ana after her first sign-in: %+v %v", u, err)
	}
	ldap.Modify(t, "dn: "+ldap.PersonDN("dan")+"\nchangetype: modify\nadd: employeeType\nemployeeType: disabled\n")

	p := boss.mustPost("/admin/directory/sync", nil)
	if got := flashOf(p.Body, "ok"); got != "Read 4 people: 1 disabled." {
		t.Fatalf("sync: %q / %q", got, flashOf(p.Body, "error"))
	}
	if u, _ := st.User("dan"); !u.Disabled {
		t.Fatalf("dan is not disabled after the sync")
	}
	if u, _ := st.User("ana"); u.Disabled {
		t.Fatalf("ana was disabled")
	}
	if !strings.Contains(textOf(p.Body), "Last sync") || strings.Contains(p.Body, "None since Inhouse started") {
		t.Fatalf("the page does not show the last sync")
	}
	p = boss.mustPost("/admin/directory/sync", nil)
	if got := flashOf(p.Body, "ok"); got != "Read 4 people: nobody disabled." {
		t.Fatalf("a second sync: %q", got)
	}
	if dash := textOf(boss.get("/admin").Body); !strings.Contains(dash, "Directory In use · last sync") || strings.Contains(dash, "none since") {
		t.Fatalf("the dashboard's directory line after a sync:\n%s", dash)
	}

	// The directory gone: the sync says so and changes nothing.
	ldap.Stop()
	p = boss.mustPost("/admin/directory/sync", nil)
	if got := flashOf(p.Body, "error"); !strings.HasPrefix(got, "Nothing was changed. The office directory is not answering.") {
		t.Fatalf("sync with the directory gone: %q", got)
	}
	if u, _ := st.User("ana"); u.Disabled {
		t.Fatalf("ana was disabled while the directory was gone")
	}
}

func TestDirectoryDownOnTheDashboard(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	ldap := slapdtest.Start(t, directory.OpenLDAP)
	boss.mustPost("/admin/directory", directoryForm(ldap))
	if p := boss.mustPost("/admin/directory/test", nil); flashOf(p.Body, "ok") == "" {
		t.Fatalf("test: %q", flashOf(p.Body, "error"))
	}
	const down = "The directory has not answered since"
	if dash := boss.get("/admin").Body; strings.Contains(dash, down) || !strings.Contains(dash, `href="/admin/directory">In use</a>`) {
		t.Fatalf("the dashboard while the directory answers:\n%s", excerpt(dash))
	}

	// Stopped: a directory person's sign-in finds it gone.
	ldap.Stop()
	if st := directorySignIn(t, ts, "ana", slapdtest.AnaPassword); st == 200 {
		t.Fatalf("ana signed in with the directory gone")
	}
	dash := boss.get("/admin").Body
	m := regexp.MustCompile(`(?s)<li class="flash flash-warn" id="directory-down">.*?</li>`).FindString(dash)
	if !strings.Contains(textOf(m), down) || !strings.Contains(m, "<time datetime=") || !strings.Contains(textOf(m), "nothing is listening") ||
		!strings.Contains(m, `href="/admin/directory"`) || strings.Contains(dash, "All is well") {
		t.Fatalf("the dashboard with the directory gone:\n%s", textOf(m))
	}
	if !strings.Contains(textOf(boss.get("/admin/directory").Body), down) {
		t.Fatalf("the Directory page does not say it")
	}
	// Test the connection says the same in its words.
	p := boss.mustPost("/admin/directory/test", nil)
	if got := flashOf(p.Body, "error"); !strings.HasPrefix(got, "The test stopped at the address: Cannot connect to") {
		t.Fatalf("test with the directory gone: %q", got)
	}

	// Back: a test that connects clears the warning.
	ldap.Restart()
	boss.mustPost("/admin/directory/test", nil)
	if dash := boss.get("/admin").Body; strings.Contains(dash, down) {
		t.Fatalf("the warning stays after the directory came back")
	}
}
