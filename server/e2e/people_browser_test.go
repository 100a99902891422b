package e2e

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/archive"
	"inhouse/server/office"
)

// People in the browser (docs/people.md, docs/client.md): two people in
// separate browser contexts against the real server.

// menuEntry opens p's account menu and presses one of its people entries
// (profile, status, dnd, hours), then waits for its dialog.
func menuEntry(e *env, p *person, what string) {
	e.t.Helper()
	p.do(`document.querySelector('.menu').open = true`)
	p.until("the menu's entry "+what, `document.querySelector('[data-people="`+what+`"]')`, 10*time.Second)
	pressNow(e, p, `[data-people="`+what+`"]`)
	p.until("its dialog", `document.querySelector('dialog[open]')`, 5*time.Second)
}

// Ana sets a status (an emoji from the picker, a text, cleared in an hour)
// and Ben sees it beside her name in the messages and in the sidebar; Ana
// turns on do-not-disturb, Ben sees the moon and, opening their direct
// message, "Ana is not notified until …" at the time the server keeps;
// off again, the line goes. Ana's own dot says when the connection is lost
// and comes back online with it.
func TestPeopleStatusAndQuiet(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	dm, _, err := e.store().DirectChannel("ana", "ben")
	if err != nil {
		t.Fatal(err)
	}
	e.seed(general, "ana: Morning, the invoice is out")

	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ana.open(general)
	ben.open(general)
	// Until Ana has a picture her initials stand for her, on her colour.
	ben.until("Ana's initials beside her message", `document.querySelector('.msg.head .meta button.face[data-user="ana"]')?.textContent === 'A'`, 10*time.Second)
	if !eval[bool](ben, `/^face hue[0-7]$/.test(document.querySelector('.msg.head .meta .face').className)`) {
		e.fatalf("the face has no colour: %q", eval[string](ben, `document.querySelector('.msg.head .meta .face').className`))
	}

	// The status: typed words, 🦷 from the picker, cleared after an hour.
	menuEntry(e, ana, "status")
	ana.until("the status box focused", `document.activeElement?.id === 'status-text'`, 5*time.Second)
	ana.run(chromedp.SendKeys(chromedp.CSS("#status-text"), "At the dentist"))
	pressNow(e, ana, "#status-emoji")
	ana.until("the picker's full list", `document.querySelectorAll('.status-picker .emoji').length > 1000 && document.activeElement?.classList.contains('emoji-search')`, 10*time.Second)
	ana.run(chromedp.KeyEvent("tooth"))
	ana.until("🦷 first", `document.querySelector('.status-picker .emoji')?.dataset.emoji === '🦷'`, 5*time.Second)
	ana.run(chromedp.KeyEvent(kb.Enter))
	ana.until("🦷 chosen and focus back on its button", `document.activeElement?.id === 'status-emoji' && document.activeElement.textContent === '🦷' && document.querySelector('.status-picker').hidden`, 5*time.Second)
	a11y(ana, "the status dialog")
	e.save(ana, "status-dialog")
	ana.do(`const s = document.querySelector('#status-until'); s.value = '1h'; s.dispatchEvent(new Event('change'))`)
	before := time.Now()
	pressNow(e, ana, ".status-form button[type=submit]")
	ana.until("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	u, err := e.store().User("ana")
	if err != nil {
		t.Fatal(err)
	}
	if u.Note == nil || u.Note.Emoji != "🦷" || u.Note.Text != "At the dentist" || u.Note.Until.Before(before.Add(59*time.Minute)) || u.Note.Until.After(time.Now().Add(61*time.Minute)) {
		e.fatalf("stored status %+v, want 🦷 At the dentist for an hour", u.Note)
	}
	badge := `document.querySelector('.msg.head .meta .badge')`
	ben.until("🦷 beside Ana's name", badge+`?.textContent.startsWith('🦷')`, 5*time.Second)
	if title := eval[string](ben, badge+`.title`); !strings.HasPrefix(title, "At the dentist until ") {
		e.fatalf("the status's tooltip is %q", title)
	}
	if said := eval[string](ben, badge+`.querySelector('.sr-only').textContent`); !strings.Contains(said, "At the dentist until ") {
		e.fatalf("screen readers hear %q", said)
	}
	dmLink := `document.querySelector('.items a[data-id="` + dm.ID + `"]')`
	ben.until("the status in the sidebar's direct message", dmLink+`?.querySelector('.badge')?.textContent.startsWith('🦷') && `+dmLink+`.getAttribute('aria-label').includes('At the dentist until ')`, 5*time.Second)
	ana.until("her own status beside her name", `document.querySelector('.own-badge .badge')?.textContent.startsWith('🦷')`, 5*time.Second)
	e.save(ben, "status")

	// Do not disturb for an hour: a moon, and the line before a direct message.
	menuEntry(e, ana, "dnd")
	a11y(ana, "the do-not-disturb dialog")
	pressNow(e, ana, `[data-dnd="60"]`)
	ana.until("her own moon", `document.querySelector('.own-badge .moon')`, 5*time.Second)
	ben.until("a moon beside Ana's name", badge+`?.querySelector('.moon')`, 5*time.Second)
	u, _ = e.store().User("ana")
	if u.DNDUntil.Before(time.Now().Add(58 * time.Minute)) {
		e.fatalf("do not disturb stored until %v", u.DNDUntil)
	}
	ben.open(dm.ID)
	ben.until("the quiet line above the composer", `document.querySelector('#quiet-line:not([hidden])')`, 5*time.Second)
	want := eval[string](ben, fmt.Sprintf(`(() => { const t = new Date(%d); const day = t.toDateString() === new Date().toDateString() ? '' : 'tomorrow ';
		return 'Ana is not notified until ' + day + new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(t) + '.' })()`, u.DNDUntil.UnixMilli()))
	if got := eval[string](ben, `document.querySelector('#quiet-line').textContent`); got != "🌙"+want {
		e.fatalf("the quiet line says %q, want %q", got, want)
	}
	if !eval[bool](ben, `(() => { const q = document.querySelector('#quiet-line'), f = document.querySelector('.composer'); return q.getBoundingClientRect().bottom <= f.getBoundingClientRect().top; })()`) {
		e.fatalf("the quiet line is not above the composer")
	}
	a11y(ben, "a direct message with the quiet line")
	e.save(ben, "quiet")
	menuEntry(e, ana, "dnd")
	pressNow(e, ana, `#dnd-off`)
	ben.until("the quiet line gone", `document.querySelector('#quiet-line').hidden`, 5*time.Second)
	ana.until("her own moon gone", `!document.querySelector('.own-badge .moon')`, 5*time.Second)

	// Working hours, quiet outside them: every day one minute six hours from
	// now, in the browser's time zone. Ben's line says when they begin.
	menuEntry(e, ana, "hours")
	a11y(ana, "the working hours dialog")
	e.save(ana, "hours")
	from := eval[string](ana, `String((new Date().getHours() + 6) % 24).padStart(2, '0') + ':00'`)
	ana.do(`for (const li of document.querySelectorAll('.hours-day')) {
		const [on, a, b] = li.querySelectorAll('input'); if (!on.checked) on.click(); a.value = ` + js(from) + `; b.value = ` + js(from[:3]+"01") + `; }
		document.querySelector('#hours-quiet').click();`)
	pressNow(e, ana, ".hours-form button[type=submit]")
	ana.until("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	u, _ = e.store().User("ana")
	if u.Hours == nil || !u.Hours.Quiet || u.Hours.TZ == "" || u.Hours.Days[3] == nil || u.Hours.Days[3][0] != from {
		e.fatalf("stored hours %+v, want every day from %s, quiet", u.Hours, from)
	}
	q := office.PersonAt(u, time.Now()).Quiet
	if q == nil || q.Why != "hours" {
		e.fatalf("Ana is not quiet outside her hours: %+v", q)
	}
	want = eval[string](ben, fmt.Sprintf(`(() => { const t = new Date(%d); const day = t.toDateString() === new Date().toDateString() ? '' : 'tomorrow ';
		return 'Ana is not notified until ' + day + new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(t) + '.' })()`, q.Until.UnixMilli()))
	ben.until("the quiet line for her hours", `document.querySelector('#quiet-line:not([hidden])')?.textContent === `+js("🌙"+want), 5*time.Second)
	ana.until("her own moon for her hours", `document.querySelector('.own-badge .moon')`, 5*time.Second)

	// Honest presence: Ana's own dot says when the connection is lost.
	if !eval[bool](ana, `document.querySelector('.menu summary .dot').classList.contains('online') && document.querySelector('.conn-lost').hidden`) {
		e.fatalf("Ana's dot is not online while connected")
	}
	e.down()
	ana.until("her dot saying the connection is lost", `document.querySelector('.menu summary .dot.lost') && !document.querySelector('.conn-lost').hidden && document.querySelector('.conn-lost').textContent === 'Connection lost — reconnecting'`, 10*time.Second)
	e.save(ana, "connection-lost")
	e.up()
	ana.until("the Try now button", `document.querySelector('.status-bar button')`, 10*time.Second)
	ana.do(`document.querySelector('.status-bar button').click()`)
	ana.until("online again", `document.querySelector('.menu summary .dot.online') && document.querySelector('.conn-lost').hidden`, 20*time.Second)
}

// facePNG writes a w × h picture, left half red, right half blue, for
// the profile's file picker.
func facePNG(t *testing.T, w, h int) string {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{200, 30, 30, 255}
			if x >= w/2 {
				c = color.RGBA{30, 30, 200, 255}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "me.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// Ana fills in her profile (title, phone) and uploads a picture she crops
// in the browser; Ben sees the picture beside her message (the address
// carries its version) and in the sidebar, opens her card from it (title,
// phone, Message) and Message opens their direct conversation. When the
// office lets only the manager change profiles, Ben's Profile says so and
// shows the fields read-only.
func TestPeoplePictureAndCard(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	dm, _, err := e.store().DirectChannel("ana", "ben")
	if err != nil {
		t.Fatal(err)
	}
	e.seed(general, "ana: The invoice is out")
	pic := facePNG(t, 900, 600)

	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ana.open(general)
	ben.open(general)

	menuEntry(e, ana, "profile")
	ana.run(chromedp.SendKeys(chromedp.CSS(`.profile-form input[autocomplete="organization-title"]`), "Accounts"),
		chromedp.SendKeys(chromedp.CSS(`.profile-form input[inputmode="tel"]`), "214"))
	ana.run(chromedp.SetUploadFiles(chromedp.CSS("#profile-file"), []string{pic}))
	ana.until("the crop frame", `document.querySelector('.crop:not([hidden]) canvas.crop-canvas') && document.querySelector('#crop-use')`, 10*time.Second)
	a11y(ana, "the profile dialog with the crop frame")
	e.save(ana, "crop")
	// Zoomed in and moved to the left edge: the square is all red.
	ana.do(`const z = document.querySelector('.crop-zoom'); z.value = '2'; z.dispatchEvent(new Event('input'));
		const c = document.querySelector('.crop-canvas'); for (let i = 0; i < 40; i++) c.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft', shiftKey: true, bubbles: true}));`)
	pressNow(e, ana, "#crop-use")
	ana.until("the picture saved", `document.querySelector('.crop').hidden && document.querySelector('.profile-face .face img')`, 10*time.Second)
	pressNow(e, ana, ".profile-form button[type=submit]")
	ana.until("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	u, err := e.store().User("ana")
	if err != nil {
		t.Fatal(err)
	}
	if u.Title != "Accounts" || u.Phone != "214" || u.Picture == "" {
		e.fatalf("stored title %q, phone %q, picture %q", u.Title, u.Phone, u.Picture)
	}

	// Ben: the picture with its version, beside the message and in the sidebar.
	src := "/api/users/ana/picture?v=" + u.Picture
	img := `document.querySelector('.msg.head .meta .face[data-user="ana"] img')`
	ben.until("Ana's picture beside her message", img+`?.getAttribute('src') === `+js(src)+` && `+img+`.complete && `+img+`.naturalWidth === 256`, 10*time.Second)
	ben.until("and in the sidebar", `document.querySelector('.items a[data-id="`+dm.ID+`"] .face img')?.getAttribute('src') === `+js(src), 5*time.Second)
	// The crop went up: the left (red) side of the picture.
	red := eval[bool](ben, `(() => { const i = `+img+`, c = document.createElement('canvas'); c.width = c.height = 256;
		const x = c.getContext('2d'); x.drawImage(i, 0, 0); const [r, g, b] = x.getImageData(250, 128, 1, 1).data; return r > 150 && b < 90; })()`)
	if !red {
		e.fatalf("the uploaded square is not the part Ana chose")
	}
	e.save(ben, "picture")

	// The card, from the picture.
	pressNow(e, ben, `.msg.head .meta .face[data-user="ana"]`)
	ben.until("Ana's card", `document.querySelector('dialog[open] .card[data-card="ana"] .card-title')?.textContent === 'Accounts'`, 5*time.Second)
	if got := eval[string](ben, `document.querySelector('dialog[open] .card-phone').textContent`); got != "214" {
		e.fatalf("the card's phone is %q", got)
	}
	if got := eval[string](ben, `document.querySelector('dialog[open] .modal-head h2').textContent`); got != "Ana" {
		e.fatalf("the card is titled %q", got)
	}
	ben.until("Message focused", `document.activeElement?.id === 'card-message'`, 5*time.Second)
	a11y(ben, "the person card")
	e.save(ben, "card")
	pressNow(e, ben, "#card-message")
	ben.until("the direct conversation with Ana", `document.querySelector('.items a.current[data-id="`+dm.ID+`"]') && !document.querySelector('dialog[open]')`, 5*time.Second)

	// The name opens the card too, and Esc closes it.
	ben.open(general)
	ben.until("Ana's name", `document.querySelector('.msg.head .author[data-user="ana"]')`, 5*time.Second)
	pressNow(e, ben, `.msg.head .author[data-user="ana"]`)
	ben.until("the card again", `document.querySelector('dialog[open] .card[data-card="ana"]')`, 5*time.Second)
	ben.run(chromedp.KeyEvent(kb.Escape))
	ben.until("closed", `!document.querySelector('dialog[open]')`, 5*time.Second)

	// Only the manager changes profiles: Ben's Profile is read-only and says why.
	st := e.store().Settings()
	st.ProfilesBy = archive.AdminsOnly
	if err := e.store().SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	menuEntry(e, ben, "profile")
	ben.until("the fields read-only, and why", `document.querySelector('.profile-form .note-line:not([hidden])') && document.querySelector('.profile-form input[inputmode="tel"]').readOnly && document.querySelector('#profile-choose').hidden`, 5*time.Second)
	a11y(ben, "the read-only profile")
}
