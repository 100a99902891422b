package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/archive"
	"inhouse/server/rules"
)

// seed stores messages straight into the archive (before anyone signs in).
func (e *env) seed(channel string, texts ...string) {
	e.t.Helper()
	var wg sync.WaitGroup
	wg.Add(len(texts))
	for i, text := range texts {
		from := "ben"
		if f, rest, ok := strings.Cut(text, ": "); ok && !strings.Contains(f, " ") {
			from, text = f, rest
		}
		e.store().Append(archive.Post{Channel: channel, From: from, ClientID: fmt.Sprintf("seed-%s-%d", channel, i), Text: text}, func(_ archive.Message, _ bool, err error) {
			if err != nil {
				e.t.Errorf("append: %v", err)
			}
			wg.Done()
		})
	}
	wg.Wait()
}

// shortcut presses a letter key as a shortcut: the key goes down and up
// with no character typed, as in a browser when the page's handler prevents
// the default (chromedp's KeyEvent types the character regardless).
func (p *person) shortcut(key, code string, vk int64) {
	p.e.t.Helper()
	p.run(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: vk}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// keyOf is the data-key (seq) of the message whose text starts with text.
func keyOf(p *person, text string) string {
	p.e.t.Helper()
	return eval[string](p, `[...document.querySelectorAll('.msg[data-key]')].find(li => li.querySelector('.text')?.textContent.startsWith(`+js(text)+`))?.dataset.key || ''`)
}

func hasText(text string) string {
	return `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === ` + js(text) + `)`
}

// Ana edits her message from the keyboard (focus it, E, type, Enter) and
// deletes it with the hover button and the confirmation dialog; Ben's page
// shows "(edited)", then "This message was deleted.". Ben's message has no
// actions on Ana's page, nor Ana's on his. An edit made while the server is
// down waits in the outbox and is saved when the connection returns.
func TestEditAndDeleteOwnMessage(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")

	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ana.open(general)
	ben.open(general)
	ana.say("Lunch at noon?")
	ben.until("Ana's message", hasText("Lunch at noon?"), 5*time.Second)
	ben.say("Sure")
	ana.until("Ben's message", hasText("Sure"), 5*time.Second)
	ana.until("her message acknowledged", `!document.querySelector('.msg.pending')`, 5*time.Second)

	// Only one's own messages carry the actions.
	if n := eval[int](ana, `[...document.querySelectorAll('.msg')].filter(li => li.querySelector('.text')?.textContent === 'Sure' && (li.querySelector('.msg-actions') || li.classList.contains('mine'))).length`); n != 0 {
		e.fatalf("Ben's message has edit/delete actions on Ana's page")
	}
	if n := eval[int](ben, `[...document.querySelectorAll('.msg')].filter(li => li.querySelector('.text')?.textContent === 'Lunch at noon?' && li.querySelector('.msg-actions')).length`); n != 0 {
		e.fatalf("Ana's message has edit/delete actions on Ben's page")
	}
	if n := eval[int](ana, `[...document.querySelectorAll('.msg.mine .msg-actions button')].length`); n != 2 {
		e.fatalf("Ana's own message has %d action buttons, want Edit and Delete", n)
	}

	// Edit from the keyboard: focus the message, E, change the text, Enter.
	key := keyOf(ana, "Lunch at noon?")
	msg := fmt.Sprintf(`.msg[data-key=%q]`, key)
	ana.do(`document.querySelector(` + js(msg) + `).focus()`)
	ana.shortcut("e", "KeyE", 69)
	ana.until("the edit box", `document.activeElement?.classList.contains('edit-input') && document.activeElement.value === 'Lunch at noon?'`, 5*time.Second)
	ana.do(`document.activeElement.select()`)
	ana.run(chromedp.KeyEvent("Lunch at 12:30?" + kb.Enter))
	ben.until("the edit", hasText("Lunch at 12:30? (edited)"), 5*time.Second)
	ana.until("the edit on her page", hasText("Lunch at 12:30? (edited)")+` && !document.querySelector('.edit-input')`, 5*time.Second)
	ana.until("focus back on the message", `document.activeElement?.dataset.key === `+js(key), 5*time.Second)

	// Esc cancels an edit without a change.
	ana.shortcut("e", "KeyE", 69)
	ana.until("the edit box again", `document.activeElement?.classList.contains('edit-input')`, 5*time.Second)
	ana.run(chromedp.KeyEvent(" and more" + kb.Escape))
	ana.until("the edit box closed", `!document.querySelector('.edit-input')`, 5*time.Second)

	// An edit typed while the server is down waits and is then saved.
	e.down()
	ana.until("the offline notice", `document.querySelector('.status-bar:not([hidden])')`, 10*time.Second)
	ana.do(`document.querySelector(` + js(msg) + `).focus()`)
	ana.shortcut("e", "KeyE", 69)
	ana.until("the edit box offline", `document.activeElement?.classList.contains('edit-input')`, 5*time.Second)
	ana.do(`document.activeElement.select()`)
	ana.run(chromedp.KeyEvent("Lunch at 1?" + kb.Enter))
	ana.until("the edit waiting", `document.querySelector(`+js(msg+".pending")+`)?.textContent.includes('waits for the connection')`, 5*time.Second)
	if !strings.Contains(eval[string](ana, `localStorage.getItem('inhouse.outbox.ana')`), `"kind":"edit"`) {
		e.fatalf("the offline edit is not in the outbox")
	}
	e.up()
	ben.until("the offline edit", hasText("Lunch at 1? (edited)"), 25*time.Second)
	ana.until("the outbox empty", `document.querySelector('#composer') && !document.querySelector('.msg.pending') && localStorage.getItem('inhouse.outbox.ana') === '[]'`, 10*time.Second)

	// Delete with the button (shown while the message is focused or
	// hovered) and the confirmation dialog.
	ana.do(`document.querySelector(` + js(msg) + `).focus()`)
	ana.run(chromedp.Click(chromedp.CSS(msg + ` button[aria-label="Delete message"]`)))
	ana.until("the confirmation", `document.querySelector('dialog[open] .quote')?.textContent === 'Lunch at 1?'`, 5*time.Second)
	e.save(ana, "confirm-delete")
	// Cancel keeps it. The dialog loses [open] at once but its close
	// handler, which removes it and puts focus back on the Delete button,
	// runs a task later: wait for it to be gone, or the focus it puts
	// back lands after the focus below.
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the dialog closed and removed", `!document.querySelector('dialog')`, 5*time.Second)
	if !eval[bool](ana, hasText("Lunch at 1? (edited)")) {
		e.fatalf("cancelling the delete removed the message")
	}
	// The Delete key asks too; this time confirm.
	ana.do(`document.querySelector(` + js(msg) + `).focus()`)
	ana.run(chromedp.KeyEvent(kb.Delete))
	ana.until("the confirmation again", `document.querySelector('dialog[open] button.danger')`, 5*time.Second)
	ana.run(chromedp.Click(chromedp.CSS(`dialog[open] button.danger`)))
	ben.until("the delete", hasText("This message was deleted.")+` && !`+hasText("Lunch at 1? (edited)"), 5*time.Second)
	ana.until("the delete on her page", hasText("This message was deleted.")+` && !document.querySelector(`+js(msg+" .msg-actions")+`)`, 5*time.Second)

	// Both see the same two messages; the change records are not messages.
	if n := eval[int](ben, `document.querySelectorAll('.msg').length`); n != 2 {
		e.fatalf("Ben sees %d messages, want 2", n)
	}
	if ana.sawDialog() || ben.sawDialog() {
		e.fatalf("a JavaScript dialog opened")
	}
}

// Search finds a message in a channel Ana belongs to, not one in a direct
// conversation of others; clicking the result opens the channel at the
// message (older pages load until it is there), highlighted.
func TestSearchOpensMessage(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	e.addUser("cleo", true)
	general := e.channel("general", "ana", "ben")
	random := e.channel("random", "ana", "ben")
	dm, _, err := e.store().DirectChannel("ben", "cleo")
	if err != nil {
		t.Fatalf("direct channel: %v", err)
	}
	e.seed(dm.ID, "ben: the quarterly budget numbers, between us")
	texts := []string{"ana: The quarterly budget is due on Friday <b>really</b>"}
	for i := 0; i < 450; i++ { // so the message is not on the first page
		texts = append(texts, fmt.Sprintf("ben: filler %d", i))
	}
	e.seed(general, texts...)
	e.seed(random, "ben: nothing to see")

	ana := e.person("ana")
	ana.enter()
	ana.open(random)
	ana.run(chromedp.Click(chromedp.ID("search")), chromedp.SendKeys(chromedp.ID("search"), "Quarterly BUDGET"+kb.Enter))
	ana.until("one result", `document.querySelectorAll('.search-panel .result').length === 1 && document.querySelector('.search-status').textContent.startsWith('1 message')`, 10*time.Second)
	type result struct {
		Where, Text string
		Marks       []string
		Bold        int
	}
	r := eval[result](ana, `(() => { const b = document.querySelector('.result'); return {where: b.querySelector('.result-where').textContent,
		text: b.querySelector('.result-text').textContent, marks: [...b.querySelectorAll('mark')].map(m => m.textContent), bold: b.querySelectorAll('b').length}; })()`)
	if r.Where != "#general" || r.Text != "The quarterly budget is due on Friday <b>really</b>" || strings.Join(r.Marks, ",") != "quarterly,budget" || r.Bold != 0 {
		e.fatalf("result: %+v", r)
	}
	// The messages after it show as context, below the hit.
	ctx := eval[[]string](ana, `[...document.querySelectorAll('.result > *, .result-hit > .result-text')].filter(el => el.matches('.result-context, .result-text')).map(el => el.className + ': ' + el.textContent)`)
	if want := "result-text: The quarterly budget is due on Friday <b>really</b>|result-context: Ben filler 0|result-context: Ben filler 1"; strings.Join(ctx, "|") != want {
		e.fatalf("result and context: %q, want %q", strings.Join(ctx, "|"), want)
	}

	// Within the current channel (random) nothing matches.
	ana.do(`const s = document.querySelector('#search-scope'); s.value = s.options[1].value; s.dispatchEvent(new Event('change'))`)
	ana.until("no results in #random", `document.querySelectorAll('.result').length === 0 && document.querySelector('.search-status').textContent.startsWith('No messages match')`, 10*time.Second)
	ana.do(`const s = document.querySelector('#search-scope'); s.value = ''; s.dispatchEvent(new Event('change'))`)
	ana.until("the result again", `document.querySelectorAll('.result').length === 1`, 10*time.Second)

	ana.run(chromedp.Click(chromedp.CSS(".result")))
	ana.until("#general open at the message, highlighted and focused", fmt.Sprintf(`document.querySelector('.items a.current[data-id=%q]') && document.activeElement?.matches('.msg.highlight[data-key="1"]')`, general), 15*time.Second)
	ana.until("the message in view", `(() => { const r = document.querySelector('.msg[data-key="1"]').getBoundingClientRect(), s = document.querySelector('.scroller').getBoundingClientRect(); return r.top >= s.top && r.bottom <= s.bottom; })()`, 5*time.Second)
	e.save(ana, "search")
	if n := eval[int](ana, `document.querySelectorAll('.msgs > li').length`); n > 450 {
		e.fatalf("%d list items in the DOM", n)
	}

	// Esc closes the panel and returns to the search box.
	ana.do(`document.querySelector('.search-panel .result')?.focus()`)
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the panel closed", `document.querySelector('.search-panel').hidden && document.activeElement?.id === 'search'`, 5*time.Second)
}

// An archived channel shows a read-only notice instead of the composer, and
// one's own messages there have no actions; an announcement channel tells
// people other than admins that only the office manager posts.
func TestReadOnlyChannels(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	old := e.channel("old-projects", "ana")
	news := e.channel("news", "ana")
	general := e.channel("general", "ana")
	e.seed(old, "ana: my last word here")
	for id, fn := range map[string]func(c *archive.Channel) error{
		old:  func(c *archive.Channel) error { c.Archived = true; return nil },
		news: func(c *archive.Channel) error { c.Announce = true; return nil },
	} {
		if _, err := e.store().UpdateChannel(id, fn); err != nil {
			t.Fatalf("update channel: %v", err)
		}
	}

	ana := e.person("ana")
	ana.enter()
	ana.open(old)
	ana.until("the archived notice", `document.querySelector('.composer').hidden && !document.querySelector('#read-only').hidden && document.querySelector('#read-only').textContent.includes('archived')`, 5*time.Second)
	ana.until("her message", hasText("my last word here"), 5*time.Second)
	if eval[bool](ana, `!!document.querySelector('.msg-actions, .msg.mine')`) {
		e.fatalf("a message in an archived channel offers edit/delete")
	}
	ana.open(news)
	ana.until("the announcement notice", `document.querySelector('.composer').hidden && document.querySelector('#read-only').textContent === 'Only the office manager posts here.'`, 5*time.Second)
	ana.open(general)
	ana.until("the composer back", `!document.querySelector('.composer').hidden && document.querySelector('#read-only').hidden && !document.querySelector('#composer').disabled`, 5*time.Second)

	// Archiving while she looks: the channel frame takes the composer away.
	c, err := e.store().UpdateChannel(general, func(c *archive.Channel) error { c.Archived = true; return nil })
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	e.srv.Hub().ChannelChanged(c, nil)
	ana.until("the composer gone", `document.querySelector('.composer').hidden && !document.querySelector('#read-only').hidden`, 5*time.Second)
}

// The sign-in page shows the office's name. A text a content rule blocks stays on the page, failed, with the
// server's sentence; it is not sent again, and "Change it" brings the text
// back to the composer.
func TestBlockedMessageExplained(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	general := e.channel("general", "ana")
	err := e.store().SaveRules(append(rules.Defaults(), rules.Rule{ID: "falcon", Name: "the Falcon project", Kind: rules.KindPattern,
		Pattern: `project\s+falcon`, Action: rules.ActionBlock, Enabled: true}))
	if err != nil {
		t.Fatalf("save rules: %v", err)
	}

	// The sign-in page names the office (GET /api/office).
	st := e.store().Settings()
	st.OfficeName = "Acme Ltd"
	if err := e.store().SaveSettings(st); err != nil {
		t.Fatalf("settings: %v", err)
	}
	ana := e.person("ana")
	ana.run(chromedp.Navigate(e.URL + "/"))
	ana.until("the office's name on the sign-in page", `document.querySelector('.auth-card h1')?.textContent === 'Acme Ltd' && document.title === 'Sign in · Acme Ltd'`, 5*time.Second)
	ana.enter()
	ana.open(general)
	ana.say("Project Falcon starts Monday")
	ana.until("the server's explanation", `document.querySelector('.msg.failed .status.blocked')?.textContent.startsWith('This message was not sent: it matches the office') && document.querySelector('.msg.failed .status.blocked').textContent.includes('the Falcon project')`, 5*time.Second)
	if got := eval[string](ana, `document.querySelector('.msg.failed .text').textContent`); got != "Project Falcon starts Monday" {
		e.fatalf("the refused text shows as %q", got)
	}
	if eval[bool](ana, `!!document.querySelector('.msg.failed button')?.textContent.includes('Retry')`) {
		e.fatalf("a blocked message offers Retry")
	}
	e.save(ana, "blocked")
	// Not retried: still failed and nothing stored a second later. A
	// sleep: a retry that does not happen announces nothing to wait for.
	time.Sleep(1500 * time.Millisecond)
	if got := e.texts(general); len(got) != 0 {
		e.fatalf("stored: %q", got)
	}
	ana.run(chromedp.Click(chromedp.CSS(`.msg.failed .status.blocked button`)))
	ana.until("the text back in the composer", `document.querySelector('#composer').value === 'Project Falcon starts Monday' && document.activeElement?.id === 'composer' && !document.querySelector('.msg.failed')`, 5*time.Second)
	ana.run(chromedp.KeyEvent(kb.End), chromedp.KeyEvent(strings.Repeat(kb.Backspace, len("Project Falcon starts Monday"))), chromedp.KeyEvent("The project starts Monday"+kb.Enter))
	ana.until("the changed text sent", hasText("The project starts Monday")+` && !document.querySelector('.msg.pending, .msg.failed')`, 5*time.Second)
	if got := e.texts(general); strings.Join(got, "|") != "The project starts Monday" {
		e.fatalf("stored: %q", got)
	}
}
