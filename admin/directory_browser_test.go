package admin_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"inhouse/server/directory"
	"inhouse/server/directory/slapdtest"
)

// TestBrowserManagerSetsUpTheDirectory walks the office manager, in a real
// headless Chromium, from the navigation to the Directory page, through
// filling in the settings for a real slapd and saving them, to Test the
// connection saying what it found; then Sync now.
func TestBrowserManagerSetsUpTheDirectory(t *testing.T) {
	ts := start(t)
	ldap := slapdtest.Start(t, directory.OpenLDAP)
	ctx, run, read := browse(t, 1100, 900)
	// press clicks a button that posts a form and waits for the next
	// page's flash (a new page: the flashes on this one are marked old).
	press := func(step, button string) string {
		t.Helper()
		run(step,
			chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.flash').forEach(f => f.dataset.old = "1")`),
			chromedp.Click(chromedp.CSS(button)),
			chromedp.WaitVisible(chromedp.CSS(`div.flash:not([data-old])`)),
		)
		return read(`div.flash:not([data-old])`)
	}
	cfg := ldap.Config()

	run("sign in", signInSteps(ts.URL, "boss", chromedp.WaitVisible(chromedp.CSS(`.tiles`)))...)
	run("open Directory",
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/directory"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-url`)),
	)
	if h := read(`h1`); h != "Directory" {
		t.Fatalf("the page is %q", h)
	}
	if text := read(`#directory-status`); !strings.Contains(text, "Not set up yet") || strings.Contains(text, "Test the connection") {
		t.Fatalf("the status of a new office: %q", text)
	}
	run("fill in the settings",
		chromedp.Click(chromedp.CSS(`input[name=on]`)),
		chromedp.Click(chromedp.CSS(`input[name=dialect][value=openldap]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-url`), cfg.URL),
		chromedp.Click(chromedp.CSS(`input[name=security][value=starttls]`)),
		// A pasted certificate: the value at once, as a paste puts it.
		chromedp.SetValue(chromedp.CSS(`#f-ca`), cfg.CA),
		chromedp.SendKeys(chromedp.CSS(`#f-bind_dn`), cfg.BindDN),
		chromedp.SendKeys(chromedp.CSS(`#f-bind_password`), cfg.BindPassword),
		chromedp.SendKeys(chromedp.CSS(`#f-base_dn`), cfg.BaseDN),
		chromedp.SendKeys(chromedp.CSS(`#f-disabled_filter`), cfg.DisabledFilter),
		chromedp.SendKeys(chromedp.CSS(`#f-admin_group`), slapdtest.AdminsDN),
	)
	// The filter and attributes are left empty: their placeholders show
	// the defaults that then apply.
	if ph, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#f-user_attr').placeholder`)); err != nil || ph != "sAMAccountName" {
		t.Fatalf("the user name's placeholder before saving (Active Directory's, the kind first shown): %q %v", ph, err)
	}
	if text := press("save", `#directory-settings button.primary`); !strings.Contains(text, "Directory settings saved.") {
		t.Fatalf("flash after saving: %q", text)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#f-bind_password`))); err != nil || v != "" {
		t.Fatalf("the password field after saving: %q %v", v, err)
	}
	if text := read(`#h-bind_password`); !strings.Contains(text, "A password is stored. Leave empty to keep it.") {
		t.Fatalf("the password's help: %q", text)
	}
	if ph, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#f-user_attr').placeholder`)); err != nil || ph != "uid" {
		t.Fatalf("the user name's placeholder for OpenLDAP: %q %v", ph, err)
	}

	if text := press("test the connection", `#directory-test button.primary`); text != "Connected: 4 people and 3 groups found." {
		t.Fatalf("after Test the connection: %q", text)
	}

	if text := press("sync now", `#directory-sync button`); text != "Read 4 people: nobody disabled." {
		t.Fatalf("after Sync now: %q", text)
	}
	if text := read(`#directory-status`); !strings.Contains(text, "Last sync") || strings.Contains(text, "None since") {
		t.Fatalf("the status after a sync: %q", text)
	}
}
