package e2e

// Issue 16, "The first hour": what a new employee, a person the office
// manager signs out, and a reader of long or right-to-left messages meet in
// their first hour with the web client.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/archive"
	"inhouse/server/servertest"
)

// addRole creates a person with role who has accepted the policy;
// mustChange: they signed in with a one-time password to replace.
func (e *env) addRole(name, role string, mustChange bool) {
	e.t.Helper()
	s := e.store()
	err := s.AddUser(archive.User{Name: name, Display: strings.ToUpper(name[:1]) + name[1:], Role: role, Hash: hashOnce(), MustChange: mustChange})
	if err != nil {
		e.t.Fatalf("add user %s: %v", name, err)
	}
	if err := s.AcceptPolicy(name, s.Policy().Version); err != nil {
		e.t.Fatalf("accept policy: %v", err)
	}
}

// apiClient is a script signed in through the JSON API (no browser), as
// the office manager's tools would be.
type apiClient struct {
	e    *env
	http *http.Client
	csrf string
}

func (e *env) apiLogin(name string) *apiClient {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &apiClient{e: e, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	if status, body := c.call("POST", "/api/login", map[string]string{"username": name, "password": servertest.Password}); status != 200 {
		e.t.Fatalf("sign in %s through the API: %d %s", name, status, body)
	}
	status, body := c.call("GET", "/api/me", nil)
	var me struct{ CSRF string }
	if status != 200 || json.Unmarshal([]byte(body), &me) != nil || me.CSRF == "" {
		e.t.Fatalf("GET /api/me: %d %s", status, body)
	}
	c.csrf = me.CSRF
	return c
}

func (c *apiClient) call(method, path string, body any) (int, string) {
	c.e.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, c.e.URL+path, bytes.NewReader(b))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return res.StatusCode, buf.String()
}

// Item 3: the office manager disables a signed-in person; the open tab
// lands on the sign-in page saying so, a wrong password leaves focus in the
// password field, and the right one is answered with "disabled", not
// "wrong password". A session signed out elsewhere says "You signed out."
func TestSignedOutByTheManager(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	e.addRole("boss", archive.RoleAdmin, false)
	e.channel("general", "ana", "ben")
	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()

	// Ben's session ends from another tab of his: this tab tells him.
	ben.do(`fetch('/api/logout', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})`)
	ben.until("Ben's sign-in page with the reason", `document.querySelector('#login-notice')?.textContent === 'You signed out.' && document.querySelector('#username')`, 10*time.Second)

	boss := e.apiLogin("boss")
	if status, body := boss.call("POST", "/api/admin/users/ana/disable", map[string]any{}); status != 200 {
		e.fatalf("disable ana: %d %s", status, body)
	}
	ana.until("the sign-in page with the reason", `document.querySelector('#username') && document.querySelector('#login-notice')?.textContent === 'Your account was disabled by the office manager.'`, 10*time.Second)
	// The sentence stands above the form.
	if !eval[bool](ana, `!!(document.querySelector('#login-notice').compareDocumentPosition(document.querySelector('.auth-form')) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		e.fatalf("the notice is not above the form")
	}
	e.save(ana, "disabled-notice")

	// A wrong password: its sentence, and focus back in the password field.
	ana.run(chromedp.SendKeys(chromedp.ID("username"), "ana"), chromedp.SendKeys(chromedp.ID("password"), "not the password"+kb.Enter))
	ana.until("the wrong-password sentence", `document.querySelector('#login-error:not([hidden])')?.textContent.includes('user name or password is wrong')`, 10*time.Second)
	if id := eval[string](ana, `document.activeElement?.id || document.activeElement?.tagName`); id != "password" {
		e.fatalf("after a wrong password the focus is on %q, want the password field", id)
	}
	// The right password of a disabled account.
	ana.do(`document.querySelector('#password').value = ''`)
	ana.run(chromedp.SendKeys(chromedp.ID("password"), servertest.Password+kb.Enter))
	ana.until("the disabled sentence", `document.querySelector('#login-error:not([hidden])')?.textContent.includes('This account is disabled. Ask your office manager.')`, 10*time.Second)
	if got := eval[string](ana, `document.querySelector('#login-error').textContent`); strings.Contains(got, "wrong") {
		e.fatalf("a disabled account is told %q", got)
	}
}

// Item 4: opening a channel with 300 unread messages clears its count at
// once (the server's read marker moves to the newest), and the New
// messages line stands before the first unread message, in view.
func TestOpeningClearsUnread(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	projects := e.channel("projects", "ana", "ben")
	var texts []string
	for i := 1; i <= 30; i++ {
		texts = append(texts, fmt.Sprintf("ben: read %d", i))
	}
	for i := 1; i <= 300; i++ {
		texts = append(texts, fmt.Sprintf("ben: unread %d", i))
	}
	e.seed(projects, texts...)
	if _, err := e.store().MarkRead(projects, "ana", 30); err != nil {
		t.Fatalf("mark read: %v", err)
	}
	e.channel("general", "ana", "ben") // where she lands on signing in

	ana := e.person("ana")
	ana.enter()
	pill := fmt.Sprintf(`document.querySelector('.items a[data-id=%q] .pill')`, projects)
	ana.until("300 unread in #projects", pill+`?.textContent === '300'`, 5*time.Second)
	ana.open(projects)
	ana.until("the New messages line before the first unread message", `(() => {
		const m = document.querySelector('.new-marker');
		return m && m.nextElementSibling?.querySelector('.text')?.textContent === 'unread 1' && m.previousElementSibling?.querySelector('.text')?.textContent === 'read 30';
	})()`, 15*time.Second)
	ana.until("the line in view", `(() => { const r = document.querySelector('.new-marker').getBoundingClientRect(), s = document.querySelector('.scroller').getBoundingClientRect(); return r.top >= s.top && r.bottom <= s.bottom; })()`, 5*time.Second)
	ana.until("the count cleared without scrolling", `!`+pill+` && !document.title.startsWith('(')`, 5*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for e.store().ReadSeq(projects, "ana") != 330 {
		if time.Now().After(deadline) {
			e.fatalf("the server's read marker is %d, want 330", e.store().ReadSeq(projects, "ana"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Still at the line: opening did not scroll to the end.
	if eval[bool](ana, `document.querySelector('.msgs').textContent.includes('unread 300') && (() => { const s = document.querySelector('.scroller'); return s.scrollHeight - s.scrollTop - s.clientHeight < 40; })()`) {
		e.fatalf("the conversation opened at its end, not at the first unread message")
	}
	e.save(ana, "opened-unread")
	// A reload finds nothing unread: the server heard it. Checked once the
	// page has heard all the server tells it on connecting (the channel
	// list, then the sync, which ends with "synced") and has rendered it:
	// the page renders in batches on a 16 ms timer, 100 ms leaves room.
	synced := ana.heard("synced")
	ana.run(chromedp.Reload())
	ana.until("the chat again", `document.querySelector('#composer') && document.querySelector('.items a')`, 10*time.Second)
	e.waitFor("the reloaded page's sync to end", 10*time.Second, func() bool { return ana.heard("synced") > synced })
	if eval[bool](ana, `new Promise((done) => setTimeout(() => done(!!`+pill+`), 100))`, chromedp.EvalAwaitPromise) {
		e.fatalf("the count came back after a reload")
	}
}

// authCheck measures an auth page: how many of the viewport's corners and
// edges show the page's own background, and how far the card's middle is
// from the viewport's.
type authCheck struct {
	Misses  []string
	Offset  float64
	CardH   float64
	ViewH   float64
	BG      string
	Covered bool
}

const authMeasure = `(() => {
	const w = innerWidth, h = innerHeight, page = document.querySelector('main.auth');
	const pts = [[1, 1], [w - 2, 1], [1, h - 2], [w - 2, h - 2], [w / 2, h - 2], [w / 2, 1]];
	const misses = pts.filter(([x, y]) => !document.elementFromPoint(x, y)?.closest('main.auth')).map(([x, y]) => x + ',' + y + ': ' + (document.elementFromPoint(x, y)?.tagName || 'none'));
	const r = page.getBoundingClientRect(), c = document.querySelector('.auth-card').getBoundingClientRect();
	return {misses, offset: Math.abs(c.top + c.height / 2 - h / 2), cardH: c.height, viewH: h,
		bg: getComputedStyle(page).backgroundColor, covered: r.top <= 0 && r.left <= 0 && r.right >= w && r.bottom >= h};
})()`

// Item 5: the sign-in, password and policy pages fill the viewport with
// their background and centre the card, on a desktop and a phone, in
// light and dark.
func TestAuthPagesFillTheScreen(t *testing.T) {
	e := newEnv(t)
	e.addRole("cleo", archive.RoleMember, true) // must choose a password
	e.addUser("dan", false)                     // must accept the policy
	visitor, cleo, dan := e.person("visitor"), e.person("cleo"), e.person("dan")
	visitor.run(chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	cleo.login()
	cleo.until("the password page", `document.querySelector('.auth-card h1')?.textContent === 'Choose your password'`, 10*time.Second)
	dan.login()
	dan.until("the policy page", `document.querySelector('#accept-policy')`, 10*time.Second)

	for _, p := range []*person{visitor, cleo, dan} {
		for _, size := range [][2]int64{{1200, 800}, {390, 844}} {
			bgs := map[string]string{}
			for _, s := range []string{"light", "dark"} {
				p.run(chromedp.EmulateViewport(size[0], size[1]), scheme(s))
				p.until("the page at its new size and scheme", fmt.Sprintf(`innerWidth === %d && innerHeight === %d && matchMedia('(prefers-color-scheme: dark)').matches === %v`,
					size[0], size[1], s == "dark"), 5*time.Second)
				m := eval[authCheck](p, authMeasure)
				where := fmt.Sprintf("%s's page at %d×%d, %s", p.name, size[0], size[1], s)
				if len(m.Misses) > 0 || !m.Covered {
					e.fatalf("%s: the page's background does not cover the viewport: %v", where, m.Misses)
				}
				if m.CardH < m.ViewH-32 && m.Offset > 12 {
					e.fatalf("%s: the card's middle is %.0f px from the viewport's", where, m.Offset)
				}
				bgs[s] = m.BG
				e.save(p, fmt.Sprintf("%dx%d-%s", size[0], size[1], s))
			}
			if bgs["light"] == bgs["dark"] {
				e.fatalf("%s's page keeps %s in the dark scheme", p.name, bgs["dark"])
			}
		}
	}
}

// Item 7: a new employee reads the policy without being told it "has
// changed"; someone who accepted an older version is told.
func TestPolicyChangedOnlyForThoseWhoAccepted(t *testing.T) {
	e := newEnv(t)
	if _, err := e.store().SetPolicy("Version two of the policy.", "Archived."); err != nil {
		t.Fatal(err)
	}
	e.addUser("ana", true) // accepted version 2
	e.addUser("dan", false)
	e.channel("general", "ana", "dan")

	dan := e.person("dan")
	dan.login()
	dan.until("the policy page", `document.querySelector('#accept-policy') && document.querySelector('.policy-text').textContent === 'Version two of the policy.'`, 10*time.Second)
	if eval[bool](dan, `document.querySelector('.auth-card').textContent.includes('changed')`) {
		e.fatalf("a new employee is told the policy has changed: %q", eval[string](dan, `document.querySelector('.auth-card > p.muted').textContent`))
	}

	ana := e.person("ana")
	ana.enter()
	if _, err := e.store().SetPolicy("Version three of the policy.", "Archived."); err != nil {
		t.Fatal(err)
	}
	ana.run(chromedp.Reload())
	ana.until("the changed policy", `document.querySelector('#accept-policy') && document.querySelector('.policy-text').textContent === 'Version three of the policy.'`, 10*time.Second)
	if !eval[bool](ana, `document.querySelector('.auth-card > p.muted').textContent.startsWith('The office has changed its usage policy.')`) {
		e.fatalf("someone who accepted version two is not told it changed: %q", eval[string](ana, `document.querySelector('.auth-card > p.muted').textContent`))
	}
	// Dan accepts; his next reload is the chat.
	dan.run(chromedp.Reload())
	dan.until("the policy page again", `document.querySelector('#accept-policy')`, 10*time.Second)
	dan.run(chromedp.Click(chromedp.ID("accept-policy")))
	dan.until("the chat", `document.querySelector('#composer')`, 10*time.Second)
}

const searchNeedsConnection = "Search needs the connection to the server"

// Item 8: search while the server cannot be reached says that search needs
// the connection, both before the search panel was ever loaded and after.
func TestSearchOffline(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	general := e.channel("general", "ana")
	e.seed(general, "ana: the invoice is out")
	ana := e.person("ana")
	ana.enter()
	ana.open(general)

	e.down()
	ana.until("the offline notice", `document.querySelector('.status-bar:not([hidden])')`, 10*time.Second)
	ana.run(chromedp.Click(chromedp.ID("search")), chromedp.SendKeys(chromedp.ID("search"), "invoice"+kb.Enter))
	ana.until("the sentence", `document.body.textContent.includes(`+js(searchNeedsConnection)+`)`, 10*time.Second)
	e.save(ana, "search-offline")

	e.up()
	ana.until("back online", `document.querySelector('.status-bar').hidden`, 20*time.Second)
	ana.do(`document.querySelector('.toast').hidden = true`)
	ana.run(chromedp.Click(chromedp.ID("search")), chromedp.KeyEvent(kb.Enter))
	ana.until("the result", `document.querySelectorAll('.search-panel:not([hidden]) .result').length === 1`, 10*time.Second)

	e.down()
	ana.until("offline again", `document.querySelector('.status-bar:not([hidden])')`, 10*time.Second)
	ana.run(chromedp.Click(chromedp.ID("search")), chromedp.KeyEvent(kb.Enter))
	ana.until("the sentence in the panel", `document.querySelector('.search-status').textContent.includes(`+js(searchNeedsConnection)+`)`, 10*time.Second)
}

// Item 10: a result from a direct conversation says "Direct message with
// Ben" and, apart, who wrote it; not "Ben Ben".
func TestDirectMessageSearchResult(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	dm, _, err := e.store().DirectChannel("ana", "ben")
	if err != nil {
		t.Fatalf("direct channel: %v", err)
	}
	general := e.channel("general", "ana", "ben")
	e.seed(dm.ID, "ben: the invoice for March", "ana: thanks")
	e.seed(general, "ana: the invoice is sent")
	ana := e.person("ana")
	ana.enter()
	ana.run(chromedp.Click(chromedp.ID("search")), chromedp.SendKeys(chromedp.ID("search"), "invoice"+kb.Enter))
	ana.until("two results", `document.querySelectorAll('.search-panel .result').length === 2`, 10*time.Second)
	type result struct{ Where, Author, Meta, Text string }
	got := eval[[]result](ana, `[...document.querySelectorAll('.result')].map(b => ({where: b.querySelector('.result-where').textContent,
		author: b.querySelector('.result-hit .author')?.textContent || '', meta: b.querySelector('.result-meta').textContent, text: b.querySelector('.result-text').textContent}))`)
	e.save(ana, "dm-result")
	want := []result{{Where: "#general", Author: "Ana", Text: "the invoice is sent"}, {Where: "Direct message with Ben", Author: "Ben", Text: "the invoice for March"}}
	for i, w := range want {
		if got[i].Where != w.Where || got[i].Author != w.Author || got[i].Text != w.Text || strings.Contains(got[i].Meta, "Ben Ben") || strings.Contains(got[i].Meta, "BenBen") {
			e.fatalf("result %d: %+v, want %+v", i, got[i], w)
		}
	}
}

// Item 11: an archived channel without messages says it is archived and
// read-only (no "say hello", no composer); an auditor without channels sees
// no composer and where the archive is.
func TestEmptyStatesMatchThePage(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addRole("audrey", archive.RoleAuditor, false)
	old := e.channel("old-projects", "ana")
	e.channel("general", "ana")
	if _, err := e.store().UpdateChannel(old, func(c *archive.Channel) error { c.Archived = true; return nil }); err != nil {
		t.Fatalf("archive: %v", err)
	}
	ana := e.person("ana")
	ana.enter()
	ana.open(old)
	ana.until("the archived empty state", `document.querySelector('.list-top .empty')?.textContent.includes('archived')`, 5*time.Second)
	if txt := eval[string](ana, `document.querySelector('.list-top').textContent`); strings.Contains(txt, "say hello") {
		e.fatalf("an archived channel says %q", txt)
	}
	if eval[bool](ana, `!!document.querySelector('#composer').offsetParent`) {
		e.fatalf("an archived channel shows a composer")
	}

	audrey := e.person("audrey")
	audrey.login()
	audrey.until("the chat without channels", `document.querySelector('#conv-title')?.textContent === 'Welcome'`, 10*time.Second)
	audrey.until("a line to the archive", `[...document.querySelectorAll('.main a[href="/admin/archive"]')].some(a => a.offsetParent)`, 5*time.Second)
	if eval[bool](audrey, `!!document.querySelector('#composer').offsetParent || !!document.querySelector('.send').offsetParent`) {
		e.fatalf("an auditor without channels sees a composer")
	}
	if txt := eval[string](audrey, `document.querySelector('.main').textContent`); strings.Contains(txt, "say hello") {
		e.fatalf("an auditor is told %q", txt)
	}
	e.save(audrey, "auditor")
}

// Item 12: right-to-left text: a Hebrew message and an Arabic name read
// right to left; the composer and the search box take either direction.
func TestRightToLeft(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	if err := e.store().AddUser(archive.User{Name: "rami", Display: "رامي", Role: archive.RoleMember, Hash: hashOnce()}); err != nil {
		t.Fatal(err)
	}
	general := e.channel("general", "ana", "rami")
	e.seed(general, "rami: שלום, מה שלומכם היום?", "ana: all good")
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("the messages", `document.querySelectorAll('.msg .text').length === 2`, 5*time.Second)
	type dirs struct{ Text, Plain, Author, Composer, Search string }
	d := eval[dirs](ana, `(() => { const t = [...document.querySelectorAll('.msg .text')];
		return {text: getComputedStyle(t[0]).direction, plain: getComputedStyle(t[1]).direction,
			author: getComputedStyle(document.querySelector('.msg .author')).direction,
			composer: document.querySelector('#composer').getAttribute('dir'), search: document.querySelector('#search').getAttribute('dir')}; })()`)
	if d.Text != "rtl" || d.Plain != "ltr" || d.Author != "rtl" || d.Composer != "auto" || d.Search != "auto" {
		e.fatalf("directions: %+v", d)
	}
	e.save(ana, "rtl")
}

// Item 13: a 4,000-line message folds behind "Show more" (and "Show less");
// the composer tells its limit in characters, not bytes.
func TestLongMessageFolds(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	general := e.channel("general", "ana")
	lines := make([]string, 4000)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i+1)
	}
	e.seed(general, "ana: "+strings.Join(lines, "\n"), "ana: a short one")
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("both messages", `document.querySelectorAll('.msg .text').length === 2`, 5*time.Second)
	height := `document.querySelectorAll('.msg')[0].getBoundingClientRect().height`
	if h := eval[float64](ana, height); h > 600 {
		e.fatalf("the long message is %.0f px tall folded", h)
	}
	if h := eval[float64](ana, `document.querySelectorAll('.msg')[1].getBoundingClientRect().height`); h > 80 {
		e.fatalf("the short message is %.0f px tall", h)
	}
	e.save(ana, "folded")
	ana.run(chromedp.Click(chromedp.CSS(`.msg .fold-toggle`)))
	ana.until("the whole message", height+` > 20000 && document.querySelector('.msg .fold-toggle').textContent === 'Show less' && document.querySelector('.msg .fold-toggle').getAttribute('aria-expanded') === 'true'`, 5*time.Second)
	ana.do(`document.querySelector('.msg .fold-toggle').click()`)
	ana.until("folded again", height+` < 600 && document.querySelector('.msg .fold-toggle').textContent === 'Show more'`, 5*time.Second)

	// The limit, told in characters: 60 Cyrillic letters are 120 bytes.
	st := e.store().Settings()
	st.MaxText = 100
	if err := e.store().SaveSettings(st); err != nil {
		t.Fatalf("settings: %v", err)
	}
	ana.run(chromedp.Reload())
	ana.until("the chat", `document.querySelector('#composer') && document.querySelector('.items a')`, 10*time.Second)
	ana.do(`const c = document.querySelector('#composer'); c.value = 'д'.repeat(60); c.dispatchEvent(new Event('input'))`)
	ana.until("the length in characters", `document.querySelector('.counter').textContent === 'Too long by 10 characters'`, 5*time.Second)
	ana.run(chromedp.Focus(chromedp.ID("composer")))
	ana.shortcut("Enter", "Enter", 13) // no character typed: the page takes Enter
	ana.until("the refusal in characters", `document.querySelector('.counter').textContent.startsWith('Too long by 10 characters:')`, 5*time.Second)
	ana.do(`const c = document.querySelector('#composer'); c.value = 'д'.repeat(46); c.dispatchEvent(new Event('input'))`)
	ana.until("what is left in characters", `document.querySelector('.counter').textContent === '4 characters left'`, 5*time.Second)
}

// Item 15: the notification prompt is reachable on a phone (not inside the
// closed drawer), and goes back to the sidebar on a wide screen.
func TestNotificationPromptOnAPhone(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.channel("general", "ana")
	ana := e.person("ana")
	ana.run(chromedp.EmulateViewport(390, 844))
	ana.enter()
	reachable := `(() => { const b = [...document.querySelectorAll('.prompt button')].find(b => b.textContent === 'Turn on');
		if (!b) return false; const r = b.getBoundingClientRect();
		return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === b; })()`
	ana.until("the prompt on the phone's screen", reachable, 5*time.Second)
	e.save(ana, "phone-prompt")
	ana.run(chromedp.EmulateViewport(1200, 800))
	ana.until("the prompt in the sidebar", reachable+` && document.querySelector('.prompt').closest('.sidebar')`, 5*time.Second)
	ana.do(`[...document.querySelectorAll('.prompt button')].find(b => b.textContent === 'Not now').click()`)
	ana.until("the prompt gone", `!document.querySelector('.prompt')`, 5*time.Second)
}

// a11yCheck is a small stand-in for an accessibility checker: every button
// and link has a name that contains its visible text, no heading level is
// skipped, lists hold list items only, and targets are at least 24×24 px.
const a11yCheck = `(() => {
	const out = [];
	const shown = (el) => { const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
		return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && !el.closest('.sr-only'); };
	const squash = (s) => s.replace(/\s+/g, ' ').trim();
	const visibleText = (el) => { const c = el.cloneNode(true); c.querySelectorAll('.sr-only, [aria-hidden="true"]').forEach((x) => x.remove()); return squash(c.textContent); };
	const name = (el) => {
		if (el.getAttribute('aria-label')) return squash(el.getAttribute('aria-label'));
		const by = el.getAttribute('aria-labelledby');
		if (by) return squash(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' '));
		return squash(el.textContent) || squash(el.getAttribute('title') || '');
	};
	const what = (el) => el.outerHTML.slice(0, 90);
	for (const el of document.querySelectorAll('button, a[href], summary')) {
		const n = name(el);
		if (!n) { out.push('no name: ' + what(el)); continue; }
		const v = visibleText(el);
		if (shown(el) && v && !n.toLowerCase().includes(v.toLowerCase())) out.push('name "' + n + '" lacks its visible text "' + v + '": ' + what(el));
	}
	let prev = 0;
	for (const hd of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
		// What is not shown is not in the accessibility tree either (a closed drawer).
		if (hd.closest('[hidden], dialog:not([open])') || getComputedStyle(hd).visibility === 'hidden' || !hd.getClientRects().length) continue;
		const level = +hd.tagName[1];
		if (level > prev + 1) out.push('heading ' + hd.tagName + ' "' + hd.textContent + '" after h' + prev);
		prev = level;
	}
	for (const list of document.querySelectorAll('ul, ol')) {
		if (list.getAttribute('role') && list.getAttribute('role') !== 'list') continue;
		for (const c of list.children) {
			if (c.tagName !== 'LI' || (c.getAttribute('role') && c.getAttribute('role') !== 'listitem')) out.push('not a list item: ' + what(c));
		}
	}
	for (const el of document.querySelectorAll('button, a[href], summary, input, select, textarea')) {
		if (!shown(el) || el.closest('.text')) continue; // links inside a sentence are exempt
		const r = el.getBoundingClientRect();
		if (r.width < 24 || r.height < 24) out.push('target ' + Math.round(r.width) + '×' + Math.round(r.height) + ': ' + what(el));
	}
	return out;
})()`

// Item 15: the main screen passes the small accessibility check, with the
// account menu open, a day separator, the New messages line, one's own
// message, a failed message's buttons, and the search panel open.
func TestMainScreenAccessibility(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	if _, _, err := e.store().DirectChannel("ana", "ben"); err != nil {
		t.Fatal(err)
	}
	e.seed(general, "ana: morning, see https://example.org/x", "ben: hello @ana")
	if _, err := e.store().MarkRead(general, "ana", 1); err != nil {
		t.Fatal(err)
	}
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("the messages", `document.querySelectorAll('.msg .text').length === 2 && document.querySelector('.new-marker')`, 5*time.Second)
	ana.do(`document.querySelector('.menu').open = true`)
	ana.do(`document.querySelector('.msg').focus()`)
	check := func(where string) {
		t.Helper()
		if bad := eval[[]string](ana, a11yCheck); len(bad) > 0 {
			e.fatalf("%s:\n%s", where, strings.Join(bad, "\n"))
		}
	}
	check("the main screen")
	ana.run(chromedp.Click(chromedp.ID("search")), chromedp.SendKeys(chromedp.ID("search"), "morning"+kb.Enter))
	ana.until("a result", `document.querySelectorAll('.search-panel .result').length === 1`, 10*time.Second)
	check("the main screen with search")
	ana.run(chromedp.EmulateViewport(390, 844))
	ana.do(`document.querySelector('.search-panel .icon-button').click()`)
	ana.until("the drawer closed", `getComputedStyle(document.querySelector('.sidebar')).visibility === 'hidden'`, 5*time.Second)
	check("the main screen on a phone")
	ana.do(`document.querySelector('.drawer-button').click()`)
	ana.until("the drawer open", `getComputedStyle(document.querySelector('.sidebar')).visibility === 'visible'`, 5*time.Second)
	check("the drawer on a phone")
	ana.run(chromedp.EmulateViewport(1200, 800))
	e.down()
	ana.until("the offline notice", `document.querySelector('.status-bar:not([hidden]) button')`, 10*time.Second)
	check("the main screen offline")
	e.up()
	ana.run(chromedp.Navigate(e.URL + "/"))
	ana.until("the chat", `document.querySelector('#composer') && document.querySelector('.items a')`, 10*time.Second)
	ana.do(`fetch('/api/logout', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})`)
	ana.until("the sign-in page", `document.querySelector('#username')`, 10*time.Second)
	check("the sign-in page")
}

// One rule, said one way, everywhere: the first-run page shows every
// problem at once beside its field, in the same words as the console and
// the API, and the chat's channel form takes the server's length.
func TestFormRulesAreOneAndShownAtOnce(t *testing.T) {
	e := newEnv(t)
	link := e.srv.SetupURL()
	if link == "" {
		t.Fatal("a fresh office has no setup link")
	}
	p := e.person("first")
	p.run(chromedp.Navigate(strings.Replace(link, "https://", "http://", 1)),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Not A Name!"),
		chromedp.SendKeys(chromedp.ID("password"), "short"),
		chromedp.Click(chromedp.CSS(`#setup button[type=submit]`)))
	p.until("both problems", `!document.getElementById('name-error').hidden && !document.getElementById('password-error').hidden`, 10*time.Second)
	name := eval[string](p, `document.getElementById('name-error').textContent`)
	if !strings.Contains(name, "1 to 32 lowercase letters") {
		e.fatalf("the user name's problem: %q", name)
	}
	if got := eval[string](p, `document.activeElement.id`); got != "name" {
		e.fatalf("focus after the problems: %q, want the first bad field", got)
	}
}
