package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Two people in two browser contexts talk: unread counts and the title
// follow, mentions are marked, typing shows, a direct message appears in
// the other's sidebar, and markup in a message stays text.
func TestTwoPeopleTalk(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	random := e.channel("random", "ana", "ben")

	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ana.open(general)
	ben.open(random)
	ben.until("a clean title", `!document.title.startsWith('(')`, 5*time.Second)

	ana.say("Morning! Is the invoice out?")
	ana.until("the message to be acknowledged", `[...document.querySelectorAll('.msg:not(.pending) .text')].some(t => t.textContent === 'Morning! Is the invoice out?')`, 5*time.Second)

	pill := fmt.Sprintf(`document.querySelector('.items a[data-id=%q] .pill')`, general)
	ben.until("an unread count of 1 on #general", pill+`?.textContent === '1'`, 5*time.Second)
	ben.until("the unread count in the title", `document.title.startsWith('(1) ')`, 5*time.Second)

	// Typing shows on the other side.
	ben.open(general)
	ben.until("the message", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'Morning! Is the invoice out?')`, 5*time.Second)
	ben.until("the unread count to clear", `!`+pill+` && !document.title.startsWith('(')`, 5*time.Second)
	ben.run(chromedp.Focus(chromedp.ID("composer")), chromedp.SendKeys(chromedp.ID("composer"), "@ana Sent"))
	ana.until("the typing indicator", `document.querySelector('.typing').textContent === 'Ben is typing…'`, 5*time.Second)
	ben.run(chromedp.SendKeys(chromedp.ID("composer"), " it at 9."+kb.Enter))
	ana.until("the mention, marked", `[...document.querySelectorAll('.msg.mentioned .text')].some(t => t.textContent === '@ana Sent it at 9.') && document.querySelector('.msg.mentioned .mention.me')`, 5*time.Second)
	ana.until("the typing indicator to go", `document.querySelector('.typing').textContent === ''`, 5*time.Second)

	// Markup is text: nothing is parsed, nothing runs.
	evil := []string{`<img src=x onerror=alert(1)>`, `<script>window.pwned=1</script><b>bold</b>`, `javascript:alert(1) and https://example.org/a?b=<c>`}
	for _, s := range evil {
		ana.say(s)
	}
	for _, s := range evil {
		ben.until("the markup shown as text", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === `+js(s)+`)`, 5*time.Second)
	}
	type findings struct {
		Imgs, Scripts, Bold int
		Pwned               bool
		Links               []string
	}
	bad := eval[findings](ben, `({imgs: document.querySelectorAll('.msgs img').length, scripts: document.querySelectorAll('.msgs script').length,
		bold: document.querySelectorAll('.msgs b').length, pwned: window.pwned === 1,
		links: [...document.querySelectorAll('.msgs a')].map(a => a.href)})`)
	if bad.Imgs+bad.Scripts+bad.Bold != 0 || bad.Pwned || ben.sawDialog() || ana.sawDialog() {
		e.fatalf("markup in a message became HTML: %+v, dialog: %v", bad, ben.sawDialog() || ana.sawDialog())
	}
	if len(bad.Links) != 1 || !strings.HasPrefix(bad.Links[0], "https://example.org/a?b=") {
		e.fatalf("want only the https link clickable, got %q", bad.Links)
	}

	// A direct message through the quick switcher: it appears in Ana's
	// sidebar (a channel frame), highlighted, with a count.
	ben.run(chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	ben.until("the quick switcher", `document.querySelector('dialog[open] .picker-input')`, 5*time.Second)
	ben.run(chromedp.SendKeys(chromedp.CSS("dialog[open] .picker-input"), "ana"+kb.Enter))
	ben.until("the direct message to open", `document.querySelector('#conv-title').textContent === 'Ana'`, 5*time.Second)
	ben.say("psst")
	ana.until("the new direct message in the sidebar", `[...document.querySelectorAll('.items a')].some(a => a.getAttribute('aria-label').startsWith('Ben, online, 1 unread') && a.querySelector('.pill.mention'))`, 5*time.Second)

	got := e.texts(general)
	want := append([]string{"Morning! Is the invoice out?", "@ana Sent it at 9."}, evil...)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("stored messages: got %q, want %q", got, want)
	}

	// An edit and a delete (sent on a raw socket from Ana's page: the
	// client has no editing UI yet) show on Ben's copy of the message; the
	// change records themselves are not shown as messages.
	ana.do(`const ws = new WebSocket('ws://' + location.host + '/ws');
		ws.onopen = () => {
			ws.send(JSON.stringify({type: 'edit', id: 'edit-1', channel: ` + js(general) + `, seq: 1, text: 'Morning! Is the invoice out yet?'}));
			ws.send(JSON.stringify({type: 'delete', id: 'delete-1', channel: ` + js(general) + `, seq: 3}));
		};`)
	ben.open(general)
	ben.until("the edit", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'Morning! Is the invoice out yet? (edited)')`, 5*time.Second)
	ben.until("the delete", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'This message was deleted.') && ![...document.querySelectorAll('.msg .text')].some(t => t.textContent === `+js(evil[0])+`)`, 5*time.Second)
	if n := eval[int](ben, `document.querySelectorAll('.msg').length`); n != len(want) {
		e.fatalf("Ben sees %d messages, want %d", n, len(want))
	}
	e.save(ana, "light")
}
