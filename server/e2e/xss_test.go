package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/archive"
	"inhouse/server/rules"
	"inhouse/server/servertest"
)

// xssCorpus is shared with the other browser tests.
var xssCorpus = servertest.XSSCorpus

// xssFindings is what the page holds that could run code, and its text.
type xssFindings struct {
	X    bool     `json:"x"`
	Bad  []string `json:"bad"`
	Text string   `json:"text"`
}

func (p *person) noXSS(where string) xssFindings {
	p.e.t.Helper()
	f := eval[xssFindings](p, servertest.XSSPageJS)
	if f.X || len(f.Bad) > 0 || p.sawDialog() {
		p.e.fatalf("%s: %s: a payload became code: __x set %v, dialog %v, elements %q", p.name, where, f.X, p.sawDialog(), f.Bad)
	}
	return f
}

// TestXSSCorpusInTheClient puts the corpus into everything the web client
// shows that people or the office typed: the office name, the policy and
// its banner, display names (message authors, a direct conversation),
// messages from others and one's own, and content rule names (the blocked
// message's explanation). Channel names cannot hold markup at all.
func TestXSSCorpusInTheClient(t *testing.T) {
	e := newEnv(t)
	st := e.store()

	for _, p := range xssCorpus {
		if _, err := archive.NormalizeChannelName(p); err == nil {
			t.Fatalf("the channel name %q was accepted", p)
		}
	}
	set := st.Settings()
	set.OfficeName = xssCorpus[2]
	if err := st.SaveSettings(set); err != nil {
		t.Fatalf("office name: %v", err)
	}
	if _, err := st.SetPolicy(strings.Join(xssCorpus, "\n"), xssCorpus[6]); err != nil {
		t.Fatalf("policy: %v", err)
	}
	e.addUser("ana", false)
	rename := func(name, display string) {
		if _, err := st.UpdateUser(name, func(u *archive.User) error { u.Display = display; return nil }); err != nil {
			t.Fatalf("display name %q: %v", display, err)
		}
	}
	rename("ana", xssCorpus[7])
	members := []string{"ana"}
	for i, p := range xssCorpus {
		name := "x" + string(rune('a'+i))
		e.addUser(name, true)
		rename(name, p)
		members = append(members, name)
	}
	general := e.channel("general", "ana", members...)
	if _, _, err := st.DirectChannel("ana", "xb"); err != nil {
		t.Fatalf("direct conversation: %v", err)
	}
	// Messages from others, stored before Ana arrives: they come with the
	// history, each under its author's display name.
	for i, p := range xssCorpus {
		done := make(chan error, 1)
		st.Append(archive.Post{Channel: general, From: members[i+1], ClientID: "seed-" + members[i+1], Text: p, Masked: p},
			func(_ archive.Message, _ bool, err error) { done <- err })
		if err := <-done; err != nil {
			t.Fatalf("store a message: %v", err)
		}
	}
	// Rules whose names are payloads block a word; the client shows the
	// server's sentence naming them.
	var list []rules.Rule
	for i, p := range xssCorpus {
		list = append(list, rules.Rule{ID: "r" + string(rune('a'+i)), Name: p, Kind: rules.KindPattern, Pattern: `\bforbidden-word\b`, Action: rules.ActionBlock, Enabled: true})
	}
	if err := st.SaveRules(list); err != nil {
		t.Fatalf("rules: %v", err)
	}

	ana := e.person("ana")
	ana.login()
	ana.until("the policy gate", `document.querySelector('#accept-policy')`, 10*time.Second)
	f := ana.noXSS("the policy gate")
	for _, p := range xssCorpus {
		if !strings.Contains(f.Text, p) {
			e.fatalf("the policy gate does not show %q as text", p)
		}
	}
	ana.do(`document.querySelector('#accept-policy').click()`)
	ana.until("the chat", `document.querySelector('#composer') && document.querySelector('.items a')`, 10*time.Second)
	ana.open(general)
	ana.until("the history", `document.querySelectorAll('.msg').length >= `+strconv.Itoa(len(xssCorpus)), 10*time.Second)

	// Typed through the page rather than key by key: key events cannot
	// carry format characters such as the right-to-left override.
	for _, p := range xssCorpus {
		ana.do(`const c = document.querySelector('#composer'); c.focus(); c.value = ` + js(p) + `; c.dispatchEvent(new Event('input', {bubbles: true}))`)
		ana.run(chromedp.SendKeys(chromedp.ID("composer"), kb.Enter))
	}
	ana.until("her own messages, acknowledged", `document.querySelectorAll('.msg:not(.pending)').length >= `+strconv.Itoa(2*len(xssCorpus)), 15*time.Second)
	ana.say("a forbidden-word here")
	ana.until("the blocked message's explanation", `document.querySelector('.status.failed.blocked')`, 10*time.Second)

	f = ana.noXSS("the conversation")
	for _, p := range xssCorpus {
		if strings.Count(f.Text, p) < 2 { // at least the author (or office) and the message
			e.fatalf("the conversation does not show %q as text (author and message)", p)
		}
	}
	texts := eval[[]string](ana, `[...document.querySelectorAll('.msg .text')].map(t => t.textContent)`)
	for _, p := range xssCorpus {
		n := 0
		for _, tx := range texts {
			if tx == p {
				n++
			}
		}
		if n != 2 {
			e.fatalf("message %q shown %d times as exact text, want 2 (received and sent)", p, n)
		}
	}
	blocked := eval[string](ana, `document.querySelector('.status.failed.blocked').textContent`)
	if !strings.Contains(blocked, xssCorpus[0]) {
		e.fatalf("the blocked explanation does not name the rules as text: %q", blocked)
	}
	links := eval[[]string](ana, `[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))`)
	for _, l := range links {
		if regexp.MustCompile(`(?i)^\s*javascript:`).MatchString(l) {
			e.fatalf("a javascript: link: %q", l)
		}
	}

	// The direct conversation is named after its partner's display name.
	ana.until("the direct conversation in the sidebar", `[...document.querySelectorAll('.items a')].some(a => a.textContent.includes(`+js(xssCorpus[1])+`))`, 5*time.Second)
	ana.do(`[...document.querySelectorAll('.items a')].find(a => a.textContent.includes(` + js(xssCorpus[1]) + `)).click()`)
	ana.until("the direct conversation to open", `document.querySelector('#conv-title').textContent.includes(`+js(xssCorpus[1])+`)`, 5*time.Second)
	ana.noXSS("the direct conversation")

	if got := e.texts(general); len(got) != 2*len(xssCorpus) {
		e.fatalf("stored %d messages, want %d (the blocked one is not stored)", len(got), 2*len(xssCorpus))
	}
}
