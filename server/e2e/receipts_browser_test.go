package e2e

// Read receipts, announcements that must be confirmed, and the settings
// behind them in the browser (docs/people.md, docs/client.md "Receipts,
// announcements, notifications"). Two people in separate browser contexts
// against the real server.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"inhouse/server/archive"
)

// seenUnder is the JavaScript expression of the receipt row right after
// message seq ("null" when there is none).
func seenUnder(seq string) string {
	return `document.querySelector(` + js(msgSel(seq)+` + .seen-row`) + `)`
}

// seenText is the JavaScript expression of the words shown under message
// seq in a direct message ('Seen', 'Seen by Ben, Cleo'; undefined without).
func seenText(seq string) string {
	return seenUnder(seq) + `?.querySelector('.seen > [aria-hidden]')?.textContent`
}

// seenRows lists the data-seq of every receipt row on p's page, in order.
func seenRows(p *person) []string {
	p.e.t.Helper()
	return eval[[]string](p, `[...document.querySelectorAll('.msgs .seen-row')].map(li => li.dataset.seq)`)
}

// receiptsReady waits until p's page has loaded view/receipts.js (the band
// is its element), so a frame from now on is heard by it.
func (p *person) receiptsReady() {
	p.e.t.Helper()
	p.until("view/receipts.js loaded", `document.querySelector('#announce-band')`, 10*time.Second)
}

// setReceipts changes the office's read receipts setting.
func (e *env) setReceipts(v string) {
	e.t.Helper()
	st := e.store().Settings()
	st.Receipts = v
	if err := e.store().SaveSettings(st); err != nil {
		e.t.Fatal(err)
	}
}

// A direct message: Ana's message shows "Seen" once Ben opened the
// conversation (his read position moved), with who and when in its
// tooltip; Ana writes again, Ben (looking at it) reads it and the row moves
// under the new message, live. A reload of Ana's page takes it from GET
// /api/channels/{id}/seen. Ben hides his receipts in Notifications and
// privacy: his next read tells Ana nothing, and her reloaded page shows no
// Seen. With the office's receipts off, nothing shows and nothing is asked.
func TestReceiptsSeenInDirectMessage(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	dmc, _, err := e.store().DirectChannel("ana", "ben")
	if err != nil {
		t.Fatal(err)
	}
	dm := dmc.ID
	e.seed(dm, "ana: The invoice is out")

	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ana.open(dm)
	ana.until("her message", hasText("The invoice is out"), 5*time.Second)
	ana.receiptsReady()
	first := keyOf(ana, "The invoice is out")
	if got := seenRows(ana); len(got) != 0 {
		e.fatalf("Seen before Ben read anything: %v", got)
	}

	// Ben opens the conversation: his read position moves to her message.
	seen := ana.heard("seen")
	ben.enter()
	ben.open(dm)
	ben.until("Ana's message", hasText("The invoice is out"), 5*time.Second)
	e.waitFor("a seen frame for Ana", 10*time.Second, func() bool { return ana.heard("seen") > seen })
	ana.until("Seen under her message", seenText(first)+` === 'Seen'`, 5*time.Second)
	title := eval[string](ana, seenUnder(first)+`.querySelector('.seen').title`)
	if !strings.HasPrefix(title, "Seen by Ben at ") {
		e.fatalf("the tooltip of Seen is %q, want who and when", title)
	}
	if got := eval[string](ana, seenUnder(first)+`.querySelector('.sr-only').textContent`); got != title {
		e.fatalf("screen readers hear %q, want %q", got, title)
	}
	if got := seenRows(ben); len(got) != 0 {
		e.fatalf("Ben's page shows a receipt under Ana's message (he has not been read by anyone): %v", got)
	}
	e.save(ana, "seen-dm")
	a11y(ana, "a direct message with Seen")

	// Ana writes again; Ben, looking at the conversation, reads it: the row moves.
	seen = ana.heard("seen")
	ana.say("Did it arrive?")
	ben.until("the new message", hasText("Did it arrive?"), 5*time.Second)
	e.waitFor("the next seen frame", 10*time.Second, func() bool { return ana.heard("seen") > seen })
	second := keyOf(ana, "Did it arrive?")
	ana.until("Seen moved under the new message", seenText(second)+` === 'Seen' && !`+seenUnder(first), 5*time.Second)
	if got := seenRows(ana); len(got) != 1 || got[0] != second {
		e.fatalf("receipt rows %v, want one under %s", got, second)
	}

	// A reload: the position comes from GET /api/channels/{id}/seen.
	ana.run(chromedp.Reload())
	ana.until("the chat again", `document.querySelector('#composer')`, 10*time.Second)
	ana.until("Seen after a reload", seenText(second)+` === 'Seen'`, 10*time.Second)

	// Ben hides his receipts (the office's default lets him) in Notifications and privacy.
	ben.do(`document.querySelector('.menu').open = true`)
	pressNow(e, ben, `#menu-settings`)
	ben.until("the settings dialog", `document.querySelector('#settings-dialog[open] #settings-hide-receipts')`, 10*time.Second)
	if got := eval[string](ben, `document.querySelector('#settings-no-push').textContent`); !strings.Contains(got, "an office network has no push service") {
		e.fatalf("the settings say %q about notifications with no tab open", got)
	}
	e.save(ben, "settings")
	a11y(ben, "Notifications and privacy")
	pressNow(e, ben, `#settings-hide-receipts`)
	e.waitFor("Ben's choice stored", 10*time.Second, func() bool {
		u, err := e.store().User("ben")
		return err == nil && u.HideReceipts
	})
	ben.until("the box stays ticked", `document.querySelector('#settings-hide-receipts').checked && !document.querySelector('#settings-hide-receipts').disabled`, 5*time.Second)
	ben.do(`document.querySelector('#settings-dialog').close()`)
	// Ana's next message is read by Ben and nobody is told; her reload shows nothing.
	seen = ana.heard("seen")
	ana.say("Thanks!")
	ben.until("the third message", hasText("Thanks!"), 5*time.Second)
	third := keyOf(ana, "Thanks!")
	e.waitFor("Ben's read stored", 10*time.Second, func() bool { return readSeq(e, dm, "ben") == third })
	ana.run(chromedp.Reload())
	ana.until("the chat again", `document.querySelector('#composer')`, 10*time.Second)
	ana.open(dm)
	ana.until("the messages", hasText("Thanks!"), 10*time.Second)
	ana.receiptsReady()
	ana.until("the seen positions asked for", `performance.getEntriesByType('resource').some(r => r.name.includes('/seen'))`, 10*time.Second)
	if got := seenRows(ana); len(got) != 0 {
		e.fatalf("Ben hides his receipts, yet Ana's page shows %v", got)
	}
	if ana.heard("seen") != seen {
		e.fatalf("a seen frame reached Ana for someone who hides his receipts")
	}

	// The office turns receipts off: no Seen, no request for them, no setting to hide them.
	e.setReceipts(archive.ReceiptsOff)
	ana.run(chromedp.Reload())
	ana.until("the chat again", `document.querySelector('#composer')`, 10*time.Second)
	ana.open(dm)
	ana.until("the messages", hasText("Thanks!"), 10*time.Second)
	ana.receiptsReady()
	ana.do(`document.querySelector('.menu').open = true`)
	pressNow(e, ana, `#menu-settings`)
	ana.until("the settings dialog", `document.querySelector('#settings-dialog[open] #settings-no-push')`, 10*time.Second)
	if eval[bool](ana, `!!document.querySelector('#settings-hide-receipts') || [...document.querySelectorAll('#settings-dialog h3')].some(h => h.textContent === 'Privacy')`) {
		e.fatalf("receipts are off, yet the settings offer to hide them")
	}
	if eval[bool](ana, `performance.getEntriesByType('resource').some(r => r.name.includes('/seen'))`) || len(seenRows(ana)) != 0 {
		e.fatalf("receipts are off, yet Ana's page asked for them or shows them")
	}
}

// readSeq is user's read position in channel as the server keeps it, as a string like data-key.
func readSeq(e *env, channel, user string) string {
	return fmt.Sprint(e.store().ReadSeq(channel, user))
}

// A channel: "Seen by 1" under Ana's own message once Ben read it (from
// GET …/seen when she opens it), the list on click names Ben with a time;
// it follows Ben's reading live to her next message (the earlier one, seen
// by as many, says nothing more); nothing under Ben's messages on her page.
func TestReceiptsSeenByInChannel(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	e.addUser("cleo", true)
	general := e.channel("general", "ana", "ana", "ben", "cleo")
	random := e.channel("random", "ana", "ana", "ben", "cleo")
	e.seed(general, "ben: Morning all", "ana: Lunch at noon?")
	e.seed(random, "ana: elsewhere")

	ana, ben := e.person("ana"), e.person("ben")
	ben.enter()
	ben.open(general)
	ben.until("the messages", hasText("Lunch at noon?"), 5*time.Second)
	e.waitFor("Ben's read stored", 10*time.Second, func() bool { return e.store().ReadSeq(general, "ben") == 2 })

	ana.enter()
	ana.open(random)
	ana.receiptsReady()
	ana.open(general)
	ana.until("the messages", hasText("Lunch at noon?"), 5*time.Second)
	lunch := keyOf(ana, "Lunch at noon?")
	morning := keyOf(ana, "Morning all")
	ana.until("Seen by 1 under her message", seenUnder(lunch)+`?.textContent === 'Seen by 1'`, 10*time.Second)
	if got := seenRows(ana); len(got) != 1 {
		e.fatalf("receipt rows %v, want one (none under Ben's %s)", got, morning)
	}
	e.save(ana, "seen-by")
	a11y(ana, "a channel with Seen by 1")

	// The list on click: Ben, with a time; Esc gives focus back.
	pressNow(e, ana, msgSel(lunch)+` + .seen-row button`)
	ana.until("the list", `document.querySelector('dialog[open] .seen-list')`, 5*time.Second)
	names := eval[[]string](ana, `[...document.querySelectorAll('dialog[open] .seen-list li')].map(li => li.querySelector('.seen-name').textContent + '|' + li.querySelector('.muted').textContent)`)
	if len(names) != 1 || !strings.HasPrefix(names[0], "Ben|") || names[0] == "Ben|" {
		e.fatalf("the list says %v, want Ben with a time", names)
	}
	if got := eval[string](ana, `document.querySelector('dialog[open] h2').textContent`); got != "Seen by 1" {
		e.fatalf("the list's title is %q", got)
	}
	a11y(ana, "the list of who saw it")
	ana.do(`document.querySelector('dialog[open]').close()`)
	ana.until("focus back on Seen by 1", `document.activeElement?.closest('.seen-row')?.dataset.seq === `+js(lunch), 5*time.Second)

	// Ana writes again; Ben is looking: the count follows live.
	seen := ana.heard("seen")
	ana.say("Or at one?")
	ben.until("her new message", hasText("Or at one?"), 5*time.Second)
	e.waitFor("a seen frame for the author", 10*time.Second, func() bool { return ana.heard("seen") > seen })
	one := keyOf(ana, "Or at one?")
	ana.until("Seen by 1 moved to the new message", seenUnder(one)+`?.textContent === 'Seen by 1' && !`+seenUnder(lunch), 5*time.Second)
}

// pendingFor lists what GET /api/announcements answers p's page, as channel/seq.
func pendingFor(p *person) []string {
	p.e.t.Helper()
	raw := eval[string](p, `fetch('/api/announcements').then(r => r.text())`, chromedp.EvalAwaitPromise)
	var out struct {
		Pending []struct {
			Channel string
			Seq     uint64
		}
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		p.e.fatalf("GET /api/announcements: %v (%s)", err, raw)
	}
	var list []string
	for _, x := range out.Pending {
		list = append(list, fmt.Sprintf("%s/%d", x.Channel, x.Seq))
	}
	return list
}

// Ana, the office manager, ticks *Ask everyone to confirm* and sends an
// announcement to #general. Ben, in another channel, sees the marker on
// #general in the sidebar; opening it shows the amber band with the text,
// Ana and the time, and "I have read this"; the message in the list says
// "Asks for confirmation". A reload keeps the band (from GET
// /api/announcements); pressing the button takes it away, the marker too,
// on the server as well, and after a reload it stays gone. A second
// announcement confirmed in another tab (the API) leaves through the
// confirmed frame. Ben, not allowed to ask, has no such option. With his tab
// hidden a message chimes, not with the sound off, nor in do not disturb.
func TestAnnounceConfirmBand(t *testing.T) {
	e := newEnv(t)
	e.addRole("ana", archive.RoleAdmin, false)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ana", "ben")
	random := e.channel("random", "ana", "ana", "ben")
	e.seed(random, "ben: hello")

	ana, ben := e.person("ana"), e.person("ben")
	ben.enter()
	ben.open(random)
	ben.receiptsReady()
	if eval[bool](ben, `!document.querySelector('#ask-confirm').closest('label').hidden`) {
		e.fatalf("Ben may not ask for confirmation, yet the composer offers it")
	}

	ana.enter()
	ana.open(general)
	ana.receiptsReady()
	ana.until("the option for the office manager", `!document.querySelector('#ask-confirm').closest('label').hidden`, 5*time.Second)
	a11y(ana, "the composer with Ask everyone to confirm")
	pressNow(e, ana, `#ask-confirm`)
	e.save(ana, "ask-confirm")
	ana.say("Please read the new holiday rules")
	ana.until("her message stored", hasText("Please read the new holiday rules")+` && !document.querySelector('.msg.pending')`, 10*time.Second)
	if eval[bool](ana, `document.querySelector('#ask-confirm').checked`) {
		e.fatalf("the option stays ticked after sending")
	}
	stored := e.lastMessage(general)
	if !stored.Confirm || stored.Text != "Please read the new holiday rules" {
		e.fatalf("stored %+v, want the text asking for confirmation", stored)
	}
	seq := fmt.Sprint(stored.Seq)
	ana.until("'Asks for confirmation' on her message", `document.querySelector(`+js(msgSel(seq)+` .ask-note`)+`)?.textContent === 'Asks for confirmation'`, 5*time.Second)
	if eval[bool](ana, `!document.querySelector('#announce-band').hidden`) {
		e.fatalf("the author is asked to confirm her own announcement")
	}

	// Ben, elsewhere: the sidebar marks #general.
	marker := `document.querySelector('.items a[data-id=` + js(general) + `] .ask-mark')`
	ben.until("the marker on #general", marker, 10*time.Second)
	if said := eval[string](ben, `document.querySelector('.items a[data-id=`+js(general)+`]').getAttribute('aria-label')`); !strings.Contains(said, "an announcement to confirm") {
		e.fatalf("the sidebar link says %q", said)
	}
	ben.open(general)
	band := `document.querySelector('#announce-band:not([hidden]) .announce[data-seq=` + js(seq) + `]')`
	ben.until("the band with the announcement", band+`?.querySelector('.announce-text').textContent === 'Please read the new holiday rules'`, 5*time.Second)
	if head := eval[string](ben, band+`.querySelector('.announce-head').textContent`); !strings.Contains(head, "Please confirm you have read this") || !strings.Contains(head, "Ana") {
		e.fatalf("the band's head says %q", head)
	}
	ben.until("the label in the list", `document.querySelector(`+js(msgSel(seq)+` .ask-note`)+`)`, 5*time.Second)
	e.save(ben, "announce-band")
	a11y(ben, "the announcement band")

	// A reload: still there.
	ben.run(chromedp.Reload())
	ben.until("the band after a reload", band, 10*time.Second)

	// I have read this: gone here, from the sidebar and on the server.
	pressNow(e, ben, `#announce-band .announce[data-seq=`+js(seq)+`] .confirm-button`)
	ben.until("the band gone", `document.querySelector('#announce-band').hidden && !`+marker, 10*time.Second)
	if got := pendingFor(ben); len(got) != 0 {
		e.fatalf("the server still asks Ben to confirm %v", got)
	}
	ben.run(chromedp.Reload())
	ben.until("the chat again", `document.querySelector('#composer')`, 10*time.Second)
	ben.open(general)
	ben.receiptsReady()
	ben.until("the announcements asked for", `performance.getEntriesByType('resource').some(r => r.name.endsWith('/api/announcements'))`, 10*time.Second)
	ben.until("the message there", hasText("Please read the new holiday rules"), 10*time.Second)
	if eval[bool](ben, `!document.querySelector('#announce-band').hidden || !!`+marker) {
		e.fatalf("the confirmed announcement came back after a reload")
	}

	// A second one, confirmed from another tab (the API): the confirmed frame takes the band away here.
	pressNow(e, ana, `#ask-confirm`)
	ana.say("And the fire drill is on Friday")
	ben.until("the second band", `document.querySelector('#announce-band:not([hidden]) .announce .announce-text')?.textContent === 'And the fire drill is on Friday'`, 10*time.Second)
	second := eval[string](ben, `document.querySelector('#announce-band .announce').dataset.seq`)
	other := e.apiLogin("ben")
	if status, body := other.call("POST", "/api/announcements/"+general+"/"+second+"/confirm", map[string]any{}); status != 200 {
		e.fatalf("confirm from another tab: %d %s", status, body)
	}
	// Nothing on this page asked: only the confirmed frame can take it away.
	ben.until("the second band gone", `document.querySelector('#announce-band').hidden && !`+marker, 10*time.Second)

	// The service worker is registered from /sw.js (it only reopens the app from a notification).
	e.waitFor("the service worker active", 10*time.Second, func() bool {
		return eval[bool](ben, `navigator.serviceWorker.getRegistration().then(r => (r?.active?.scriptURL || '').endsWith('/sw.js'))`, chromedp.EvalAwaitPromise)
	})

	// The sound: with the tab out of sight a notification's chime plays (made with
	// WebAudio); turned off in Notifications and privacy, it does not.
	ben.do(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })`)
	chimes := `import('/sound.js').then(m => m.chimes.played)`
	before := eval[int](ben, chimes, chromedp.EvalAwaitPromise)
	ana.say("Coffee is here")
	ben.until("the message", hasText("Coffee is here"), 5*time.Second)
	if n := eval[int](ben, chimes, chromedp.EvalAwaitPromise); n != before+1 {
		e.fatalf("chimes %d after a message with the tab hidden, want %d", n, before+1)
	}
	ben.do(`document.querySelector('.menu').open = true`)
	pressNow(e, ben, `#menu-settings`)
	ben.until("the sound switch, on", `document.querySelector('#settings-dialog[open] #settings-sound')?.checked`, 10*time.Second)
	pressNow(e, ben, `#settings-sound`)
	ben.do(`document.querySelector('#settings-dialog').close()`)
	if got := eval[string](ben, `localStorage.getItem('inhouse.sound.ben')`); got != "off" {
		e.fatalf("the sound switch stored %q", got)
	}
	ana.say("Cake too")
	ben.until("the message", hasText("Cake too"), 5*time.Second)
	if n := eval[int](ben, chimes, chromedp.EvalAwaitPromise); n != before+1 {
		e.fatalf("a chime with the sound off (%d, want %d)", n, before+1)
	}
	// Quiet (do not disturb, set from another session): no chime with the sound on. The
	// person frame reaches Ben's page before Ana's next message (it is sent before the
	// request answers); when do not disturb ends, the chime is back.
	ben.do(`localStorage.setItem('inhouse.sound.ben', 'on')`)
	if status, body := other.call("PUT", "/api/me/dnd", map[string]any{"minutes": 60}); status != 200 {
		e.fatalf("do not disturb: %d %s", status, body)
	}
	ana.say("The meeting moved to 3")
	ben.until("the message", hasText("The meeting moved to 3"), 5*time.Second)
	if n := eval[int](ben, chimes, chromedp.EvalAwaitPromise); n != before+1 {
		e.fatalf("a chime in do not disturb (%d, want %d)", n, before+1)
	}
	if status, body := other.call("DELETE", "/api/me/dnd", nil); status != 200 {
		e.fatalf("end do not disturb: %d %s", status, body)
	}
	ana.say("Back to normal")
	ben.until("the message", hasText("Back to normal"), 5*time.Second)
	if n := eval[int](ben, chimes, chromedp.EvalAwaitPromise); n != before+2 {
		e.fatalf("no chime once do not disturb ended (%d, want %d)", n, before+2)
	}
	if eval[bool](ben, `performance.getEntriesByType('resource').some(r => /\.(mp3|ogg|wav|m4a|webm)(\?|$)/.test(r.name))`) {
		e.fatalf("an audio file was fetched")
	}
}
