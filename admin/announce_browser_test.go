package admin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserManagerAnnouncesAndGivesAPicture walks the office manager, in
// a real headless Chromium, through New announcement to the list and a
// reminder, and through giving a colleague a picture, which the page then
// loads with the console's own session.
func TestBrowserManagerAnnouncesAndGivesAPicture(t *testing.T) {
	ts := start(t)
	ts.AddUser("ben", "member")
	channelID(t, ts, "sales", "mia", "ben")
	_, run, read := browse(t, 1100, 800)

	run("sign in", signInSteps(ts.URL, "boss", chromedp.WaitVisible(chromedp.CSS(`.tiles`)))...)
	run("write an announcement to #sales",
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/announcements"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#announcements-table`)),
		chromedp.Click(chromedp.CSS(`a.button.primary[href="/admin/announcements/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-text`)),
		chromedp.SendKeys(chromedp.CSS(`#f-text`), "Fire drill on Friday at 10"),
		chromedp.Click(chromedp.CSS(`input[name=to][value=channels]`)),
		chromedp.Click(chromedp.CSS(`.channel-picks label`)),
		chromedp.Click(chromedp.CSS(`main button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
	if text := read(`.flash-ok`); !strings.Contains(text, "posted to #sales") {
		t.Fatalf("flash after posting: %q", text)
	}
	if row := read(`#announcements-table tbody tr`); !strings.Contains(row, "Fire drill on Friday at 10") || !strings.Contains(row, "0 of 2 confirmed") {
		t.Fatalf("the list's row: %q", row)
	}
	run("remind the two",
		chromedp.Click(chromedp.CSS(`#announcements-table tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`#pending`)),
		chromedp.Click(chromedp.CSS(`#pending button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
	if text := read(`.flash-ok`); !strings.Contains(text, "Reminded 2 people.") {
		t.Fatalf("flash after the reminder: %q", text)
	}

	file := filepath.Join(t.TempDir(), "mia.png")
	if err := os.WriteFile(file, testPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	run("give Mia a picture",
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/people"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#people-table`)),
		chromedp.Click(chromedp.CSS(`#people-table a[href="/admin/people/mia"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-picture`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-picture`), []string{file}),
		chromedp.Click(chromedp.CSS(`#picture button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		// The picture loads: the console's session opens /api/users/…/picture.
		chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector('#picture img.avatar'); return i && i.complete && i.naturalWidth === 256; })()`),
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/people"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#people-table`)),
		chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector('#people-table img.avatar'); return i && i.complete && i.naturalWidth === 256; })()`),
	)
}
