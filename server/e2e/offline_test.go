package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A message typed while the server is down shows as pending, survives in
// localStorage, and is delivered exactly once when the server is back on
// the same address; a resend of an already stored id does not duplicate.
func TestOfflineMessageDeliveredOnce(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ben.enter()
	ana.open(general)
	ben.open(general)

	e.down()
	ana.until("the offline notice", `document.querySelector('.status-bar:not([hidden])')?.textContent.includes("You're offline")`, 10*time.Second)
	ana.say("typed while the server was down")
	ana.until("the pending message", `[...document.querySelectorAll('.msg.pending .text')].some(t => t.textContent === 'typed while the server was down')`, 5*time.Second)
	if !eval[bool](ana, `(localStorage.getItem('inhouse.outbox.ana') || '').includes('typed while the server was down')`) {
		e.fatalf("the pending message is not kept in localStorage")
	}
	e.save(ana, "offline")

	e.up()
	ana.until("the message acknowledged", `!document.querySelector('.msg.pending') && [...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'typed while the server was down')`, 20*time.Second)
	ana.until("the offline notice to go", `document.querySelector('.status-bar').hidden`, 5*time.Second)
	ben.until("the message on the other side", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'typed while the server was down')`, 20*time.Second)
	if got := e.texts(general); strings.Join(got, "|") != "typed while the server was down" {
		e.fatalf("stored %q, want the message once", got)
	}

	// The same id sent again (an ack lost on the way, then a reload): the
	// server re-acknowledges and the page shows it once.
	msgs, _ := e.store().After(general, 0, 10)
	entry := fmt.Sprintf(`[{"id":%q,"channel":%q,"text":"typed while the server was down","ts":%d,"state":"pending"}]`, msgs[0].ID, general, time.Now().UnixMilli())
	ana.do(`localStorage.setItem('inhouse.outbox.ana', ` + js(entry) + `)`)
	ana.run(chromedp.Reload())
	ana.until("the resend to be acknowledged", `document.querySelector('#composer') && !document.querySelector('.msg.pending') && localStorage.getItem('inhouse.outbox.ana') === '[]'`, 10*time.Second)
	n := eval[int](ana, `[...document.querySelectorAll('.msg .text')].filter(t => t.textContent === 'typed while the server was down').length`)
	if n != 1 {
		e.fatalf("the message shows %d times, want once", n)
	}
	if got := e.texts(general); len(got) != 1 {
		e.fatalf("stored %q after the resend, want one message", got)
	}
}

// Unsent messages survive a reload: typed while the server is down, the page
// reloaded once it is back, then delivered once.
func TestPendingSurvivesReload(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	general := e.channel("general", "ana")
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	e.down()
	ana.until("the offline notice", `document.querySelector('.status-bar:not([hidden])')`, 10*time.Second)
	ana.say("first")
	ana.say("second")
	ana.until("two pending messages", `document.querySelectorAll('.msg.pending').length === 2`, 5*time.Second)
	// This page may not reconnect: the reload is what must send them.
	ana.do(`window.socketTries = 0; window.WebSocket = function () { window.socketTries++; throw new Error('blocked by the test') }`)
	e.up()
	// With the server back the page tries again, at once with Try now
	// rather than at the end of its backoff, and cannot send.
	ana.until("the Try now button", `document.querySelector('.status-bar button')`, 5*time.Second)
	ana.do(`window.socketTries = 0; document.querySelector('.status-bar button').click()`)
	ana.until("a try to reconnect to the server that is back", `window.socketTries > 0`, 5*time.Second)
	if n := eval[int](ana, `document.querySelectorAll('.msg.pending').length`); n != 2 {
		e.fatalf("%d pending before the reload, want 2", n)
	}
	ana.run(chromedp.Reload())
	ana.until("both delivered", `document.querySelector('#composer') && !document.querySelector('.msg.pending') && [...document.querySelectorAll('.msg .text')].map(t => t.textContent).join('|') === 'first|second'`, 10*time.Second)
	if got := e.texts(general); strings.Join(got, "|") != "first|second" {
		e.fatalf("stored %q, want first|second once each", got)
	}
}
