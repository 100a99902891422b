package admin_test

import (
	"html"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"inhouse/admin"
	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/rules"
	"inhouse/server/servertest"
)

// busyOffice is an office in use: people of every role (one disabled,
// one who never accepted the policy), channels (one archived) with a
// little history, a direct conversation, flags open and resolved, a saved
// policy, failed sign-ins, a backup and a failing daily backup. Pages show
// most of what they can show.
func busyOffice(t *testing.T) *servertest.Server {
	t.Helper()
	ts := start(t)
	st := ts.Store()
	ts.AddUser("audra", "auditor")
	ts.AddUser("ben", "member")
	ts.AddUser("cleo", "member")
	general := channelID(t, ts, "general", "mia", "boss", "ben")
	old := channelID(t, ts, "old-news", "mia")
	say(t, ts, archive.Post{Channel: general, From: "boss", Text: "good morning"})
	typo := say(t, ts, archive.Post{Channel: general, From: "mia", Text: "invoice 42 is lost"})
	say(t, ts, archive.Post{Channel: general, From: "mia", Text: "invoice 42 is paid", Kind: archive.KindEdit, Ref: typo.Seq})
	gone := say(t, ts, archive.Post{Channel: general, From: "ben", Text: "wrong channel"})
	say(t, ts, archive.Post{Channel: general, From: "ben", Kind: archive.KindDelete, Ref: gone.Seq})
	say(t, ts, archive.Post{Channel: old, From: "mia", Text: "old invoice"})
	ts.Login("mia").DM("ben")
	for i, action := range []string{rules.ActionFlag, rules.ActionMask} {
		if err := st.AddFlag(archive.Flag{Channel: general, User: "mia", RuleIDs: []string{"emails"}, Action: action, Excerpt: "write to ••••"}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := st.ResolveFlag(1, "boss"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := st.SetPolicy("Use it for work.", "Conversations are archived."); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"boss", "mia", "ben", "audra"} {
		if err := st.AcceptPolicy(name, st.Policy().Version); err != nil {
			t.Fatal(err)
		}
	}
	boss := signIn(t, ts, "boss")
	boss.mustPost("/admin/channels/"+old+"/archive", nil)
	boss.mustPost("/admin/people/ben/disable", nil)
	if err := st.SetLastBackup(time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.SetBackupSchedule(archive.BackupSchedule{Dir: filepath.Join(t.TempDir(), "nightly"), Keep: 7, LastError: "the disk is full"}); err != nil {
		t.Fatal(err)
	}
	ts.NewClient().Do("POST", "/api/login", map[string]string{"username": "cleo", "password": "not the password"}, nil)
	return ts
}

var hrefRE = regexp.MustCompile(`href="(/admin[^"#]*)`)

// skipPages leaves out links that download or only sort again.
var skipPages = regexp.MustCompile(`download|\.csv|export|/logout|[?&](sort|dir|before)=`)

// crawl opens the given pages and every console page they link to, and
// calls visit with each. It returns how many it opened.
func crawl(b *browser, visit func(path string, p page), from ...string) int {
	b.t.Helper()
	queue, seen := append([]string{}, from...), map[string]bool{}
	for len(queue) > 0 && len(seen) < 150 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		p := b.get(path)
		visit(path, p)
		for _, m := range hrefRE.FindAllStringSubmatch(p.Body, -1) {
			next := html.UnescapeString(m[1])
			if !seen[next] && !skipPages.MatchString(next) {
				queue = append(queue, next)
			}
		}
	}
	return len(seen)
}

// inlineTags are the elements a browser runs into the text around them:
// no line break, and no space unless the page has one.
var inlineTags = map[string]bool{
	"a": true, "abbr": true, "b": true, "button": true, "code": true, "em": true, "i": true,
	"kbd": true, "label": true, "mark": true, "small": true, "span": true, "strong": true,
	"time": true, "svg": true, "path": true, "circle": true, "rect": true, "line": true, "g": true,
	"input": true,
}

var tagRE = regexp.MustCompile(`(?s)<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)

// gluedText finds the places in a page where two words run together
// because an inline element starts or ends between them with no space:
// "saved<time>5 Dec</time>" reads "saved5 Dec". Each finding shows the
// text around the join, with a "|" where the space is missing.
func gluedText(page string) []string {
	if i := strings.Index(page, "<body"); i >= 0 {
		page = page[i:]
	}
	var found []string
	left := ""      // the text since the last block boundary
	joined := false // an inline tag came since the last text
	skip := ""      // inside an element whose text nobody reads inline
	last := 0
	text := func(s string) {
		s = html.UnescapeString(s)
		if s == "" {
			return
		}
		if joined && left != "" && wordEnd(left) && wordStart(s) {
			found = append(found, tail(left, 30)+"|"+head(s, 30))
		}
		left += s
		joined = false
	}
	for _, m := range tagRE.FindAllStringSubmatchIndex(page, -1) {
		if skip == "" {
			text(page[last:m[0]])
		}
		last = m[1]
		if m[4] < 0 {
			continue // a comment
		}
		closing, name := page[m[2]:m[3]] == "/", strings.ToLower(page[m[4]:m[5]])
		switch {
		case skip != "":
			if closing && name == skip {
				skip = ""
			}
		case name == "script" || name == "style" || name == "title" || name == "desc" || name == "text" || name == "textarea":
			if !closing {
				skip = name
			}
			left, joined = "", false
		case inlineTags[name]:
			joined = true
		default:
			left, joined = "", false
		}
	}
	return found
}

func wordEnd(s string) bool {
	r := []rune(s)
	c := r[len(r)-1]
	return unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune(".,:;)!?·”", c)
}

func wordStart(s string) bool {
	c := []rune(s)[0]
	return unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("(·“#", c)
}

func tail(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

func head(s string, n int) string {
	r := []rune(s)
	return string(r[:min(len(r), n)])
}

// plainText is a page's text as a reader sees it: tags removed, a line
// break (here a space) at each block, white space collapsed.
func plainText(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	page = regexp.MustCompile(`(?s)<(script|style|title|desc)\b.*?</(script|style|title|desc)>`).ReplaceAllString(page, "")
	page = tagRE.ReplaceAllStringFunc(page, func(tag string) string {
		if m := tagRE.FindStringSubmatch(tag); m[2] != "" && inlineTags[strings.ToLower(m[2])] {
			return ""
		}
		return " "
	})
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

// TestConsoleTextKeepsItsSpaces: where a date, a link or a badge follows a
// word, the page's text has a space between them (templ drops the line
// break before an element or a component), on every page each role sees.
func TestConsoleTextKeepsItsSpaces(t *testing.T) {
	ts := busyOffice(t)
	from := map[string][]string{
		"boss":  {"/admin", "/admin/backups", "/admin/reports?days=7", "/admin/review?show=all", "/admin/people/ben", "/admin/people/cleo"},
		"audra": {"/admin/archive", "/admin/archive?search=1&q=invoice", "/admin/review?show=all"},
		"mia":   {"/admin/reach"},
	}
	for who, start := range from {
		n := crawl(signIn(t, ts, who), func(path string, p page) {
			if g := gluedText(p.Body); len(g) > 0 {
				t.Errorf("%s GET %s: words run together at %q", who, path, g)
			}
		}, start...)
		if n < len(start) {
			t.Fatalf("%s: the crawl saw %d pages", who, n)
		}
	}

	// The places the issue names, as the text reads.
	boss := signIn(t, ts, "boss")
	want := map[string]*regexp.Regexp{
		"/admin":                regexp.MustCompile(`Running since \d+ \w+ \d{4} \d\d:\d\d · up `),
		"/admin/reports?days=7": regexp.MustCompile(`Period: last 7 days last 30 days last 90 days last 365 days`),
		"/admin/backups":        regexp.MustCompile(`keeping the newest 7 files\. Next about \d+ \w+`),
		"/admin/policy":         regexp.MustCompile(`· saved \d+ \w+ \d{4} \d\d:\d\d · `),
		"/admin/people":         regexp.MustCompile(`Edit Mia Disable Mia`),
	}
	for path, re := range want {
		if text := plainText(boss.get(path).Body); !re.MatchString(text) {
			t.Errorf("GET %s: the text does not read %q:\n%s", path, re, text)
		}
	}
}

// rowOf is the plain text of the table row that names who.
func rowOf(t *testing.T, body, who string) string {
	t.Helper()
	for _, tr := range regexp.MustCompile(`(?s)<tr\b.*?</tr>`).FindAllString(body, -1) {
		if strings.Contains(tr, `<span class="id">`+who+`</span>`) {
			return plainText(tr)
		}
	}
	t.Fatalf("no row for %s", who)
	return ""
}

// TestPolicyLedgerSaysNeverOnce: a person who never accepted the policy
// has one "Never accepted", not "Never" as the version and "never" as the
// time.
func TestPolicyLedgerSaysNeverOnce(t *testing.T) {
	ts := busyOffice(t)
	boss := signIn(t, ts, "boss")
	for _, path := range []string{"/admin/policy", "/admin/policy?show=pending"} {
		row := rowOf(t, boss.get(path).Body, "cleo")
		if n := strings.Count(strings.ToLower(row), "never"); n != 1 || !strings.Contains(row, "Never accepted") {
			t.Errorf("GET %s: Cleo's row reads %q, want one “Never accepted”", path, row)
		}
	}
	if row := rowOf(t, boss.get("/admin/policy").Body, "mia"); !regexp.MustCompile(`Mia mia 2 \(current\) \d+ \w+ \d{4}`).MatchString(row) {
		t.Errorf("Mia's row reads %q, want the version and when", row)
	}
}

// TestSignInLandsWhereTheRoleMayLook: after signing in at /admin/login,
// and when opening /admin, an auditor lands on the archive and a member on
// the messenger check (the one console page members may open), not on a
// refusal; a page asked for by name is still where the form goes.
func TestSignInLandsWhereTheRoleMayLook(t *testing.T) {
	ts := start(t)
	ts.AddUser("audra", "auditor")
	for who, home := range map[string]string{"boss": "/admin", "audra": "/admin/archive", "mia": "/admin/reach"} {
		for _, next := range []string{"", "/admin"} {
			b := signedOut(t, ts)
			jarClient(b)
			form := map[string][]string{"username": {who}, "password": {servertest.Password}}
			if next != "" {
				form["next"] = []string{next}
			}
			p := b.post("/admin/login", form, nil)
			if p.Status != 303 || p.Location != home {
				t.Fatalf("%s signs in (next %q): %d to %q, want %q", who, next, p.Status, p.Location, home)
			}
			if p := b.get(home); p.Status != 200 {
				t.Fatalf("%s GET %s: %d", who, home, p.Status)
			}
			p = b.get("/admin")
			if who == "boss" {
				if p.Status != 200 || !strings.Contains(p.Body, "Messages per day") {
					t.Fatalf("the manager's /admin: %d", p.Status)
				}
			} else if p.Status != 303 || p.Location != home {
				t.Fatalf("%s GET /admin: %d to %q, want %q", who, p.Status, p.Location, home)
			}
		}
	}
	// A page asked for by name stays the destination.
	b := signedOut(t, ts)
	jarClient(b)
	if p := b.post("/admin/login", map[string][]string{"username": {"audra"}, "password": {servertest.Password}, "next": {"/admin/review"}}, nil); p.Status != 303 || p.Location != "/admin/review" {
		t.Fatalf("auditor with next=/admin/review: %d to %q", p.Status, p.Location)
	}
	// Signed out, /admin still asks to sign in first.
	if p := signedOut(t, ts).get("/admin"); p.Status != 303 || !strings.HasPrefix(p.Location, "/admin/login") {
		t.Fatalf("signed out /admin: %d to %q", p.Status, p.Location)
	}
}

// freshOffice is a new office: its one office manager, "boss", who has
// signed in to the console only (never the chat, so never accepted the
// policy).
func freshOffice(t *testing.T) (*servertest.Server, *browser) {
	t.Helper()
	ts := servertest.StartWith(t, func(s *server.Server) { s.Mount("/admin", admin.New(s).Handler()) })
	ts.AddUser("boss", "admin")
	b := signedOut(t, ts)
	jarClient(b)
	if p := b.post("/admin/login", url.Values{"username": {"boss"}, "password": {servertest.Password}}, nil); p.Status != 303 {
		t.Fatalf("sign in: %d", p.Status)
	}
	home := b.get("/admin")
	b.csrf = csrfOf(t, home.Body)
	return ts, b
}

var stepRE = regexp.MustCompile(`(?s)<li class="step( done)?" id="step-(\w+)">(.*?)</li>`)

// steps reads the dashboard's first steps: which are done, and each one's
// text; nil when the dashboard shows none.
func steps(t *testing.T, body string) map[string]bool {
	t.Helper()
	found := stepRE.FindAllStringSubmatch(body, -1)
	if len(found) == 0 {
		return nil
	}
	done := map[string]bool{}
	for _, m := range found {
		done[m[2]] = m[1] != ""
		text := plainText(m[3])
		if word := map[bool]string{true: "Done", false: "Not done yet"}[done[m[2]]]; !strings.HasSuffix(text, word) {
			t.Fatalf("step %s reads %q, want it to end %q", m[2], text, word)
		}
	}
	return done
}

// TestNewOfficeDashboardShowsFirstSteps: a new office's dashboard does not
// tell its manager to accept a policy they never saw; it lists three first
// steps (add people, check the usage policy, make a backup), ticks each
// when it is done and goes back to the usual dashboard once all are.
func TestNewOfficeDashboardShowsFirstSteps(t *testing.T) {
	ts, boss := freshOffice(t)
	want := func(people, policy, backup bool) page {
		t.Helper()
		p := boss.get("/admin")
		got := steps(t, p.Body)
		if exp := map[string]bool{"people": people, "policy": policy, "backup": backup}; !maps.Equal(got, exp) {
			t.Fatalf("first steps %v, want %v:\n%s", got, exp, excerpt(p.Body))
		}
		return p
	}
	p := want(false, false, false)
	for _, link := range []string{`href="/admin/people/new"`, `href="/admin/policy"`, `href="/admin/backups"`} {
		if !strings.Contains(p.Body, link) {
			t.Fatalf("the first steps do not link %s", link)
		}
	}
	text := plainText(p.Body)
	for _, not := range []string{"accept the current usage policy", "There is no backup yet", "All is well"} {
		if strings.Contains(text, not) {
			t.Fatalf("a new office's dashboard says %q:\n%s", not, text)
		}
	}

	boss.mustPost("/admin/people/new", url.Values{"display": {"Ana Ruiz"}, "name": {"ana"}, "role": {"member"}})
	want(true, false, false)
	if p := boss.get("/admin/policy"); p.Status != 200 {
		t.Fatalf("policy page: %d", p.Status)
	}
	want(true, true, false)
	if e := lastAudit(t, ts); e.Action != "policy.read" || e.Actor != "boss" {
		t.Fatalf("reading the policy was not recorded: %+v", e)
	}
	boss.get("/admin/policy")
	if n := countAudit(t, ts, "policy.read"); n != 1 {
		t.Fatalf("reading the policy again was recorded again: %d entries", n)
	}
	if p := boss.post("/admin/backups/now", nil, nil); p.Status != 200 {
		t.Fatalf("backup: %d", p.Status)
	}
	p = boss.get("/admin")
	if s := steps(t, p.Body); s != nil {
		t.Fatalf("all steps done, still shown: %v", s)
	}
	// Back to the usual dashboard: Ana has not accepted the policy yet.
	if !strings.Contains(p.Body, "still must accept the current usage policy") {
		t.Fatalf("the usual warnings are back:\n%s", excerpt(p.Body))
	}

	// A policy saved once counts as checked, without a reading.
	ts2, boss2 := freshOffice(t)
	if _, err := ts2.Store().SetPolicy("Our own words.", "Archived."); err != nil {
		t.Fatal(err)
	}
	if got := steps(t, boss2.get("/admin").Body); !maps.Equal(got, map[string]bool{"people": false, "policy": true, "backup": false}) {
		t.Fatalf("after saving the policy: %v", got)
	}
}

func countAudit(t *testing.T, ts *servertest.Server, action string) int {
	t.Helper()
	entries, _, err := ts.Store().AuditLog(0, 1000, func(e archive.AuditEntry) bool { return e.Action == action })
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
