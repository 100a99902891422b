package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/servertest"
)

// Reactions, pins, saved messages and message links in the browser
// (docs/conversation.md, docs/client.md). Two people in separate browser
// contexts against the real server.

// msgSel is the CSS selector of message seq's list item.
func msgSel(seq string) string { return fmt.Sprintf(`.msg[data-key=%q]`, seq) }

// chip is the JavaScript expression of message seq's reaction chip for emoji.
func chip(seq, emoji string) string {
	return `document.querySelector(` + js(msgSel(seq)+` .reaction[data-emoji=`+fmt.Sprintf("%q", emoji)+`]`) + `)`
}

// a11y runs the small accessibility check of firsthour_test.go (names,
// headings, lists, 24 px targets) on what p's page shows now.
func a11y(p *person, where string) {
	p.e.t.Helper()
	if bad := eval[[]string](p, a11yCheck); len(bad) > 0 {
		p.e.fatalf("%s: %s:\n%s", p.name, where, strings.Join(bad, "\n"))
	}
}

// tools focuses message seq, which shows its tool bar, and waits for it.
func (p *person) tools(seq string) {
	p.e.t.Helper()
	p.do(`document.querySelector(` + js(msgSel(seq)) + `).focus()`)
	p.until("the message's tools", `getComputedStyle(document.querySelector(`+js(msgSel(seq)+` .msg-tools`)+`)).display === 'flex'`, 5*time.Second)
}

// Ana reacts 👍 to Ben's message from its tool bar; Ben sees "👍 1" with
// Ana named in the tooltip, her chip is outlined as hers; clicking it takes
// it back for both. The picker finds "thumbs" (👍 and 👎), is driven by the
// keyboard (↓ → Enter), gives focus back, and puts what was picked first
// next time. After a reload the reactions come from the history page.
func TestReactionsSeenByOthers(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	e.seed(general, "ben: The invoice is out")

	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ana.open(general)
	ben.open(general)
	ana.until("Ben's message", hasText("The invoice is out"), 5*time.Second)
	ben.until("his message", hasText("The invoice is out"), 5*time.Second)
	seq := keyOf(ana, "The invoice is out")

	// Others' messages have the tool bar too, without Edit and Delete.
	ana.tools(seq)
	if n := eval[int](ana, `document.querySelectorAll(`+js(msgSel(seq)+` .msg-tools .msg-actions`)+`).length`); n != 0 {
		e.fatalf("Ben's message offers Ana edit/delete")
	}
	pressNow(e, ana, msgSel(seq)+` [data-action="quick-react"][data-emoji="👍"]`)
	ben.until("👍 1 on Ben's page", chip(seq, "👍")+`?.textContent === '👍 1'`, 5*time.Second)
	if title := eval[string](ben, chip(seq, "👍")+`.title`); !strings.Contains(title, "Ana") {
		e.fatalf("the tooltip of Ben's chip is %q, want it to name Ana", title)
	}
	if eval[string](ben, chip(seq, "👍")+`.getAttribute('aria-pressed')`) != "false" {
		e.fatalf("Ben's page shows Ana's reaction as his")
	}
	ana.until("her chip, outlined as hers", chip(seq, "👍")+`?.classList.contains('mine') && `+chip(seq, "👍")+`.getAttribute('aria-pressed') === 'true' && !`+chip(seq, "👍")+`.classList.contains('pending')`, 5*time.Second)
	if eval[bool](ana, `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === '👍')`) {
		e.fatalf("the reaction record shows as a message")
	}
	// Hovering the chip shows who (the browser's tooltip is the title).
	ben.run(chromedp.ScrollIntoView(chromedp.CSS(msgSel(seq) + ` .reaction[data-emoji="👍"]`)))
	e.save(ben, "reaction")
	// The small accessibility check (firsthour_test.go) with the tool bar and a chip shown.
	ben.tools(seq)
	a11y(ben, "a message's tools and reactions")

	// Clicking her chip takes it back.
	ana.tools(seq)
	pressNow(e, ana, msgSel(seq)+` .reaction[data-emoji="👍"]`)
	ben.until("the reaction gone on Ben's page", `!`+chip(seq, "👍"), 5*time.Second)
	ana.until("the reaction gone on hers", `!`+chip(seq, "👍"), 5*time.Second)

	// The picker: search "thumbs", ↓ to the first result, → to the second, Enter.
	ana.tools(seq)
	pressNow(e, ana, msgSel(seq)+` .msg-tools [data-action="react"]`)
	ana.until("the picker with its search box focused", `document.activeElement?.classList.contains('emoji-search')`, 5*time.Second)
	ana.until("the full list", `document.querySelectorAll('.emoji-picker .emoji').length > 1000`, 5*time.Second)
	e.save(ana, "picker")
	a11y(ana, "the emoji picker")
	ana.run(chromedp.KeyEvent("thumbs"))
	ana.until("thumbs up and down found", `[...document.querySelectorAll('.emoji-picker .emoji')].map(b => b.dataset.emoji).join(' ') === '👍 👎'`, 5*time.Second)
	ana.run(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowRight))
	ana.until("👎 focused", `document.activeElement?.dataset.emoji === '👎'`, 5*time.Second)
	ana.run(chromedp.KeyEvent(kb.Enter))
	ana.until("the picker closed and focus back on its button", `!document.querySelector('.emoji-picker') && document.activeElement?.dataset.action === 'react'`, 5*time.Second)
	ben.until("👎 1 on Ben's page", chip(seq, "👎")+`?.textContent === '👎 1'`, 5*time.Second)

	// Esc closes the picker too; what was picked comes first next time.
	ana.tools(seq)
	pressNow(e, ana, msgSel(seq)+` .msg-tools [data-action="react"]`)
	ana.until("the picker again", `document.querySelectorAll('.emoji-picker .emoji').length > 1000`, 5*time.Second)
	if first := eval[string](ana, `document.querySelector('.emoji-picker .emoji-section h3').textContent + ' ' + document.querySelector('.emoji-picker .emoji').dataset.emoji`); first != "Recent 👎" {
		e.fatalf("the picker starts with %q, want the recent 👎", first)
	}
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the picker closed by Esc, focus back", `!document.querySelector('.emoji-picker') && document.activeElement?.dataset.action === 'react'`, 5*time.Second)

	// On a phone the picker is a sheet at the bottom, inside the screen.
	ana.run(chromedp.EmulateViewport(390, 844))
	// The picker chooses sheet or popover from the width when it opens:
	// wait until the page has the phone's width.
	ana.until("the phone's width", `innerWidth === 390 && matchMedia('(max-width: 720px)').matches`, 5*time.Second)
	ana.tools(seq)
	pressNow(e, ana, msgSel(seq)+` .msg-tools [data-action="react"]`)
	ana.until("the picker as a sheet", `(() => { const p = document.querySelector('.emoji-picker.sheet'); if (!p) return false; const r = p.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth && Math.abs(r.bottom - innerHeight) < 2; })()`, 5*time.Second)
	e.save(ana, "picker-phone")
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the sheet closed", `!document.querySelector('.emoji-picker')`, 5*time.Second)
	ana.run(chromedp.EmulateViewport(1200, 800))

	// A reload: the reaction comes with the history page (and is not applied twice).
	ben.run(chromedp.Reload())
	ben.until("the chat again", `document.querySelector('#composer')`, 10*time.Second)
	ben.until("👎 1 after a reload", chip(seq, "👎")+`?.textContent === '👎 1'`, 10*time.Second)
}

// Ana pins Ben's message from its More menu; it shows "Pinned", and Ben
// finds it in the Pinned panel of the conversation header; a click there
// opens it. Ana unpins it and Ben's open panel empties by itself.
func TestPinnedPanel(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	e.seed(general, "ben: Office closed on Friday", "ben: Lunch?")

	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ana.open(general)
	ben.open(general)
	ana.until("the messages", hasText("Office closed on Friday"), 5*time.Second)
	seq := keyOf(ana, "Office closed on Friday")

	ana.tools(seq)
	pressNow(e, ana, msgSel(seq)+` [data-action="more"]`)
	ana.until("the menu, its first item focused", `document.activeElement?.getAttribute('role') === 'menuitem' && document.querySelector('.msg-menu [data-action="pin"]')?.textContent === 'Pin to channel'`, 5*time.Second)
	e.save(ana, "more-menu")
	a11y(ana, "the More menu")
	ana.run(chromedp.Click(chromedp.CSS(`.msg-menu [data-action="pin"]`)))
	ana.until("the Pinned note on her page", `document.querySelector(`+js(msgSel(seq)+` .pin-note`)+`)`, 5*time.Second)
	ben.until("the Pinned note on his", `document.querySelector(`+js(msgSel(seq)+` .pin-note`)+`)`, 5*time.Second)

	ben.run(chromedp.Click(chromedp.ID("pins-button")))
	ben.until("the pin in the Pinned panel", `[...document.querySelectorAll('#pins-panel .result')].map(r => r.querySelector('.result-text').textContent).join('|') === 'Office closed on Friday'`, 5*time.Second)
	if got := eval[string](ben, `document.querySelector('#pins-panel h2').textContent`); got != "Pinned in #general" {
		e.fatalf("the panel's title is %q", got)
	}
	e.save(ben, "pinned-panel")
	a11y(ben, "the Pinned panel")
	ben.run(chromedp.Click(chromedp.CSS(`#pins-panel .result`)))
	ben.until("the message focused", `document.activeElement?.dataset.key === `+js(seq), 5*time.Second)

	// Unpinned by Ana: the open panel follows.
	ana.tools(seq)
	pressNow(e, ana, msgSel(seq)+` [data-action="more"]`)
	ana.until("the menu says Unpin", `document.querySelector('.msg-menu [data-action="pin"]')?.textContent === 'Unpin from channel'`, 5*time.Second)
	ana.run(chromedp.Click(chromedp.CSS(`.msg-menu [data-action="pin"]`)))
	ben.until("the panel empty", `!document.querySelector('#pins-panel .result') && document.querySelector('#pins-panel .list-status').textContent.startsWith('Nothing is pinned')`, 10*time.Second)
	ben.until("the note gone", `!document.querySelector(`+js(msgSel(seq)+` .pin-note`)+`)`, 5*time.Second)
	// Esc closes the panel and focus goes back to its button.
	ben.do(`document.querySelector('#pins-panel-close').focus()`)
	ben.run(chromedp.KeyEvent(kb.Escape))
	ben.until("the panel closed", `document.querySelector('#pins-panel').hidden && document.activeElement?.id === 'pins-button'`, 5*time.Second)
}

// Ben saves Ana's message for later; Saved in the sidebar lists it with
// its conversation; a click opens it. After a reload the menu offers to
// remove it; Remove in the panel empties the list.
func TestSavedView(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	other := e.channel("random", "ana", "ben")
	e.seed(general, "ana: The supplier's new address is on the wiki")

	ben := e.person("ben")
	ben.enter()
	ben.open(general)
	ben.until("Ana's message", hasText("The supplier's new address is on the wiki"), 5*time.Second)
	seq := keyOf(ben, "The supplier's new address is on the wiki")
	ben.tools(seq)
	pressNow(e, ben, msgSel(seq)+` [data-action="more"]`)
	ben.until("Save in the menu", `document.querySelector('.msg-menu [data-action="save"]')?.textContent === 'Save for later'`, 5*time.Second)
	ben.run(chromedp.Click(chromedp.CSS(`.msg-menu [data-action="save"]`)))
	ben.until("the toast", `document.querySelector('.toast:not([hidden])')?.textContent.startsWith('Saved.')`, 5*time.Second)

	ben.open(other)
	ben.run(chromedp.Click(chromedp.ID("saved-button")))
	ben.until("the saved message", `[...document.querySelectorAll('#saved-panel .result')].map(r => r.querySelector('.result-where').textContent + ': ' + r.querySelector('.result-text').textContent).join('|') === "#general: The supplier's new address is on the wiki"`, 5*time.Second)
	e.save(ben, "saved-panel")
	a11y(ben, "the Saved panel")
	ben.run(chromedp.Click(chromedp.CSS(`#saved-panel .result`)))
	ben.until("the message opened in #general", `document.querySelector('.items a.current')?.dataset.id === `+js(general)+` && document.activeElement?.dataset.key === `+js(seq), 10*time.Second)

	// A reload knows it is saved (GET /api/saved).
	ben.run(chromedp.Reload())
	ben.until("the chat again", hasText("The supplier's new address is on the wiki"), 10*time.Second)
	ben.tools(seq)
	pressNow(e, ben, msgSel(seq)+` [data-action="more"]`)
	ben.until("the menu offers to remove it", `document.querySelector('.msg-menu [data-action="save"]')?.textContent === 'Remove from saved'`, 5*time.Second)
	ben.run(chromedp.KeyEvent(kb.Escape))
	ben.until("the menu closed, focus back on More", `!document.querySelector('.msg-menu') && document.activeElement?.dataset.action === 'more'`, 5*time.Second)
	ben.run(chromedp.Click(chromedp.ID("saved-button")))
	ben.until("the list", `document.querySelector('#saved-panel [data-action="unsave"]')`, 5*time.Second)
	ben.run(chromedp.Click(chromedp.CSS(`#saved-panel [data-action="unsave"]`)))
	ben.until("the list empty", `!document.querySelector('#saved-panel .result') && document.querySelector('#saved-panel .list-status').textContent.startsWith('Nothing saved')`, 5*time.Second)
}

// Ana copies the link of a message well above the newest; the link is
// this Inhouse's address with #/m/<channel>/<seq>. Opened in a new tab it
// opens the conversation at that message (highlighted, focused). A link
// to a message 200 back, followed in the same tab, loads older pages until
// it is there.
func TestCopyLinkOpensMessage(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	e.channel("random", "ana", "ben")
	texts := make([]string, 260)
	for i := range texts {
		texts[i] = fmt.Sprintf("ben: note %d", i+1)
	}
	e.seed(general, texts...)
	// Read up to the newest: the conversation opens at the bottom with one page loaded.
	if _, err := e.store().MarkRead(general, "ana", 260); err != nil {
		t.Fatal(err)
	}

	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("the newest note", hasText("note 260"), 10*time.Second)
	// The oldest note loaded: far above the newest.
	seq := eval[string](ana, `document.querySelector('.msg[data-key]').dataset.key`)
	text := eval[string](ana, `document.querySelector('.msg[data-key] .text').textContent`)
	ana.do(`window.copied = ''; navigator.clipboard.writeText = async (t) => { window.copied = t; }`)
	ana.tools(seq)
	pressNow(e, ana, msgSel(seq)+` [data-action="more"]`)
	ana.run(chromedp.Click(chromedp.CSS(`.msg-menu [data-action="copy-link"]`)))
	ana.until("the link copied", `window.copied && document.querySelector('.toast:not([hidden])')?.textContent.startsWith('Link copied.')`, 5*time.Second)
	link := eval[string](ana, `window.copied`)
	if want := e.URL + "/#/m/" + general + "/" + seq; link != want {
		e.fatalf("copied %q, want %q", link, want)
	}

	// A new tab of the same browser (signed in) opens the link.
	tab := &person{e: e, name: "ana-tab", ctx: servertest.Tab(t, ana.ctx), frames: map[string]int{}}
	e.people = append(e.people, tab)
	tab.run(chromedp.EmulateViewport(1200, 800), chromedp.Navigate(link))
	tab.until("the message focused and highlighted", `document.activeElement?.dataset.key === `+js(seq)+` && document.activeElement.classList.contains('highlight') && document.activeElement.querySelector('.text').textContent === `+js(text), 10*time.Second)
	tab.until("the address of the conversation", `location.hash === `+js("#/c/"+general), 5*time.Second)
	if eval[bool](tab, `(() => { const s = document.querySelector('.scroller'); return s.scrollHeight - s.scrollTop - s.clientHeight < 200; })()`) {
		e.fatalf("the tab stayed at the newest messages")
	}
	e.save(tab, "link-opened")

	// From another conversation, a link to note 5 (200 back): older pages load.
	tab.do(`location.hash = '#/c/' + encodeURIComponent(` + js(eval[string](tab, `[...document.querySelectorAll('.items a')].find(a => a.textContent.includes('random')).dataset.id`)) + `)`)
	tab.until("random open", `document.querySelector('.items a.current')?.textContent.includes('random')`, 5*time.Second)
	tab.do(`location.hash = '#/m/' + encodeURIComponent(` + js(general) + `) + '/5'`)
	tab.until("note 5 focused", `document.activeElement?.dataset.key === '5' && document.activeElement.querySelector('.text').textContent === 'note 5'`, 15*time.Second)
	tab.until("the address of the conversation again", `location.hash === `+js("#/c/"+general), 5*time.Second)
}
