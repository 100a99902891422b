package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/servertest"
)

// channelID makes a channel through the store and returns its id.
func channelID(t *testing.T, ts *servertest.Server, name string, members ...string) string {
	t.Helper()
	c, err := ts.Store().CreateGroupChannel(archive.NewChannel{Name: name, Creator: "boss", Members: members})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// consolePages lists every GET page with a word it must show an admin.
func consolePages(chID string) map[string]string {
	return map[string]string{
		"/admin":                                  "Messages per day",
		"/admin/people":                           "Add a person",
		"/admin/people/new":                       "User name",
		"/admin/people/mia":                       "Sign out everywhere",
		"/admin/people/mia/disable":               "Disable Mia?",
		"/admin/people/mia/reset":                 "Reset the password of Mia?",
		"/admin/people/mia/signout":               "Sign Mia out everywhere?",
		"/admin/channels":                         "Create a channel",
		"/admin/channels/new":                     "Who can see it",
		"/admin/channels/" + chID:                 "Add people",
		"/admin/channels/" + chID + "/archive":    "Archive #general?",
		"/admin/channels/" + chID + "/remove/mia": "Remove Mia from #general?",
		"/admin/policy":                           "Who accepted",
		"/admin/settings":                         "Allowed networks",
		"/admin/directory":                        "Service account password",
		"/admin/audit":                            "Nobody can change or delete",
		"/admin/firewall":                         "WhatsApp",
		"/admin/password":                         "New password",
	}
}

func TestEveryPageForAdminsOnly(t *testing.T) {
	ts := start(t)
	chID := channelID(t, ts, "general", "mia")
	boss, mia, anon := signIn(t, ts, "boss"), signIn(t, ts, "mia"), signedOut(t, ts)
	ts.AddUser("audra", "auditor")
	auditor := signIn(t, ts, "audra")
	for path, want := range consolePages(chID) {
		p := boss.get(path)
		if p.Status != 200 || !strings.Contains(p.Body, want) {
			t.Fatalf("admin GET %s: status %d, want 200 with %q:\n%s", path, p.Status, want, excerpt(p.Body))
		}
		if ct := p.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: content type %q", path, ct)
		}
		if path == "/admin/password" {
			continue // every role may change its own password
		}
		if path == "/admin" {
			continue // other roles go to their own page: TestSignInLandsWhereTheRoleMayLook
		}
		for who, b := range map[string]*browser{"member": mia, "auditor": auditor} {
			if p := b.get(path); p.Status != http.StatusForbidden || strings.Contains(p.Body, want) {
				t.Fatalf("%s GET %s: status %d, want 403 without the page", who, path, p.Status)
			}
		}
		p = anon.get(path)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/login?next=") {
			t.Fatalf("signed-out GET %s: status %d to %q, want 303 to the sign-in form", path, p.Status, p.Location)
		}
	}
	// The CSP allows no inline script or style: the pages use none.
	for path := range consolePages(chID) {
		body := boss.get(path).Body
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
			t.Fatalf("GET %s has inline script or style", path)
		}
	}
	if p := boss.get("/admin/nothing-here"); p.Status != 404 {
		t.Fatalf("unknown page: %d", p.Status)
	}
}

func TestFormPostsNeedTokenAndSameOrigin(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	form := func() url.Values {
		return url.Values{"display": {"Eve Forged"}, "name": {"eve"}, "role": {"admin"}}
	}
	for name, tc := range map[string]struct {
		token   string
		headers map[string]string
	}{
		"no token":            {"", nil},
		"wrong token":         {"not-the-token", nil},
		"other origin":        {boss.csrf, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": ""}},
		"cross-site fetch":    {boss.csrf, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		"same-site subdomain": {boss.csrf, map[string]string{"Sec-Fetch-Site": "same-site"}},
	} {
		f := form()
		f.Set("csrf", tc.token)
		p := boss.post("/admin/people/new", f, tc.headers)
		if p.Status != http.StatusForbidden {
			t.Fatalf("%s: status %d, want 403", name, p.Status)
		}
		if _, err := ts.Store().User("eve"); err == nil {
			t.Fatalf("%s: the person was created", name)
		}
	}
	// Other actions refuse too: disabling mia from another site.
	f := url.Values{"csrf": {boss.csrf}}
	if p := boss.post("/admin/people/mia/disable", f, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}); p.Status != 403 {
		t.Fatalf("cross-site disable: %d", p.Status)
	}
	if u, _ := ts.Store().User("mia"); u.Disabled {
		t.Fatalf("mia was disabled by a cross-site post")
	}
	// A member's valid token does not make them an admin.
	mia := signIn(t, ts, "mia")
	if p := mia.post("/admin/people/new", form(), nil); p.Status != 403 {
		t.Fatalf("member post: %d", p.Status)
	}
	// And the real thing works.
	boss.mustPost("/admin/people/new", form())
	if u, err := ts.Store().User("eve"); err != nil || u.Role != "admin" || !u.MustChange {
		t.Fatalf("created: %+v %v", u, err)
	}
}

func TestTypedNamesAreEscapedEverywhere(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	evil := `<script>alert(1)</script>`
	p := boss.mustPost("/admin/people/new", url.Values{"display": {evil}, "name": {"x"}, "role": {"member"}})
	if !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("the flash does not show the escaped name:\n%s", excerpt(p.Body))
	}
	chID := channelID(t, ts, "general", "mia", "x")
	boss.mustPost("/admin/channels/"+chID, url.Values{"name": {"general"}, "kind": {"private"}})
	boss.mustPost("/admin/settings", url.Values{"office": {evil}, "max_text": {"8000"}, "channels_by": {"everyone"}, "direct_by": {"everyone"},
		"max_file_mb": {"100"}, "files_space_gb": {"0"}, "files_by": {"everyone"}, "blocked_kinds": {"program", "script"},
		"editing": {"always"}, "edit_minutes": {"15"}, "mention_all_by": {"everyone"}, "mention_confirm": {"20"}})
	pages := consolePages(chID)
	for _, extra := range []string{"/admin/people/x", "/admin/people/x/disable", "/admin/channels/" + chID + "/remove/x", "/admin/people?q=" + url.QueryEscape(evil), "/admin/audit?q=" + url.QueryEscape(evil)} {
		pages[extra] = ""
	}
	for path := range pages {
		p := boss.get(path)
		if p.Status != 200 {
			t.Fatalf("GET %s: %d", path, p.Status)
		}
		if strings.Contains(p.Body, evil) || strings.Contains(p.Body, "<script>alert") {
			t.Fatalf("GET %s shows the name unescaped", path)
		}
		if !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Fatalf("GET %s does not show the (escaped) name or office at all", path)
		}
	}
	// The sign-in form shows the office name too.
	if p := signedOut(t, ts).get("/admin/login"); strings.Contains(p.Body, evil) || !strings.Contains(p.Body, "&lt;script&gt;") {
		t.Fatalf("sign-in page escaping")
	}
}

func TestPersonCreatedInConsoleCanSignIn(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	// Errors come back next to the fields, with what was typed kept.
	p := boss.post("/admin/people/new", url.Values{"display": {"Ana Ruiz"}, "name": {"Ana Ruiz!"}, "role": {"member"}, "password": {"short"}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-name"`) || !strings.Contains(p.Body, `id="e-password"`) || !strings.Contains(p.Body, `value="Ana Ruiz"`) || strings.Contains(p.Body, `value="short"`) {
		t.Fatalf("invalid form: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.mustPost("/admin/people/new", url.Values{"display": {"Ana Ruiz"}, "name": {"ana"}, "role": {"member"}})
	m := secretRE.FindStringSubmatch(p.Body)
	if m == nil || !strings.Contains(p.Body, "Ana Ruiz was added") {
		t.Fatalf("no one-time password in the flash:\n%s", excerpt(p.Body))
	}
	// Shown once only.
	if again := boss.get("/admin/people"); secretRE.MatchString(again.Body) {
		t.Fatalf("the one-time password was shown twice")
	}
	ana := ts.NewClient()
	var out map[string]any
	if st := ana.Do("POST", "/api/login", map[string]string{"username": "ana", "password": m[1]}, &out); st != 200 {
		t.Fatalf("sign-in with the one-time password: %d %v", st, out)
	}
	var me struct {
		MustChange bool `json:"must_change"`
	}
	ana.Do("GET", "/api/me", nil, &me)
	if !me.MustChange {
		t.Fatalf("must_change not set")
	}
	// Typing a duplicate user name says so next to the field.
	p = boss.post("/admin/people/new", url.Values{"display": {"Other Ana"}, "name": {"ana"}, "role": {"member"}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, "already has this user name") {
		t.Fatalf("duplicate: %d", p.Status)
	}
}

func TestDisabledPersonIsSignedOutAtOnce(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	mia := ts.Login("mia")
	ws := mia.Dial()
	if p := boss.get("/admin/people/mia/disable"); !strings.Contains(p.Body, "Disable Mia?") {
		t.Fatalf("confirmation page does not name the person")
	}
	boss.mustPost("/admin/people/mia/disable", nil)
	if st := mia.Do("GET", "/api/me", nil, nil); st != 401 {
		t.Fatalf("disabled person's session still works: %d", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := ws.ReadErr(time.Until(deadline))
		if err != nil && err.Error() != "no frame in time" {
			break // closed
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WebSocket stayed open")
		}
	}
	// The right password of a disabled account is refused and says so.
	if st := ts.NewClient().Do("POST", "/api/login", map[string]string{"username": "mia", "password": servertest.Password}, nil); st != 403 {
		t.Fatalf("a disabled person signed in: %d", st)
	}
	// Nobody can disable themselves.
	if p := boss.post("/admin/people/boss/disable", nil, nil); p.Status != 303 {
		t.Fatalf("self-disable: %d", p.Status)
	}
	if u, _ := ts.Store().User("boss"); u.Disabled {
		t.Fatalf("the admin disabled themselves")
	}
	// Enable again: the password works.
	boss.mustPost("/admin/people/mia/enable", nil)
	ts.Login("mia")
}

func TestResetPasswordAndSignOutEverywhere(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	ts.AddUser("sam", "admin")
	sam := signIn(t, ts, "sam")
	p := boss.mustPost("/admin/people/sam/reset", nil)
	m := secretRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no one-time password after reset:\n%s", excerpt(p.Body))
	}
	if p := sam.get("/admin"); p.Status != 303 || !strings.HasPrefix(p.Location, "/admin/login") {
		t.Fatalf("old session after reset: %d %s", p.Status, p.Location)
	}
	// Signing in with it leads to "change your password" first.
	sam = signedOut(t, ts)
	jarClient(sam)
	p = sam.post("/admin/login", url.Values{"username": {"sam"}, "password": {m[1]}, "next": {"/admin/people"}}, nil)
	if p.Status != 303 || p.Location != "/admin/people" {
		t.Fatalf("console sign-in: %d %q\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if p := sam.get("/admin/people"); p.Status != 303 || p.Location != "/admin/password" {
		t.Fatalf("must change first: %d %q", p.Status, p.Location)
	}
	sam.csrf = csrfOf(t, sam.get("/admin/password").Body)
	p = sam.post("/admin/password", url.Values{"current": {m[1]}, "new": {"a brand new office password"}, "repeat": {"a brand new office password"}}, nil)
	if p.Status != 303 {
		t.Fatalf("change password: %d\n%s", p.Status, excerpt(p.Body))
	}
	if p := sam.get("/admin/people"); p.Status != 200 {
		t.Fatalf("after the change: %d", p.Status)
	}

	// Sign out everywhere ends every session of that person.
	mia := ts.Login("mia")
	boss.mustPost("/admin/people/mia/signout", nil)
	if st := mia.Do("GET", "/api/me", nil, nil); st != 401 {
		t.Fatalf("session survived sign-out everywhere: %d", st)
	}
}

func TestConsoleSignIn(t *testing.T) {
	ts := start(t)
	b := signedOut(t, ts)
	jarClient(b)
	if p := b.get("/admin/login"); p.Status != 200 || !strings.Contains(p.Body, `action="/admin/login"`) {
		t.Fatalf("sign-in form: %d", p.Status)
	}
	if p := b.post("/admin/login", url.Values{"username": {"boss"}, "password": {"wrong password!!"}}, nil); p.Status != 401 || !strings.Contains(p.Body, `value="boss"`) {
		t.Fatalf("wrong password: %d", p.Status)
	}
	if p := b.post("/admin/login", url.Values{"username": {"boss"}, "password": {servertest.Password}}, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}); p.Status != 403 {
		t.Fatalf("cross-site sign-in: %d", p.Status)
	}
	// An outside "next" is not followed.
	p := b.post("/admin/login", url.Values{"username": {"boss"}, "password": {servertest.Password}, "next": {"//evil.example/x"}}, nil)
	if p.Status != 303 || p.Location != "/admin" {
		t.Fatalf("sign-in: %d %q", p.Status, p.Location)
	}
	if !strings.Contains(p.Header.Get("Set-Cookie"), "inhouse_session=") {
		t.Fatalf("no session cookie")
	}
	home := b.get("/admin")
	if home.Status != 200 {
		t.Fatalf("after sign-in: %d", home.Status)
	}
	// The same session works for the chat API.
	var me struct{ User struct{ Name string } }
	req, _ := http.NewRequest("GET", ts.URL+"/api/me", nil)
	res, err := b.http.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("shared session: %v %v", res, err)
	}
	res.Body.Close()
	_ = me
	b.csrf = csrfOf(t, home.Body)
	if p := b.post("/admin/logout", nil, nil); p.Status != 303 {
		t.Fatalf("sign out: %d", p.Status)
	}
	if p := b.get("/admin"); p.Status != 303 {
		t.Fatalf("still signed in after signing out: %d", p.Status)
	}
}

// An office manager cannot disable themselves, from the confirmation page
// or by posting its form; signing oneself out everywhere is allowed.
func TestManagerCannotDisableThemselves(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	if p := boss.get("/admin/people/boss/disable"); p.Status != http.StatusSeeOther || p.Location != "/admin/people/boss" {
		t.Fatalf("confirmation page for oneself: %d to %q", p.Status, p.Location)
	}
	p := boss.post("/admin/people/boss/disable", nil, nil)
	if p.Status != http.StatusSeeOther || p.Location != "/admin/people" {
		t.Fatalf("disabling oneself: %d to %q", p.Status, p.Location)
	}
	if p := boss.get(p.Location); !strings.Contains(p.Body, "You cannot do this to yourself") {
		t.Fatalf("no refusal shown:\n%s", excerpt(p.Body))
	}
	if u, err := ts.Store().User("boss"); err != nil || u.Disabled {
		t.Fatalf("the manager was disabled: %+v %v", u, err)
	}
	if p := boss.get("/admin/people/boss/signout"); p.Status != 200 || !strings.Contains(p.Body, "Sign") {
		t.Fatalf("signing oneself out everywhere is refused: %d", p.Status)
	}
}

// A person's page lists their failed sign-ins and which computers wait,
// and Lift the waits lets those computers try again at once.
func TestPersonPageShowsFailedSignInsAndUnlocks(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	guesser := signedOut(t, ts)
	for i := range 4 {
		guesser.post("/admin/login", url.Values{"username": {"mia"}, "password": {"wrong guess " + string(rune('a'+i))}}, nil)
	}
	p := boss.get("/admin/people/mia")
	for _, want := range []string{"Failed sign-ins", "<code>127.0.0.1</code>", "next try in", "Lift the waits"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("the person page lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	if c := ts.NewClient(); c.Do("POST", "/api/login", map[string]string{"username": "mia", "password": servertest.Password}, nil) != 429 {
		t.Fatal("the guessing computer was not slowed")
	}
	boss.mustPost("/admin/people/mia/unlock", nil)
	if c := ts.NewClient(); c.Do("POST", "/api/login", map[string]string{"username": "mia", "password": servertest.Password}, nil) != 200 {
		t.Fatal("after Lift the waits, Mia still cannot sign in")
	}
	if p := boss.get("/admin/audit"); !strings.Contains(p.Body, "Lifted the waits on signing in as Mia") {
		t.Fatalf("the unlock is not in the audit log:\n%s", excerpt(p.Body))
	}
}
