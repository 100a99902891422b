package e2e

// Mentions, groups and the channel menu in the browser
// (docs/conversation.md, docs/client.md): @ suggestions from the keyboard
// and the pointer, the office's rule for @here and @channel and its
// question above N members, a group of three found again, leaving a
// channel, muting one, and a topic seen by the other person.

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/archive"
)

// talkEnv is a server with the people named (display names "Ana", "Ben"…).
func talkEnv(t *testing.T, names ...string) *env {
	e := newEnv(t)
	for _, n := range names {
		e.addUser(n, true)
	}
	return e
}

// composer is the composer's text.
func composer(p *person) string {
	p.e.t.Helper()
	return eval[string](p, `document.querySelector('#composer').value`)
}

// typeIn sends key presses to the focused composer.
func (p *person) typeIn(keys string) {
	p.e.t.Helper()
	p.run(chromedp.Focus(chromedp.ID("composer")), chromedp.KeyEvent(keys))
}

// enterKey presses Enter as a browser does when the page handles it: down
// and up, no character typed (see shortcut).
func (p *person) enterKey() {
	p.e.t.Helper()
	p.shortcut("Enter", "Enter", 13)
}

// suggestions lists the @ suggestions shown, as their user names.
func suggestions(p *person) []string {
	p.e.t.Helper()
	return eval[[]string](p, `(() => { const l = document.querySelector('#mention-list'); return !l || l.hidden ? [] : [...l.querySelectorAll('li[role=option]')].map(li => li.dataset.name); })()`)
}

// openMenu opens the conversation's menu from its header button.
func (p *person) openMenu() {
	p.e.t.Helper()
	p.run(chromedp.Click(chromedp.ID("channel-menu-button")))
	p.until("the channel menu", `document.querySelector('dialog[open] #channel-menu')`, 5*time.Second)
}

// item is the JavaScript for the sidebar link of a conversation.
func item(id string) string { return fmt.Sprintf(`document.querySelector('.items a[data-id=%q]')`, id) }

// Typing @ suggests people; ↓ and Enter insert the one chosen, with a
// space; a click does too; Esc closes the list and Enter sends again.
func TestMentionSuggestionsKeyboardAndPointer(t *testing.T) {
	e := talkEnv(t, "ana", "ben", "cleo")
	general := e.channel("general", "ana", "ana", "ben")
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("the suggestions to load", `document.querySelector('#mention-list')`, 5*time.Second)

	ana.typeIn("@be")
	ana.until("Ben suggested", `document.querySelector('#mention-list:not([hidden]) li[data-name="ben"]')`, 5*time.Second)
	if got := suggestions(ana); len(got) != 1 || got[0] != "ben" {
		e.fatalf("suggestions for @be: %v", got)
	}
	// The composer keeps focus and points at the option (combobox pattern).
	a11y := eval[string](ana, `(() => { const c = document.querySelector('#composer'); return [document.activeElement === c, c.getAttribute('aria-controls'), c.getAttribute('aria-activedescendant'), c.getAttribute('aria-autocomplete'),
		document.querySelector('#mention-list').getAttribute('role'), document.getElementById(c.getAttribute('aria-activedescendant'))?.getAttribute('aria-selected')].join('|'); })()`)
	if a11y != "true|mention-list|mention-list-0|list|listbox|true" {
		e.fatalf("combobox wiring: %s", a11y)
	}
	ana.typeIn(kb.ArrowDown)
	ana.enterKey()
	if got := composer(ana); got != "@ben " {
		e.fatalf("after ↓ Enter the composer holds %q, want %q", got, "@ben ")
	}
	if got := suggestions(ana); len(got) != 0 {
		e.fatalf("the list stayed open: %v", got)
	}
	ana.typeIn("thanks")
	ana.enterKey()
	e.waitFor("the message", 5*time.Second, func() bool { t := e.texts(general); return len(t) == 1 && t[0] == "@ben thanks" })

	// @here and @channel are offered (the office lets everyone use them).
	ana.typeIn("@he")
	ana.until("@here suggested", `document.querySelector('#mention-list:not([hidden]) li[data-name="here"]')`, 5*time.Second)
	// Esc closes the list; the text stays, and Enter sends it.
	ana.typeIn(kb.Escape)
	ana.until("the list to close", `document.querySelector('#mention-list').hidden`, 5*time.Second)
	if got := composer(ana); got != "@he" {
		e.fatalf("after Esc the composer holds %q", got)
	}
	ana.typeIn(strings.Repeat(kb.Backspace, 3))

	// Someone outside the conversation comes after its people, said so;
	// a click chooses.
	ana.typeIn("@cl")
	ana.until("Cleo suggested", `document.querySelector('#mention-list:not([hidden]) li[data-name="cleo"]')`, 5*time.Second)
	if note := eval[string](ana, `document.querySelector('#mention-list li[data-name="cleo"]').textContent`); !strings.Contains(note, "not in #general") {
		e.fatalf("Cleo's suggestion: %q", note)
	}
	ana.run(chromedp.Click(chromedp.CSS(`#mention-list li[data-name="cleo"]`)))
	if got := composer(ana); got != "@cleo " {
		e.fatalf("after a click the composer holds %q", got)
	}
	if !eval[bool](ana, `document.activeElement === document.querySelector('#composer')`) {
		e.fatalf("the composer lost focus to the click")
	}
}

// @here and @channel: not suggested and not sent where only the office
// manager may use them; above the office's number of members the client
// asks "Notify all N people?" first.
func TestMentionEveryoneRuleAndQuestion(t *testing.T) {
	e := talkEnv(t, "ana", "ben", "cleo", "dan")
	set := e.store().Settings()
	set.MentionAllBy = archive.AdminsOnly
	if err := e.store().SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	all := e.channel("all", "ana", "ana", "ben", "cleo", "dan")
	ana := e.person("ana")
	ana.enter()
	ana.open(all)
	ana.until("the suggestions to load", `document.querySelector('#mention-list')`, 5*time.Second)
	ana.typeIn("@")
	ana.until("people suggested", `document.querySelector('#mention-list:not([hidden]) li[data-name="ben"]')`, 5*time.Second)
	if got := suggestions(ana); strings.Contains(strings.Join(got, " "), "here") || strings.Contains(strings.Join(got, " "), "channel") {
		e.fatalf("@here or @channel suggested to someone who may not use them: %v", got)
	}
	ana.typeIn("here lunch")
	ana.enterKey()
	ana.until("the reason", `document.querySelector('.toast:not([hidden])')?.textContent.includes('Only the office manager')`, 5*time.Second)
	if got := composer(ana); got != "@here lunch" || len(e.texts(all)) != 0 {
		e.fatalf("the refused text: composer %q, stored %v", got, e.texts(all))
	}

	// Everyone may; the office asks above 2 members (the channel has 4).
	set.MentionAllBy, set.MentionConfirm = archive.Everyone, 2
	if err := e.store().SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	ana.run(chromedp.Navigate(e.URL + "/"))
	ana.until("the chat to load again", `document.querySelector('#composer') && document.querySelector('.items a')`, 10*time.Second)
	ana.open(all)
	ana.until("the suggestions to load", `document.querySelector('#mention-list')`, 5*time.Second)
	ana.do(`const c = document.querySelector('#composer'); c.value = ''; c.dispatchEvent(new Event('input', {bubbles: true}))`)
	ana.typeIn("@channel lunch is here")
	ana.enterKey()
	ana.until("the question", `document.querySelector('dialog[open] h2')?.textContent === 'Notify all 3 people?'`, 5*time.Second)
	if len(e.texts(all)) != 0 {
		e.fatalf("sent before the answer: %v", e.texts(all))
	}
	ana.run(chromedp.Click(chromedp.ID("notify-all-confirm")))
	e.waitFor("the message", 5*time.Second, func() bool { t := e.texts(all); return len(t) == 1 && t[0] == "@channel lunch is here" })
	ana.until("the composer to empty", `document.querySelector('#composer').value === ''`, 5*time.Second)
}

// A group of three from the new-conversation dialog, named by its people;
// choosing the same people again (in another order, or as another of
// them) finds the same conversation.
func TestGroupOfThreeFoundAgain(t *testing.T) {
	e := talkEnv(t, "ana", "ben", "cleo", "dan")
	e.channel("general", "ana", "ana", "ben", "cleo")
	ana := e.person("ana")
	ana.enter()
	pick := func(p *person, names ...string) string {
		p.run(chromedp.Click(chromedp.CSS(`button[aria-label="New direct message"]`)))
		p.until("the dialog", `document.querySelector('dialog[open] #dm-filter')`, 5*time.Second)
		for _, n := range names {
			p.run(chromedp.SendKeys(chromedp.ID("dm-filter"), n+kb.Enter))
			p.until(n+" chosen", fmt.Sprintf(`document.querySelector('#dm-chosen li[data-name=%q]')`, n), 5*time.Second)
		}
		p.run(chromedp.SendKeys(chromedp.ID("dm-filter"), kb.Enter))
		p.until("the group to open", `!document.querySelector('dialog[open]') && document.querySelector('.items a.current .group-count')`, 5*time.Second)
		return eval[string](p, `document.querySelector('.items a.current').dataset.id`)
	}
	first := pick(ana, "ben", "cleo")
	label := eval[string](ana, `document.querySelector('.items a.current .name').textContent + '|' + document.querySelector('#conv-title').textContent`)
	if label != "Ben and Cleo|3Ben and Cleo" {
		e.fatalf("the group's name in the sidebar and header: %q", label)
	}
	ana.say("Lunch, you two?")
	e.waitFor("the message", 5*time.Second, func() bool { return len(e.texts(first)) == 1 })

	if again := pick(ana, "cleo", "ben"); again != first {
		e.fatalf("the same people in another order got %s, not %s", again, first)
	}
	if n := eval[int](ana, `document.querySelectorAll('.items .group-count').length`); n != 1 {
		e.fatalf("%d groups in the sidebar, want 1", n)
	}
	// A group is not a pair: Ben alone is another conversation.
	ana.run(chromedp.Click(chromedp.CSS(`button[aria-label="New direct message"]`)))
	ana.until("the dialog", `document.querySelector('dialog[open] #dm-filter')`, 5*time.Second)
	ana.run(chromedp.SendKeys(chromedp.ID("dm-filter"), "ben"+kb.Enter+kb.Enter))
	ana.until("the pair to open", `!document.querySelector('dialog[open]') && document.querySelector('.items a.current .dot')`, 5*time.Second)

	cleo := e.person("cleo")
	cleo.enter()
	cleo.until("the group in Cleo's sidebar", item(first)+`?.querySelector('.name').textContent === 'Ana and Ben'`, 5*time.Second)
	if mine := pick(cleo, "ana", "ben"); mine != first {
		e.fatalf("Cleo choosing Ana and Ben got %s, not %s", mine, first)
	}
	cleo.until("Ana's message", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'Lunch, you two?')`, 5*time.Second)
}

// Leaving from the menu (after a question) takes the channel out of the
// sidebar, and its messages stop coming.
func TestLeaveChannelStopsIt(t *testing.T) {
	e := talkEnv(t, "ana", "ben")
	general := e.channel("general", "ana", "ana", "ben")
	random := e.channel("random", "ana", "ana", "ben")
	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ben.open(random)
	ana.open(random)

	// Every frame ana's page hears about #random from now on.
	var mu sync.Mutex
	var heard []string
	if err := chromedp.Listen(ana.ctx, func(ev any) {
		if f, ok := ev.(*network.EventWebSocketFrameReceived); ok && f.Response != nil && strings.Contains(string(f.Response.PayloadData), random) {
			mu.Lock()
			heard = append(heard, string(f.Response.PayloadData))
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}

	ana.openMenu()
	ana.run(chromedp.Click(chromedp.ID("menu-leave")))
	ana.until("the question", `document.querySelector('dialog[open] h2')?.textContent === 'Leave #random?'`, 5*time.Second)
	ana.run(chromedp.Click(chromedp.ID("menu-leave-confirm")))
	ana.until("#random out of the sidebar and another conversation open", `!`+item(random)+` && document.querySelector('.items a.current') && !document.querySelector('dialog[open]')`, 5*time.Second)
	e.waitFor("the server to take ana out", 5*time.Second, func() bool {
		c, err := e.store().Channel(random)
		return err == nil && !c.Has("ana")
	})
	e.waitFor("the left frame", 5*time.Second, func() bool { return ana.heard("left") > 0 })
	mu.Lock()
	before := len(heard)
	mu.Unlock()
	if before == 0 {
		e.fatalf("the frame listener heard nothing about #random, not even its left frame")
	}

	ben.say("ana is gone")
	ben.open(general)
	ben.say("still here in general")
	ana.open(general)
	ana.until("the message in #general", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'still here in general')`, 5*time.Second)
	mu.Lock()
	after := heard[before:]
	mu.Unlock()
	if len(after) != 0 {
		e.fatalf("after leaving, ana's page still heard #random: %v", after)
	}
	if eval[bool](ana, item(random)+` !== null`) {
		e.fatalf("#random came back to the sidebar")
	}
}

// A muted channel shows no unread count, but a mention still counts.
func TestMuteHidesUnreadButNotMentions(t *testing.T) {
	e := talkEnv(t, "ana", "ben")
	general := e.channel("general", "ana", "ana", "ben")
	random := e.channel("random", "ana", "ana", "ben")
	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ben.open(general)
	ana.open(general)

	ana.openMenu()
	ana.run(chromedp.Click(chromedp.ID("menu-mute")))
	e.waitFor("the mute stored", 5*time.Second, func() bool { return e.store().Prefs(general, "ana").Muted })
	ana.until("the status", `document.querySelector('#channel-menu .menu-status').textContent.startsWith('Muted')`, 5*time.Second)
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the menu to close, focus back on its button", `!document.querySelector('dialog[open]') && document.activeElement?.id === 'channel-menu-button'`, 5*time.Second)
	ana.until("general marked muted", item(general)+`.classList.contains('muted') && `+item(general)+`.getAttribute('aria-label').includes('muted')`, 5*time.Second)
	ana.open(random)

	got := ana.heard("message")
	ben.say("plain news")
	e.waitFor("ana's page to hear it", 5*time.Second, func() bool { return ana.heard("message") > got })
	time.Sleep(300 * time.Millisecond) // a render
	if pill := eval[string](ana, item(general)+`.querySelector('.pill')?.textContent || ''`); pill != "" {
		e.fatalf("a muted channel shows a count: %q", pill)
	}
	if eval[bool](ana, item(general)+`.classList.contains('unread')`) {
		e.fatalf("a muted channel shows as unread")
	}

	ben.say("@ana can you look?")
	ana.until("the mention counted", item(general)+`.querySelector('.pill.mention')?.textContent === '@1'`, 5*time.Second)
	if label := eval[string](ana, item(general)+`.getAttribute('aria-label')`); !strings.Contains(label, "1 mention") {
		e.fatalf("the link says %q", label)
	}
	// A level set in the menu is kept on the server with the mute.
	ana.open(general)
	ana.openMenu()
	ana.run(chromedp.Click(chromedp.ID("menu-notify-mentions")))
	e.waitFor("the level stored", 5*time.Second, func() bool {
		p := e.store().Prefs(general, "ana")
		return p.Notify == archive.NotifyMentions && p.Muted
	})
}

// A topic set in the menu shows in the other person's header.
func TestTopicShowsInTheOtherHeader(t *testing.T) {
	e := talkEnv(t, "ana", "ben")
	general := e.channel("general", "ana", "ana", "ben")
	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ben.open(general)
	ana.open(general)
	if !eval[bool](ben, `document.querySelector('#conv-topic').hidden`) {
		e.fatalf("a topic shows before one was set")
	}

	ana.openMenu()
	// Members with presence, oneself last (fresh presence is fetched as it opens).
	ana.until("the members with presence", `[...document.querySelectorAll('#menu-members li')].map(li => li.dataset.name + ':' + li.querySelector('.dot').className).join(' ') === 'ben:dot online ana:dot online'`, 5*time.Second)
	ana.run(chromedp.Click(chromedp.ID("menu-edit-topic")))
	ana.run(chromedp.SendKeys(chromedp.ID("menu-topic-input"), "Invoices and orders"),
		chromedp.SendKeys(chromedp.ID("menu-description-input"), "Where the front desk and accounts meet."),
		chromedp.Click(chromedp.ID("menu-topic-save")))
	ana.until("the topic in the menu", `document.querySelector('#menu-topic')?.textContent === 'Invoices and orders'`, 5*time.Second)
	ben.until("the topic in Ben's header", `(t => t && !t.hidden && t.textContent === 'Invoices and orders')(document.querySelector('#conv-topic'))`, 5*time.Second)
	c, err := e.store().Channel(general)
	if err != nil || c.Topic != "Invoices and orders" || c.Description != "Where the front desk and accounts meet." {
		e.fatalf("stored: %+v %v", c, err)
	}
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the topic in Ana's header", `document.querySelector('#conv-topic').textContent === 'Invoices and orders'`, 5*time.Second)

	// Adding people: the server's refusal is shown as its sentence.
	set := e.store().Settings()
	set.ChannelsBy = archive.AdminsOnly
	if err := e.store().SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	e.addUser("cleo", true)
	ana.refreshUsersJS()
	ana.openMenu()
	ana.run(chromedp.Click(chromedp.ID("menu-add-button")))
	ana.until("Cleo offered", `document.querySelector('#menu-add-list input[value="cleo"]')`, 5*time.Second)
	ana.run(chromedp.Click(chromedp.CSS(`#menu-add-list input[value="cleo"]`)), chromedp.Click(chromedp.ID("menu-add-submit")))
	ana.until("the refusal", `document.querySelector('#menu-add .form-error:not([hidden])')?.textContent.includes('only the office manager')`, 5*time.Second)
	set.ChannelsBy = archive.Everyone
	if err := e.store().SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	ana.run(chromedp.Click(chromedp.ID("menu-add-submit")))
	ana.until("Cleo among the members", `document.querySelector('#menu-members li[data-name="cleo"]')`, 5*time.Second)
}

// refreshUsersJS reloads the page's people (a new colleague), as opening
// the new-conversation dialog does.
func (p *person) refreshUsersJS() {
	p.e.t.Helper()
	p.run(chromedp.Click(chromedp.CSS(`button[aria-label="New direct message"]`)))
	p.until("the dialog", `document.querySelector('dialog[open] #dm-filter')`, 5*time.Second)
	p.run(chromedp.KeyEvent(kb.Escape))
	p.until("the dialog to close", `!document.querySelector('dialog[open]')`, 5*time.Second)
}
