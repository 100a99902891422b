package servertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCannotLeaveTheMachine proves the two guards every browser
// test has: a page's request to an outside name is recorded (with the page
// that made it) and never resolves, while loopback and names a test mapped
// to loopback load.
func TestBrowserCannotLeaveTheMachine(t *testing.T) {
	page := `<!doctype html><title>t</title>
<img id=out src="http://messenger.example/logo.png">
<img id=mapped src="http://mapped.test/dot.svg">
<img id=local src="/dot.svg">`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/dot.svg" {
			w.Header().Set("Content-Type", "image/svg+xml")
			w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>`))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	browser := Browser(t, 800, 600, MapHost("mapped.test", addr))
	rec := RecorderOf(browser)
	tab := Tab(t, browser, chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	widths, err := chromedp.Run(ctx, chromedp.Poll[[]int](`(() => {
		const ims = [...document.images];
		return ims.every((i) => i.complete) ? ims.map((i) => i.naturalWidth) : null;
	})()`))
	if err != nil {
		t.Fatalf("wait for the pictures: %v", err)
	}
	if len(widths) != 3 || widths[0] != 0 || widths[1] != 4 || widths[2] != 4 {
		t.Fatalf("picture widths (outside, mapped, local) = %v, want [0 4 4]", widths)
	}
	out := rec.Outside()
	if len(out) != 1 || !strings.HasPrefix(out[0], "http://messenger.example/logo.png (from "+srv.URL+"/)") {
		t.Fatalf("recorded outside requests: %q", out)
	}
	// Seen and proven: clear it so this test's own cleanup passes.
	rec.mu.Lock()
	rec.outside = nil
	rec.mu.Unlock()
}
