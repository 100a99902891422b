package admin_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"inhouse/server/archive"
	"inhouse/server/rules"
	"inhouse/server/servertest"
)

// xssCorpus is shared with the other browser tests.
var xssCorpus = servertest.XSSCorpus

// pageCheck is what the browser found on one page.
type pageCheck struct {
	X     bool     `json:"x"`     // window.__x was set
	Bad   []string `json:"bad"`   // elements or attributes that can run code
	Text  string   `json:"text"`  // every text and form value
	Links []string `json:"links"` // console pages linked from here
}

// skipCrawl leaves out links that are downloads or change nothing new:
// sorting the same table again, signing out.
var skipCrawl = regexp.MustCompile(`download|\.csv|export|/logout|[?&](sort|dir|before)=`)

// TestBrowserXSSCorpusInEveryConsolePage stores the corpus wherever the
// console shows text that people or the office typed (names, the office
// name, the policy, rule names and patterns, flag excerpts, the backup
// folder and its error, the audit log, searches), then visits every page
// linked from the console in Chromium with JavaScript on and checks that
// nothing ran and every payload shows as text.
func TestBrowserXSSCorpusInEveryConsolePage(t *testing.T) {
	ts := start(t)
	st := ts.Store()
	seedCorpus(t, ts)

	browser := servertest.Browser(t, 1100, 800)
	var dialogs atomic.Int32
	if err := chromedp.Listen(browser, func(ev any) {
		if d, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			t.Logf("a JavaScript dialog opened: %q", d.Message)
			go chromedp.Do(browser, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
				return err
			}))
		}
	}); err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithTimeout(browser, 3*time.Minute)
	defer cancel()
	defer func() {
		if t.Failed() {
			screenshot(t, browser)
		}
	}()

	if err := chromedp.Do(ctx, signInSteps(ts.URL, "boss", chromedp.WaitVisible(chromedp.CSS(`.tiles`)))...); err != nil {
		t.Fatalf("sign in: %v", err)
	}

	seen := map[string]string{} // payload -> first page showing it
	check := func(where string) pageCheck {
		t.Helper()
		pc, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](servertest.XSSPageJS))
		if err != nil {
			t.Fatalf("%s: inspect the page: %v", where, err)
		}
		if pc.X || len(pc.Bad) > 0 || dialogs.Load() > 0 {
			t.Fatalf("%s: a payload became code: __x set %v, dialogs %d, elements %q", where, pc.X, dialogs.Load(), pc.Bad)
		}
		for _, p := range xssCorpus {
			if _, ok := seen[p]; !ok && strings.Contains(pc.Text, p) {
				seen[p] = where
			}
		}
		return pc
	}

	// Crawl the console from the dashboard: every page it links to, so
	// pages added later are covered without listing them here.
	start := []string{"/admin", "/admin/reach", "/admin/review?show=all",
		"/admin/people?q=" + url.QueryEscape(xssCorpus[0]), "/admin/audit?q=" + url.QueryEscape(xssCorpus[2])}
	queue := append([]string{}, start...)
	visited := map[string]bool{}
	for len(queue) > 0 && len(visited) < 200 {
		path := queue[0]
		queue = queue[1:]
		if visited[path] {
			continue
		}
		visited[path] = true
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+path)); err != nil {
			if strings.Contains(err.Error(), "ERR_ABORTED") {
				continue // a download
			}
			t.Fatalf("GET %s: %v", path, err)
		}
		pc := check(path)
		for _, l := range pc.Links {
			next, ok := consoleLink(ts.URL, l)
			if !ok {
				continue
			}
			if !visited[next] && !skipCrawl.MatchString(next) {
				queue = append(queue, next)
			}
		}
	}
	if len(visited) < 30 {
		t.Fatalf("the crawl reached only %d pages: %v", len(visited), visited)
	}

	// The rules' test box echoes what was typed, marked.
	all := strings.Join(xssCorpus, "\n")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/admin/rules"),
		chromedp.SetValue(chromedp.CSS(`#f-text`), all),
		chromedp.Click(chromedp.CSS(`form[action^="/admin/rules/test"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.test-result`)),
	); err != nil {
		t.Fatalf("test a text: %v", err)
	}
	if pc := check("rules test box"); !strings.Contains(pc.Text, "Blocked: the message") {
		t.Fatalf("the test box did not match the corpus rules")
	}

	// The Directory form echoes what was typed beside the problems,
	// which quote it.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/admin/directory"),
		chromedp.SetValue(chromedp.CSS(`#f-url`), "ldaps://"+xssCorpus[1]),
		chromedp.SetValue(chromedp.CSS(`#f-bind_dn`), xssCorpus[2]),
		chromedp.SetValue(chromedp.CSS(`#f-filter`), xssCorpus[9]),
		chromedp.SetValue(chromedp.CSS(`#f-channel_groups`), xssCorpus[6]),
		chromedp.Click(chromedp.CSS(`#directory-settings button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#directory-settings .flash-error`)),
	); err != nil {
		t.Fatalf("the directory form: %v", err)
	}
	if pc := check("directory form with problems"); !strings.Contains(pc.Text, "is not a DN") {
		t.Fatalf("the directory form did not come back with its problems")
	}

	for _, p := range xssCorpus {
		if _, ok := seen[p]; !ok {
			t.Fatalf("payload %q never appeared as text on any of %d pages", p, len(visited))
		}
	}
	if st.OpenFlags() == 0 {
		t.Fatalf("the corpus flags are gone")
	}
	t.Logf("checked %d console pages", len(visited))
}

// seedCorpus stores the corpus everywhere the console shows stored text.
func seedCorpus(t *testing.T, ts *servertest.Server) {
	t.Helper()
	st := ts.Store()
	var names []string
	for i, p := range xssCorpus {
		name := "x" + letter(i)
		names = append(names, name)
		ts.AddUser(name, archive.RoleMember)
		if _, err := st.UpdateUser(name, func(u *archive.User) error { u.Display = p; return nil }); err != nil {
			t.Fatalf("display name %q: %v", p, err)
		}
	}
	ch := channelID(t, ts, "general", names...)
	var list []rules.Rule
	for i, p := range xssCorpus {
		id := "r" + letter(i)
		list = append(list, rules.Rule{ID: id, Name: p, Kind: rules.KindPattern, Pattern: regexp.QuoteMeta(p), Action: rules.ActionBlock, Enabled: true})
		if err := st.AddFlag(archive.Flag{Channel: ch, User: names[i], RuleIDs: []string{id}, Action: rules.ActionBlock, Excerpt: p}); err != nil {
			t.Fatalf("flag: %v", err)
		}
		if err := st.Audit(archive.AuditEntry{Actor: "boss", Via: "console", Action: p, Target: p, Detail: p}); err != nil {
			t.Fatalf("audit: %v", err)
		}
	}
	if err := st.SaveRules(list); err != nil {
		t.Fatalf("rules: %v", err)
	}
	set := st.Settings()
	set.OfficeName = xssCorpus[2]
	if err := st.SaveSettings(set); err != nil {
		t.Fatalf("office name: %v", err)
	}
	if _, err := st.SetPolicy(strings.Join(xssCorpus, "\n"), xssCorpus[6]); err != nil {
		t.Fatalf("policy: %v", err)
	}
	// The directory's settings as stored (in use, in clear), never
	// checked here: the Directory page and the dashboard show them.
	if err := st.SaveDirectory(archive.DirectorySettings{On: true, Plain: true, URL: "ldap://" + xssCorpus[3],
		BindDN: xssCorpus[4], BaseDN: xssCorpus[5], Filter: xssCorpus[7], DisabledFilter: xssCorpus[8],
		Dialect: xssCorpus[10], UserAttr: xssCorpus[11], AdminGroup: xssCorpus[0], AuditorGroup: xssCorpus[1],
		ChannelGroups: []archive.GroupChannel{{Group: xssCorpus[2], Channel: ch}}}); err != nil {
		t.Fatalf("directory: %v", err)
	}
	if err := st.SetBackupSchedule(archive.BackupSchedule{Dir: "/srv/" + xssCorpus[1], Keep: 3, LastError: xssCorpus[0]}); err != nil {
		t.Fatalf("backup schedule: %v", err)
	}
}

// letter names the i-th corpus entry in user names and rule ids.
func letter(i int) string { return string(rune('a' + i)) }
