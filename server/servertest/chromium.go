package servertest

import (
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Chromium finds Debian's chromium for the browser tests. In CI (CI set)
// a missing browser fails the test: .ci/run installs it, so its absence is
// a broken setup. Elsewhere the test is skipped with a hint.
func Chromium(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("a browser test: make test runs it, make unit does not")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: browser tests must run in CI (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; set CI=true to make this a failure")
	return ""
}

// BrowserOption changes how Browser starts Chromium.
type BrowserOption func(*browserConfig)

type browserConfig struct {
	maps  []string        // host-resolver MAP rules before the catch-all
	named map[string]bool // names the test mapped to loopback
	flags []chromedp.ExecAllocatorOption
}

// MapHost makes the browser resolve name to addr ("127.0.0.1:PORT"), which
// must be on loopback: a test can then visit a made-up name (a messenger's,
// say) and still reach nothing but this machine. The recorder counts
// requests to name as loopback.
func MapHost(name, addr string) BrowserOption {
	return func(c *browserConfig) {
		c.maps = append(c.maps, "MAP "+name+" "+addr)
		c.named[strings.ToLower(name)] = true
	}
}

// IgnoreCertificateErrors lets pages load HTTPS from a test's own
// self-signed server on loopback.
func IgnoreCertificateErrors() BrowserOption {
	return func(c *browserConfig) {
		c.flags = append(c.flags, chromedp.Flag("ignore-certificate-errors", true))
	}
}

// Browser starts one headless Chromium for the test, with a window of the
// given size and a profile of its own, and returns its context: each Tab
// made from it is a separate browser tab. The browser closes when the
// test ends.
//
// Every browser a test starts is the one made here, and it cannot reach
// outside this machine by construction: its host resolver answers
// "not found" for every name but loopback (and the names a test maps to
// loopback), and every request its pages make is recorded; a request to
// any other host fails the test with its address and the page that made
// it.
func Browser(t testing.TB, width, height int, options ...BrowserOption) context.Context {
	t.Helper()
	cfg := browserConfig{named: map[string]bool{}}
	for _, o := range options {
		o(&cfg)
	}
	rules := append(cfg.maps, "MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1", "EXCLUDE localhost")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("host-resolver-rules", strings.Join(rules, ", ")),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	opts = append(opts, cfg.flags...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancel := chromedp.NewContext(alloc)
	rec := &Recorder{named: cfg.named}
	browser = context.WithValue(browser, recorderKey{}, rec)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser, which lives as long as that
	// call's context: no timeout on it.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if err := rec.watch(browser); err != nil {
		t.Fatalf("record requests: %v", err)
	}
	t.Cleanup(func() { rec.fail(t) })
	return browser
}

// Tab opens a new tab in the browser (with its own cookies and storage when
// opts holds chromedp.WithNewBrowserContext()), recorded like the first.
// It closes when the test ends.
func Tab(t testing.TB, browser context.Context, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, opts...)
	t.Cleanup(cancel)
	rec, _ := browser.Value(recorderKey{}).(*Recorder)
	if rec == nil {
		t.Fatalf("servertest.Tab: the context is not a servertest.Browser")
	}
	// The first call opens the tab, which lives as long as that call's
	// context: no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	if err := rec.watch(ctx); err != nil {
		t.Fatalf("record requests: %v", err)
	}
	return ctx
}

type recorderKey struct{}

// Recorder notes every network request the pages of a browser's tabs make
// (DevTools' Network.requestWillBeSent) to anything but loopback.
type Recorder struct {
	named   map[string]bool
	mu      sync.Mutex
	outside []string // "URL (from PAGE)"
}

// RecorderOf returns the recorder of a Browser's context.
func RecorderOf(browser context.Context) *Recorder {
	r, _ := browser.Value(recorderKey{}).(*Recorder)
	return r
}

func (r *Recorder) watch(ctx context.Context) error {
	return chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil && !r.local(e.Request.URL) {
			r.mu.Lock()
			r.outside = append(r.outside, e.Request.URL+" (from "+e.DocumentURL+")")
			r.mu.Unlock()
		}
	})
}

// Outside returns the requests made so far to hosts other than loopback.
func (r *Recorder) Outside() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.outside...)
}

func (r *Recorder) fail(t testing.TB) {
	if out := r.Outside(); len(out) > 0 {
		t.Errorf("pages requested %d address(es) outside this machine:\n  %s", len(out), strings.Join(out, "\n  "))
	}
}

// local says whether a request stays on this machine: loopback addresses,
// localhost, names the test mapped to loopback, and URLs that are no
// network request at all (data:, blob:, about:).
func (r *Recorder) local(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about", "javascript":
		return true
	case "http", "https", "ws", "wss":
	default:
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || r.named[host] {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
