package admin_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"inhouse/server/servertest"
)

// TestBrowserManagerAddsPersonAndChannel walks the office manager through
// signing in, adding a person and creating a channel with them, in a real
// headless Chromium, with JavaScript on (console.js runs).
func TestBrowserManagerAddsPersonAndChannel(t *testing.T) {
	ts := start(t)
	_, run, read := browse(t, 1100, 800)
	var text, secret string

	run("sign in", signInSteps(ts.URL, "boss", chromedp.WaitVisible(chromedp.CSS(`.tiles`)))...)
	text = read(`h1`)
	if text != "Dashboard" {
		t.Fatalf("after sign-in the page is %q", text)
	}

	run("add a person",
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/people"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#people-table`)),
		chromedp.Click(chromedp.CSS(`a.button.primary[href="/admin/people/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-display`)),
		chromedp.SendKeys(chromedp.CSS(`#f-display`), "Ana Ruiz"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "ana"),
		chromedp.Click(chromedp.CSS(`main button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
	text, secret = read(`.flash-ok`), read(`.flash-ok code.secret`)
	if !strings.Contains(text, "Ana Ruiz was added") || secret == "" {
		t.Fatalf("flash after adding: %q (password %q)", text, secret)
	}

	run("create a channel with her",
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/channels"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#channels-table`)),
		chromedp.Click(chromedp.CSS(`a.button.primary[href="/admin/channels/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Invoices"),
		chromedp.Click(chromedp.CSS(`input[name=kind][value=private]`)),
		chromedp.Click(chromedp.CSS(`input[name=member][value=ana]`)),
		chromedp.Click(chromedp.CSS(`main button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
	text = read(`.flash-ok`)
	if !strings.Contains(text, "#invoices was created") {
		t.Fatalf("flash after creating: %q", text)
	}

	var found bool
	for _, c := range ts.Store().Channels(nil) {
		if c.Name == "invoices" && c.Kind == "private" && c.Has("ana") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the channel is not stored with Ana as a member")
	}
	ana := ts.NewClient()
	if st := ana.Do("POST", "/api/login", map[string]string{"username": "ana", "password": secret}, nil); st != 200 {
		t.Fatalf("Ana cannot sign in with the one-time password: %d", st)
	}
}

// browse opens a browser for a walk through the console: its context
// (ended with the test, after a screenshot if the test failed), run for a
// named step's actions and read for an element's text.
func browse(t *testing.T, width, height int) (ctx context.Context, run func(step string, actions ...chromedp.Action[chromedp.Void]), read func(sel string) string) {
	t.Helper()
	browser := servertest.Browser(t, width, height)
	ctx, cancel := context.WithTimeout(browser, 90*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, browser)
		}
		cancel()
	})
	run = func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	read = func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return v
	}
	return ctx, run, read
}

// screenshot saves what the browser showed when a test failed, into the
// git-ignored admin/screenshots folder.
func screenshot(t *testing.T, ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	dir := "screenshots"
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, t.Name()+".png")
	if err := os.WriteFile(path, png, 0o644); err == nil {
		t.Logf("screenshot: admin/%s", path)
	}
}

// signInSteps signs name in on the console's sign-in page; then come the
// steps given (waiting for the page the role lands on, say).
func signInSteps(base, name string, then ...chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
	return append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/admin/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), name),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), servertest.Password),
		chromedp.Click(chromedp.CSS(`main button.primary`)),
	}, then...)
}

// consoleLink turns a link a page shows into the console path (and query)
// to visit next; ok is false for a link that leaves the console.
func consoleLink(base, link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil || "http://"+u.Host != base || !strings.HasPrefix(u.Path, "/admin") {
		return "", false
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery, true
	}
	return u.Path, true
}
