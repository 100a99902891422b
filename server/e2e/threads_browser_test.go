package e2e

// Replies and threads in the browser (docs/conversation.md, docs/client.md
// "Threads"): a reply from a message's Reply button goes to its thread and
// not into the channel's list; the root shows "1 reply · last … · Ben"; a
// person mentioned in the reply follows the thread, sees it unread in the
// Threads view, and opening it clears it (on the server too); a reply with
// *Also send to #general* is in the list as well; Esc closes the panel and
// gives focus back; on a phone the thread is the whole screen.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// msgJS finds the main list's message whose text is text.
func msgJS(text string) string {
	return `[...document.querySelectorAll('.msgs .msg')].find(li => li.querySelector('.text')?.textContent === ` + js(text) + `)`
}

// summaryOf is the reply line under the message whose text is text (” without one).
func summaryOf(p *person, text string) string {
	p.e.t.Helper()
	return eval[string](p, `(`+msgJS(text)+`)?.querySelector('.thread-summary .thread-text')?.textContent || ''`)
}

// replyIn opens the thread of the message whose text is text with its tool
// bar's Reply button (the action bar of view/reactions.js) and waits for the
// panel, focused on its composer.
func replyIn(p *person, text string) {
	p.e.t.Helper()
	p.do(`(` + msgJS(text) + `).querySelector('.msg-tools [data-action="reply"]').click()`)
	p.until("the thread panel with its composer focused", `!document.querySelector('#thread-panel').hidden && document.activeElement?.id === 'thread-input'`, 5*time.Second)
}

// threadReplies lists the texts of the replies shown in the thread panel, stored ones only.
func threadReplies(p *person) []string {
	p.e.t.Helper()
	return eval[[]string](p, `[...document.querySelectorAll('#thread-replies .tmsg:not(.pending):not(.failed) .text')].map(t => t.textContent)`)
}

// followedThreads is what GET /api/threads answers p's page.
type followedThread struct {
	Channel string `json:"channel"`
	Seq     uint64 `json:"seq"`
	Replies int    `json:"replies"`
	Unread  int    `json:"unread"`
}

func followed(p *person) []followedThread {
	p.e.t.Helper()
	raw := eval[string](p, `fetch('/api/threads').then(r => r.text())`, chromedp.EvalAwaitPromise)
	var out struct{ Threads []followedThread }
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		p.e.fatalf("GET /api/threads: %v: %s", err, raw)
	}
	return out.Threads
}

// threadA11y runs firsthour_test.go's small accessibility check on p's page.
func threadA11y(p *person, where string) {
	p.e.t.Helper()
	if probs := eval[[]string](p, a11yCheck); len(probs) > 0 {
		p.e.fatalf("%s: %s", where, strings.Join(probs, "\n"))
	}
}

func TestThreadRepliesAndTheThreadsView(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"ana", "ben", "cleo"} {
		e.addUser(n, true)
	}
	general := e.channel("general", "ana", "ben", "cleo")
	random := e.channel("random", "cleo")

	// Cleo looks at another channel while it happens.
	cleo := e.person("cleo")
	cleo.enter()
	cleo.open(random)
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ben := e.person("ben")
	ben.enter()
	ben.open(general)

	const root = "Who takes the invoice for Hansen?"
	const reply = "I will. @cleo can you check the amounts?"
	ana.say(root)
	ben.until("Ana's message", hasText(root), 5*time.Second)
	pill := fmt.Sprintf(`document.querySelector('.items a[data-id=%q] .pill')`, general)
	cleo.until("1 unread in #general", pill+`?.textContent === '1'`, 5*time.Second)

	// Ben replies in the thread, from the message's Reply button.
	replyIn(ben, root)
	if got := eval[string](ben, `document.querySelector('#thread-panel .thread-root .text')?.textContent`); got != root {
		e.fatalf("the thread's root says %q, want %q", got, root)
	}
	if got := eval[string](ben, `document.querySelector('#thread-also + span').textContent`); got != "Also send to #general" {
		e.fatalf("the checkbox says %q", got)
	}
	ben.run(chromedp.SendKeys(chromedp.ID("thread-input"), reply+kb.Enter))
	ben.until("the reply in Ben's thread", `[...document.querySelectorAll('#thread-replies .tmsg:not(.pending) .text')].some(t => t.textContent === `+js(reply)+`)`, 5*time.Second)
	m := e.lastMessage(general)
	rootSeq := m.Parent
	if m.Text != reply || rootSeq == 0 || m.Also {
		e.fatalf("stored reply: text %q parent %d also %v", m.Text, m.Parent, m.Also)
	}
	if eval[bool](ben, hasText(reply)) {
		e.fatalf("the reply is in Ben's channel list too")
	}

	// Ana sees "1 reply" under her message, and not the reply in the list.
	ana.until(`"1 reply" under Ana's message`, `(`+msgJS(root)+`)?.querySelector('.thread-summary .thread-text')?.textContent.startsWith('1 reply · last ')`, 5*time.Second)
	if s := summaryOf(ana, root); !strings.HasSuffix(s, " · Ben") {
		e.fatalf("the line under Ana's message says %q, want it to end with Ben", s)
	}
	if eval[bool](ana, hasText(reply)) {
		e.fatalf("the reply is in Ana's channel list")
	}
	if n := eval[int](ana, `document.querySelectorAll('.msgs .msg').length`); n != 1 {
		e.fatalf("Ana's list has %d messages, want only hers", n)
	}

	// Cleo was mentioned: she follows the thread. #general still counts
	// only Ana's message; the Threads entry counts the reply.
	cleo.until("the Threads badge", `document.querySelector('#threads-button .pill:not([hidden])')?.textContent === '1'`, 5*time.Second)
	if got := eval[string](cleo, pill+`?.textContent || ''`); got != "1" {
		e.fatalf("#general's count is %q for Cleo, want 1 (the reply stays in its thread)", got)
	}
	cleo.do(`document.querySelector('#threads-button').click()`)
	cleo.until("the thread unread in the Threads view", `(() => {
		const b = document.querySelector('#thread-list .thread-open');
		return b && b.classList.contains('unread') && b.dataset.seq === `+js(fmt.Sprint(rootSeq))+` && b.textContent.includes(`+js(root)+`) && b.textContent.includes('1 new') && b.textContent.includes('1 reply');
	})()`, 5*time.Second)
	e.save(cleo, "threads-view")
	threadA11y(cleo, "the Threads view")
	if f := followed(cleo); len(f) != 1 || f[0].Unread != 1 || f[0].Seq != rootSeq {
		e.fatalf("GET /api/threads for Cleo: %+v, want the thread with 1 unread", f)
	}
	cleo.do(`document.querySelector('#thread-list .thread-open').click()`)
	cleo.until("the thread open beside #general", `!document.querySelector('#thread-panel').hidden && document.querySelector('#thread-panel .thread-root .text')?.textContent === `+js(root)+
		fmt.Sprintf(` && document.querySelector('.items a.current[data-id=%q]')`, general), 5*time.Second)
	if got := threadReplies(cleo); len(got) != 1 || got[0] != reply {
		e.fatalf("Cleo's thread shows %q", got)
	}
	cleo.until("the Threads badge cleared", `document.querySelector('#threads-button .pill').hidden`, 5*time.Second)
	e.waitFor("the server to hear Cleo read the thread", 5*time.Second, func() bool {
		f := followed(cleo)
		return len(f) == 1 && f[0].Unread == 0
	})
	// Esc closes it; focus goes back to where it was opened from.
	cleo.run(chromedp.KeyEvent(kb.Escape))
	cleo.until("the panel closed, focus on Threads", `document.querySelector('#thread-panel').hidden && document.activeElement?.id === 'threads-button'`, 5*time.Second)

	// Ana opens the thread from the line under her message and answers it
	// with Also send to #general.
	ana.do(`(` + msgJS(root) + `).querySelector('.thread-summary').click()`)
	ana.until("Ana's thread with Ben's reply", `!document.querySelector('#thread-panel').hidden && [...document.querySelectorAll('#thread-replies .text')].some(t => t.textContent === `+js(reply)+`)`, 5*time.Second)
	const also = "Thanks Ben, everyone: the invoice goes out today."
	ana.do(`document.querySelector('#thread-also').click()`)
	ana.run(chromedp.SendKeys(chromedp.ID("thread-input"), also+kb.Enter))
	ben.until("the also reply in Ben's channel list", hasText(also)+` && (`+msgJS(also)+`).querySelector('.thread-note')`, 5*time.Second)
	ben.until("and in his open thread", `[...document.querySelectorAll('#thread-replies .text')].some(t => t.textContent === `+js(also)+`)`, 5*time.Second)
	ana.until(`"2 replies" under the root`, `(`+msgJS(root)+`)?.querySelector('.thread-summary .thread-text')?.textContent.startsWith('2 replies · last ')`, 5*time.Second)
	if s := summaryOf(ana, root); !strings.HasSuffix(s, " · Ben, Ana") {
		e.fatalf("the line says %q, want Ben, Ana taking part", s)
	}
	if m := e.lastMessage(general); m.Text != also || m.Parent != rootSeq || !m.Also {
		e.fatalf("stored: text %q parent %d also %v, want a reply to %d also in the channel", m.Text, m.Parent, m.Also, rootSeq)
	}
	if eval[bool](ana, `document.querySelector('#thread-also').checked`) {
		e.fatalf("the checkbox stays checked after sending")
	}
	e.save(ana, "thread-panel")
	threadA11y(ana, "the thread panel")
	// The panel is a column beside the conversation on a desktop.
	layout := eval[map[string]float64](ana, `(() => { const p = document.querySelector('#thread-panel').getBoundingClientRect(), m = document.querySelector('main.main').getBoundingClientRect();
		return { pw: p.width, pl: p.left, mr: m.right, vw: innerWidth }; })()`)
	if layout["pw"] != 360 || layout["pl"] < layout["mr"]-1 || layout["pl"]+layout["pw"] > layout["vw"]+1 {
		e.fatalf("the panel's layout on a desktop: %v, want a 360 px column right of the conversation", layout)
	}
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the panel closed, focus back on the reply line", `document.querySelector('#thread-panel').hidden && document.activeElement?.closest('.msg') === (`+msgJS(root)+`)`, 5*time.Second)

	// A search result on a reply kept in its thread opens the thread there,
	// the reply marked; the search panel gives way (one side panel at a time).
	cleo.run(chromedp.Click(chromedp.ID("search")), chromedp.SendKeys(chromedp.ID("search"), "amounts"+kb.Enter))
	cleo.until("the reply found", `document.querySelectorAll('.search-panel .result').length === 1`, 10*time.Second)
	cleo.run(chromedp.Click(chromedp.CSS(".search-panel .result")))
	cleo.until("the thread open at the reply, highlighted and focused", fmt.Sprintf(`!document.querySelector('#thread-panel').hidden && document.activeElement?.matches('#thread-replies .tmsg.highlight[data-key="%d"]') && document.querySelector('.search-panel').hidden`, m.Seq), 10*time.Second)

	// A reload keeps it all: the summary comes from the history page.
	ben.run(chromedp.Reload())
	ben.until("the chat again", `document.querySelector('#composer') && document.querySelector('.items a')`, 10*time.Second)
	ben.until(`"2 replies" after a reload`, `(`+msgJS(root)+`)?.querySelector('.thread-summary .thread-text')?.textContent.startsWith('2 replies · ')`, 10*time.Second)
	if eval[bool](ben, hasText(reply)) || !eval[bool](ben, hasText(also)) {
		e.fatalf("after a reload the list shows the thread-only reply, or lacks the also one")
	}
}

func TestThreadFullScreenOnPhone(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	e.seed(general, "ben: Can someone check the stock list?")
	ana := e.person("ana")
	ana.run(chromedp.EmulateViewport(390, 844))
	ana.enter()
	ana.open(general)
	const root = "Can someone check the stock list?"
	ana.until("Ben's message", hasText(root), 5*time.Second)
	// A phone has no hover: the message's tool bar comes with focus (or a long press).
	ana.do(`(` + msgJS(root) + `).focus()`)
	replyIn(ana, root)
	cover := `(() => { const r = document.querySelector('#thread-panel').getBoundingClientRect();
		const back = document.querySelector('#thread-back'), b = back.getBoundingClientRect();
		return r.left <= 0 && r.top <= 0 && r.right >= innerWidth && r.bottom >= innerHeight &&
			document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.closest('#thread-panel') &&
			b.width >= 24 && document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)?.closest('#thread-back') === back; })()`
	ana.until("the thread covering the phone's screen, with its back button", cover, 5*time.Second)
	if got := eval[string](ana, `document.querySelector('#thread-back').getAttribute('aria-label')`); got != "Back to #general" {
		e.fatalf("the back button is named %q", got)
	}
	ana.run(chromedp.SendKeys(chromedp.ID("thread-input"), "On it."+kb.Enter))
	ana.until("the reply in the thread", `[...document.querySelectorAll('#thread-replies .tmsg:not(.pending) .text')].some(t => t.textContent === 'On it.')`, 5*time.Second)
	e.save(ana, "phone-thread")
	threadA11y(ana, "the thread on a phone")
	ana.do(`document.querySelector('#thread-back').click()`)
	ana.until("back in the conversation, with 1 reply under the message", `document.querySelector('#thread-panel').hidden && (`+msgJS(root)+`)?.querySelector('.thread-summary .thread-text')?.textContent.startsWith('1 reply · ')`, 5*time.Second)
	ana.until("focus back on the message", `document.activeElement?.closest('.msg') === (`+msgJS(root)+`)`, 5*time.Second)

	// Between a phone and a wide screen the panel lies over the
	// conversation's right side, with its close button.
	ana.run(chromedp.EmulateViewport(900, 800))
	ana.do(`(` + msgJS(root) + `).querySelector('.thread-summary').click()`)
	ana.until("the panel over the right side", `(() => { const r = document.querySelector('#thread-panel').getBoundingClientRect(), c = document.querySelector('#thread-close').getBoundingClientRect();
		return !document.querySelector('#thread-panel').hidden && r.width === 360 && Math.abs(r.right - innerWidth) < 1 && r.top === 0 && r.bottom === innerHeight &&
			document.elementFromPoint(r.left + 180, innerHeight / 2)?.closest('#thread-panel') && c.width > 0 && getComputedStyle(document.querySelector('#thread-back')).display === 'none'; })()`, 5*time.Second)
	e.save(ana, "tablet-thread")
	ana.do(`document.querySelector('#thread-close').click()`)
	ana.until("closed", `document.querySelector('#thread-panel').hidden`, 5*time.Second)
}
