package admin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The office manager imports a newer catalog in a real browser: the file
// field, the difference (which passes the console's accessibility checks
// too), Use this catalog, and the page from the new catalog.
func TestBrowserCatalogImport(t *testing.T) {
	ts := start(t)
	ctx := consoleTab(t, ts, "boss", 1280, 900)
	data, removed := testCatalog(t, time.Now().UTC().Format(time.DateOnly))
	file := filepath.Join(t.TempDir(), "newer-catalog.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(where string) string {
		t.Helper()
		res, err := chromedp.Run(ctx, chromedp.Evaluate[a11yPage](a11yJS))
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		for _, p := range res.Problems {
			t.Errorf("%s: %s", where, p)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		return text
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/admin/firewall"), chromedp.WaitVisible(`#f-catalog`)); err != nil {
		t.Fatal(err)
	}
	check("the Firewall page")
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(`#f-catalog`, []string{file}),
		chromedp.Click(`#catalog form[enctype] button`),
		chromedp.WaitVisible(`#diff-h`),
	); err != nil {
		t.Fatalf("show what it changes: %v", err)
	}
	text := check("the difference")
	for _, want := range []string{"Added (2)", "New Chat", "domains removed: " + removed, "Use this catalog"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the difference lacks %q:\n%s", want, text)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`button.primary`),
		chromedp.WaitVisible(`.flash-ok`),
	); err != nil {
		t.Fatalf("use this catalog: %v", err)
	}
	text = check("the Firewall page with the imported catalog")
	for _, want := range []string{"The imported catalog is in use", "New Chat", "New Meet", "Business tools", "Back to the built-in catalog"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the page lacks %q:\n%s", want, text)
		}
	}
}
