package admin_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"inhouse/admin"
	"inhouse/install/firewall"
	"inhouse/server"
	"inhouse/server/servertest"
)

// onePixelPNG is a valid 1×1 PNG: what a messenger's favicon stands in for.
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

// TestBrowserReachCheckRunsOnlyOnClick opens the messenger check with a
// catalog of two made-up messengers that the browser resolves to this
// machine: one answers with an icon over HTTPS, the other (and the name
// that cannot exist) refuses at once, as a blocked one does. Opening the
// page must reach neither; Run the check must then show Reachable and
// Blocked, for real.
func TestBrowserReachCheckRunsOnlyOnClick(t *testing.T) {
	var iconHits atomic.Int32
	icons := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iconHits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(onePixelPNG)
	}))
	defer icons.Close()
	// A server that hangs up on every connection: what a firewall's
	// reject looks like to a browser.
	refuse, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer refuse.Close()
	var refused atomic.Int32
	go func() {
		for {
			c, err := refuse.Accept()
			if err != nil {
				return
			}
			refused.Add(1)
			c.Close()
		}
	}()

	cat := &firewall.Catalog{Entries: []*firewall.Entry{
		{ID: "okchat", Name: "OK Chat", Category: firewall.CategoryMessenger, Domains: []string{"okchat.test"}},
		{ID: "gonechat", Name: "Gone Chat", Category: firewall.CategoryMessenger, Domains: []string{"gonechat.test"}},
		{ID: "appchat", Name: "App Chat", Category: firewall.CategoryMessenger},
		{ID: "doh", Name: "Some DoH", Category: firewall.CategoryDoH, Domains: []string{"doh.test"}},
	}}
	ts := servertest.StartWith(t, func(s *server.Server) {
		c := admin.New(s)
		c.UseCatalog(cat)
		s.Mount("/admin", c.Handler())
	})
	ts.AddUser("boss", "admin")

	browser := servertest.Browser(t, 1100, 800,
		servertest.MapHost("okchat.test", strings.TrimPrefix(icons.URL, "https://")),
		servertest.MapHost("gonechat.test", refuse.Addr().String()),
		servertest.MapHost("inhouse-reach-check.invalid", refuse.Addr().String()),
		servertest.IgnoreCertificateErrors(),
	)
	ctx, cancel := context.WithTimeout(browser, 90*time.Second)
	defer cancel()
	defer func() {
		if t.Failed() {
			screenshot(t, browser)
		}
	}()
	if err := chromedp.Do(ctx, signInSteps(ts.URL, "boss",
		chromedp.WaitVisible(chromedp.CSS(`.tiles`)),
		chromedp.Navigate(ts.URL+"/admin/reach"),
		chromedp.WaitVisible(chromedp.CSS(`#reach-run`)),
	)...); err != nil {
		t.Fatalf("open the check: %v", err)
	}
	// Give an eager page every chance to start probing: a sleep, since a
	// probe that never starts announces nothing to wait for.
	time.Sleep(1500 * time.Millisecond)
	if n, m := iconHits.Load(), refused.Load(); n != 0 || m != 0 {
		t.Fatalf("opening the page contacted the messengers: %d icon requests, %d connections", n, m)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#reach-summary`)))
	if err != nil || !strings.Contains(summary, "Not checked yet") {
		t.Fatalf("summary before the click: %q %v", summary, err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#reach-table tbody tr").length`))
	if err != nil || rows != 3 {
		t.Fatalf("the table lists %d messengers, want the catalog's 3 (%v)", rows, err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#reach-run`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id=okchat][data-state=ok]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-id=gonechat][data-state=blocked]`)),
	); err != nil {
		t.Fatalf("run the check: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("reach-summary").textContent.includes("1 of 2")`)); err != nil {
		summary, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#reach-summary`)))
		t.Fatalf("summary after the check: %q (%v)", summary, err)
	}
	if iconHits.Load() == 0 || refused.Load() < 2 {
		t.Fatalf("the check did not try both: %d icon requests, %d refused connections", iconHits.Load(), refused.Load())
	}
	label, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#reach-run`)))
	if label != "Check again" {
		t.Fatalf("button after the check: %q", label)
	}
}
