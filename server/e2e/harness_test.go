package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/auth"
	"inhouse/server/servertest"
)

// env is one test's server, which can stop and start again on the same
// address and data folder (the browser must find it at the same origin),
// and the browser its people use.
type env struct {
	t       *testing.T
	dir     string
	addr    string
	URL     string
	srv     *server.Server
	running bool

	browser context.Context
	people  []*person
	shot    bool
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	e.up()
	t.Cleanup(e.down)
	return e
}

// up starts the server on e.addr (a fixed address after the first start).
func (e *env) up() {
	e.t.Helper()
	srv, err := server.Open(server.Config{Addr: e.addr, DataDir: e.dir, TLS: "off", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		e.t.Fatalf("open server: %v", err)
	}
	l, err := srv.Listen()
	for i := 0; err != nil && i < 50; i++ { // the old socket may linger a moment
		time.Sleep(100 * time.Millisecond)
		l, err = srv.Listen()
	}
	if err != nil {
		srv.Shutdown()
		e.t.Fatalf("listen on %s: %v", e.addr, err)
	}
	go srv.Serve(l)
	e.addr = l.Addr().String()
	e.URL = "http://" + e.addr
	e.srv, e.running = srv, true
}

// down stops the server (its sockets close with 1001, as on a restart).
func (e *env) down() {
	if e.running {
		e.running = false
		e.srv.Shutdown()
	}
}

func (e *env) store() *archive.Store { return e.srv.Store() }

// hashOnce hashes the test password once: argon2id is slow on purpose.
var hashOnce = sync.OnceValue(func() string { return auth.HashPassword(servertest.Password) })

// addUser creates a person with servertest.Password; accepted says whether
// they have already accepted the usage policy.
func (e *env) addUser(name string, accepted bool) {
	e.t.Helper()
	s := e.store()
	if err := s.AddUser(archive.User{Name: name, Display: strings.ToUpper(name[:1]) + name[1:], Role: archive.RoleMember, Hash: hashOnce()}); err != nil {
		e.t.Fatalf("add user %s: %v", name, err)
	}
	if accepted {
		if err := s.AcceptPolicy(name, s.Policy().Version); err != nil {
			e.t.Fatalf("accept policy: %v", err)
		}
	}
}

func (e *env) channel(name, creator string, members ...string) string {
	e.t.Helper()
	c, err := e.store().CreateChannel(name, false, creator, members)
	if err != nil {
		e.t.Fatalf("create channel: %v", err)
	}
	e.srv.Hub().ChannelChanged(c, nil)
	return c.ID
}

// texts returns the stored texts of a channel.
func (e *env) texts(channel string) []string {
	e.t.Helper()
	msgs, err := e.store().After(channel, 0, 10000)
	if err != nil {
		e.t.Fatalf("read channel: %v", err)
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return out
}

// startBrowser launches one headless Chromium for the test; each person gets
// a separate browser context (own cookies and localStorage).
func (e *env) startBrowser() {
	t := e.t
	e.browser = servertest.Browser(t, 1200, 800)
	// Runs before the browser closes (cleanups run last-in first-out).
	t.Cleanup(func() {
		if t.Failed() {
			e.screenshots()
		}
	})
}

// person is one browser context signed in as someone.
type person struct {
	e      *env
	name   string
	ctx    context.Context
	dialog bool           // a JavaScript dialog opened (alert, confirm)
	frames map[string]int // WebSocket frames received, by type
	mu     sync.Mutex
}

func (e *env) person(name string) *person {
	if e.browser == nil {
		e.startBrowser()
	}
	ctx := servertest.Tab(e.t, e.browser, chromedp.WithNewBrowserContext())
	p := &person{e: e, name: name, ctx: ctx, frames: map[string]int{}}
	e.people = append(e.people, p)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 800)); err != nil {
		e.fatalf("open a tab: %v", err)
	}
	// An alert or confirm would block the page: note it and dismiss it.
	err := chromedp.Listen(ctx, func(ev any) {
		if f, ok := ev.(*network.EventWebSocketFrameReceived); ok && f.Response != nil {
			if typ := frameType(f.Response.PayloadData); typ != "" {
				p.mu.Lock()
				p.frames[typ]++
				p.mu.Unlock()
			}
			return
		}
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			p.mu.Lock()
			p.dialog = true
			p.mu.Unlock()
			e.t.Logf("%s: a JavaScript dialog opened: %q", p.name, d.Message)
			go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				return err
			}))
		}
	})
	if err != nil {
		e.fatalf("listen: %v", err)
	}
	return p
}

// fatalf saves a screenshot of every person's page, then fails.
func (e *env) fatalf(format string, args ...any) {
	e.t.Helper()
	paths := e.screenshots()
	e.t.Fatalf("%s\nscreenshots saved: %s", fmt.Sprintf(format, args...), strings.Join(paths, ", "))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func (e *env) screenshots() []string {
	if e.shot {
		return nil
	}
	e.shot = true
	var paths []string
	for _, p := range e.people {
		path := e.save(p, "fail")
		if path != "" {
			paths = append(paths, path)
		}
	}
	return paths
}

// save writes a PNG of p's page to server/e2e/screenshots.
func (e *env) save(p *person, tag string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		e.t.Logf("screenshot of %s: %v", p.name, err)
		return ""
	}
	dir, _ := filepath.Abs("screenshots")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, unsafeName.ReplaceAllString(e.t.Name(), "_")+"-"+p.name+"-"+tag+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		e.t.Logf("screenshot: %v", err)
		return ""
	}
	return path
}

func (p *person) run(actions ...chromedp.Action[chromedp.Void]) {
	p.e.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.e.fatalf("%s: browser action failed: %v", p.name, err)
	}
}

// eval runs a JavaScript expression and returns its value.
func eval[T any](p *person, js string, opts ...chromedp.EvaluateOption) T {
	p.e.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		p.e.fatalf("%s: evaluate %s: %v", p.name, js, err)
	}
	return v
}

// do runs JavaScript for its effect.
func (p *person) do(js string) {
	p.e.t.Helper()
	eval[any](p, "(function () {\n"+js+"\n})()")
}

// until waits for a JavaScript expression to become true.
func (p *person) until(what, js string, timeout time.Duration) {
	p.e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.e.fatalf("%s: waited %v for %s (%s), err=%v", p.name, timeout, what, js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// login signs in through the sign-in page.
func (p *person) login() {
	p.e.t.Helper()
	p.run(chromedp.Navigate(p.e.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), p.name),
		chromedp.SendKeys(chromedp.ID("password"), servertest.Password+kb.Enter))
}

// enter signs in and waits for the chat.
func (p *person) enter() {
	p.e.t.Helper()
	p.login()
	p.until("the chat to load", `document.querySelector('#composer') && document.querySelector('.items a')`, 10*time.Second)
}

// say types text into the composer and presses Enter.
func (p *person) say(text string) {
	p.e.t.Helper()
	p.run(chromedp.Focus(chromedp.ID("composer")), chromedp.SendKeys(chromedp.ID("composer"), text+kb.Enter))
}

func (p *person) open(channel string) {
	p.e.t.Helper()
	p.do(fmt.Sprintf(`location.hash = '#/c/' + %q`, channel))
	p.until("the channel to open", fmt.Sprintf(`document.querySelector('.items a.current[data-id=%q]')`, channel), 5*time.Second)
}

// heard counts the WebSocket frames of type typ that p's pages received:
// a test reads the frame that announces an event instead of guessing how
// long it takes.
func (p *person) heard(typ string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frames[typ]
}

// frameType is the type of a server frame, which always starts with it
// ({"type":"…",…}); "" for anything else. Cheap enough for history pages.
func frameType(payload []byte) string {
	rest, ok := bytes.CutPrefix(payload, []byte(`{"type":"`))
	if !ok {
		return ""
	}
	typ, _, ok := bytes.Cut(rest, []byte(`"`))
	if !ok {
		return ""
	}
	return string(typ)
}

// waitFor waits until cond holds, failing with screenshots if it does not
// within the given time.
func (e *env) waitFor(what string, within time.Duration, cond func() bool) {
	e.t.Helper()
	if !servertest.Eventually(within, cond) {
		e.fatalf("waited %v for %s", within, what)
	}
}

func (p *person) sawDialog() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dialog
}

// js quotes a Go string for JavaScript source.
func js(s string) string { return fmt.Sprintf("%q", s) }

// pressNow clicks what sel finds from inside the page, in one step: a click
// driven from outside (find, then click) can fall between a re-render's
// removal of the node and its new one, most often on a busy machine.
func pressNow(e *env, p *person, sel string) {
	e.t.Helper()
	if !eval[bool](p, `(() => { const el = document.querySelector(`+strconv.Quote(sel)+`); if (!el) return false; el.click(); return true })()`) {
		e.fatalf("%s: nothing to click at %s", p.name, sel)
	}
}
