package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The policy gate: a first sign-in shows the policy and nothing else until
// it is accepted; a new policy version brings the gate back.
func TestPolicyGate(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", false)
	e.channel("general", "ana")
	ana := e.person("ana")

	// A wrong password first: a clear message, no way in.
	ana.run(chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "ana"), chromedp.SendKeys(chromedp.ID("password"), "wrong password\r"))
	ana.until("the wrong-password message", `document.querySelector('#login-error:not([hidden])')?.textContent.includes('user name or password is wrong')`, 5*time.Second)

	ana.do(`document.querySelector('#password').value = ''`)
	ana.run(chromedp.SendKeys(chromedp.ID("password"), "correct horse battery staple\r"))
	ana.until("the policy gate", `document.querySelector('#accept-policy') && document.querySelector('.policy-text').textContent.includes('This messenger is for work')`, 5*time.Second)
	if eval[bool](ana, `!!document.querySelector('#composer') || !!document.querySelector('.items')`) {
		e.fatalf("the chat is reachable before the policy is accepted")
	}
	// A reload keeps the gate; the chat's URL does not get past it.
	ana.run(chromedp.Navigate(e.URL + "/#/c/anything"))
	ana.until("the policy gate after a reload", `document.querySelector('#accept-policy')`, 5*time.Second)
	if e.store().Accepted("ana").Version != 0 {
		e.fatalf("acceptance recorded without a click")
	}
	e.save(ana, "gate")

	ana.run(chromedp.Click(chromedp.ID("accept-policy")))
	ana.until("the chat", `document.querySelector('#composer') && document.querySelector('#archive-note').textContent.includes('Conversations are archived')`, 5*time.Second)
	if v := e.store().Accepted("ana").Version; v != e.store().Policy().Version {
		e.fatalf("accepted version %d, want %d", v, e.store().Policy().Version)
	}

	// The office changes its policy: the gate is back, with the new text.
	if _, err := e.store().SetPolicy("Version two: be kind, and remember the archive.", "Archived for seven years; may be reviewed by HR."); err != nil {
		t.Fatal(err)
	}
	ana.run(chromedp.Reload())
	ana.until("the gate for the new policy", `document.querySelector('#accept-policy') && document.querySelector('.policy-text').textContent.startsWith('Version two') && document.body.textContent.includes('has changed')`, 5*time.Second)
	ana.run(chromedp.Click(chromedp.ID("accept-policy")))
	ana.until("the chat with the new banner", `document.querySelector('#composer') && document.querySelector('#archive-note').textContent.includes('seven years')`, 5*time.Second)
}

// Sending before accepting is refused by the server too (policy_required):
// the client shows the gate instead of losing the message.
func TestPolicyChangedWhileChatting(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	general := e.channel("general", "ana")
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	if _, err := e.store().SetPolicy("Version two.", "Archived."); err != nil {
		t.Fatal(err)
	}
	ana.say("typed after the change")
	ana.until("the gate", `document.querySelector('#accept-policy')`, 5*time.Second)
	ana.run(chromedp.Click(chromedp.ID("accept-policy")))
	ana.until("the message delivered after accepting", `[...document.querySelectorAll('.msg:not(.pending) .text')].some(t => t.textContent === 'typed after the change')`, 10*time.Second)
	if got := e.texts(general); len(got) != 1 {
		e.fatalf("stored %q, want the one message", got)
	}
}
