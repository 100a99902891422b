package e2e

// Formatting in the browser (docs/client.md, "Formatting"): a message with
// a fenced code block, a list and a bold word as another person sees it,
// the code block's Copy button (the Clipboard API and the fallback for
// pages without it), Ctrl+B and Ctrl+I in the composer, links (a new tab
// for others' sites, the message itself for a link to one of this
// Inhouse), and scrolling a channel of 300 formatted messages within a
// frame's 16 ms.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/archive"
	"inhouse/server/servertest"
)

// setText puts text into the composer as typing would (key events cannot
// carry a newline without sending).
func (p *person) setText(text string) {
	p.e.t.Helper()
	p.do(`const c = document.querySelector('#composer'); c.focus(); c.value = ` + js(text) + `; c.dispatchEvent(new Event('input', {bubbles: true}))`)
}

// grantClipboard lets p's page read and write the clipboard, as a person
// would allow it.
func (p *person) grantClipboard() {
	p.e.t.Helper()
	c := chromedp.FromContext(p.ctx)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		_, err := cdp.Call(ctx, c.Browser, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted,
			Origin: p.e.URL, BrowserContextID: c.BrowserContextID,
		})
		cancel()
		if err != nil {
			p.e.fatalf("grant %s: %v", name, err)
		}
	}
}

// evalLong is eval with a longer deadline, for measurements that run for
// some seconds in the page.
func evalLong[T any](p *person, js string, timeout time.Duration) T {
	p.e.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.e.fatalf("%s: evaluate: %v", p.name, err)
	}
	return v
}

const formatCode = "    indented by four\n  by two\n\ttabbed\n\n        and eight"

func TestFormatMessages(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	ana, ben := e.person("ana"), e.person("ben")
	ana.enter()
	ana.open(general)
	ben.enter()
	ben.open(general)

	// The hint under the composer, and Ctrl+B / Ctrl+I.
	if hint := eval[string](ana, `document.querySelector('#format-hint')?.textContent || ''`); !strings.Contains(hint, "**bold**") || !strings.Contains(hint, "```block```") {
		e.fatalf("the formatting hint under the composer says %q", hint)
	}
	ana.setText("make this bold")
	ana.do(`document.querySelector('#composer').setSelectionRange(5, 9)`)
	ana.run(chromedp.KeyEvent("b", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	ana.until("Ctrl+B to wrap the selection", `(() => { const c = document.querySelector('#composer'); return c.value === 'make **this** bold' && c.selectionStart === 7 && c.selectionEnd === 11; })()`, 5*time.Second)
	ana.run(chromedp.KeyEvent("b", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	ana.until("Ctrl+B again to unwrap it", `document.querySelector('#composer').value === 'make this bold'`, 5*time.Second)
	ana.do(`const c = document.querySelector('#composer'); c.setSelectionRange(c.value.length, c.value.length)`)
	ana.run(chromedp.SendKeys(chromedp.ID("composer"), " "))
	ana.run(chromedp.KeyEvent("i", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	ana.run(chromedp.SendKeys(chromedp.ID("composer"), "now"))
	ana.until("Ctrl+I with nothing selected: the caret between the markers", `document.querySelector('#composer').value === 'make this bold *now*'`, 5*time.Second)

	// Ana sends a code block with leading spaces, a list and a bold word.
	msg := "Deploy **today**, @ben:\n- build\n- test *all* of it\n\n```sh\n" + formatCode + "\n```\n> and ~~not~~ `this`"
	ana.setText(msg)
	ana.run(chromedp.SendKeys(chromedp.ID("composer"), kb.Enter))
	ana.until("her message, acknowledged and formatted", `document.querySelector('.msg:not(.pending) .md-pre')`, 10*time.Second)
	if got := e.texts(general); len(got) != 1 || got[0] != msg {
		e.fatalf("the archive keeps %q, want the text as typed %q", got, msg)
	}

	ben.until("the formatted message", `document.querySelector('.msg .md-pre pre code')`, 10*time.Second)
	type seen struct {
		Code, Rendered, WhiteSpace, Lang, Strong, Mention, Quote, Del, Inline string
		Items                                                                 []string
		HTML                                                                  bool
	}
	s := eval[seen](ben, `(() => {
		const li = [...document.querySelectorAll('.msg')].find(m => m.querySelector('.md-pre'));
		const pre = li.querySelector('.md-pre pre');
		return {
			code: pre.querySelector('code').textContent, rendered: pre.innerText, whiteSpace: getComputedStyle(pre).whiteSpace,
			lang: li.querySelector('.md-pre .md-lang')?.textContent || '',
			strong: li.querySelector('.text strong')?.textContent || '', mention: li.querySelector('.text .mention.me')?.textContent || '',
			items: [...li.querySelectorAll('.text ul.md-list > li')].map(x => x.textContent),
			quote: li.querySelector('.text blockquote.md-quote')?.textContent || '', del: li.querySelector('.text del')?.textContent || '',
			inline: li.querySelector('.text code.md-code')?.textContent || '',
			html: !!li.querySelector('.text script, .text b, .text img, .text [style], .text [onclick]'),
		};
	})()`)
	if s.Code != formatCode || s.Rendered != formatCode {
		e.fatalf("the code block shows %q (rendered %q), want the spaces kept exactly: %q", s.Code, s.Rendered, formatCode)
	}
	if s.WhiteSpace != "pre" || s.Lang != "sh" {
		e.fatalf("code block: white-space %q, language label %q", s.WhiteSpace, s.Lang)
	}
	if s.Strong != "today" || s.Mention != "@ben" || !slices.Equal(s.Items, []string{"build", "test all of it"}) || s.Quote != "and not this" || s.Del != "not" || s.Inline != "this" || s.HTML {
		e.fatalf("formatting as Ben sees it: %+v", s)
	}
	e.save(ben, "formatted")

	// Copy: the Clipboard API puts the code on the clipboard, exactly.
	ben.grantClipboard()
	ben.do(`window.__copies = []; const w = navigator.clipboard.writeText.bind(navigator.clipboard); navigator.clipboard.writeText = (t) => { window.__copies.push(t); return w(t); }`)
	ben.run(chromedp.Click(chromedp.CSS(`.msg .md-pre .md-copy`)))
	ben.until("Copied", `document.querySelector('.msg .md-pre .md-copy').dataset.copied === 'clipboard' && document.querySelector('.msg .md-pre .md-copy').textContent === 'Copied'`, 5*time.Second)
	if copies := eval[[]string](ben, `window.__copies`); !slices.Equal(copies, []string{formatCode}) {
		e.fatalf("the Copy button's handler wrote %q, want %q", copies, formatCode)
	}
	if got := evalLong[string](ben, `navigator.clipboard.readText()`, 5*time.Second); got != formatCode {
		e.fatalf("the clipboard holds %q, want %q", got, formatCode)
	}
	// Without the Clipboard API (a page on plain http in the office's
	// network): the browser's copy of the selected code.
	ben.do(`navigator.clipboard.writeText('something else'); window.__clipboard = navigator.clipboard; Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})`)
	ben.run(chromedp.Click(chromedp.CSS(`.msg .md-pre .md-copy`)))
	ben.until("copied by selection", `document.querySelector('.msg .md-pre .md-copy').dataset.copied === 'selection'`, 5*time.Second)
	if got := evalLong[string](ben, `window.__clipboard.readText()`, 5*time.Second); got != formatCode {
		e.fatalf("copied without the Clipboard API: %q, want %q", got, formatCode)
	}

	// Links: a site elsewhere opens in a new tab without the referrer (and
	// nothing fetches it); a link to a message of this Inhouse opens it
	// here, 150 messages back (not loaded until it is asked for).
	seq := keyOf(ben, "Deploy today")
	var filler []string
	for i := 1; i <= 150; i++ {
		filler = append(filler, fmt.Sprintf("ben: filler **%d**", i))
	}
	e.seed(general, filler...)
	link := e.URL + "/#/m/" + general + "/" + seq
	ben.setText("[the snippet](" + link + ") and https://example.org/docs, not [this](javascript:alert(1))")
	ben.run(chromedp.SendKeys(chromedp.ID("composer"), kb.Enter))
	ben.until("the link message, acknowledged", `document.querySelector('.msg:not(.pending) a.md-link.internal')`, 10*time.Second)
	msgs, err := e.store().After(general, 0, 1000)
	if err != nil || len(msgs) == 0 {
		e.fatalf("read the channel: %v", err)
	}
	if _, err := e.store().MarkRead(general, "ana", msgs[len(msgs)-1].Seq); err != nil {
		e.fatalf("mark read: %v", err)
	}
	ana.run(chromedp.Reload())
	ana.until("the links", `document.querySelector('.msg a.md-link.internal.message-link') && document.querySelector('.msg a.md-link:not(.internal)')`, 10*time.Second)
	type anchor struct{ Href, Target, Rel, Text string }
	ext := eval[anchor](ana, `(() => { const a = document.querySelector('.msg a.md-link:not(.internal)'); return {href: a.href, target: a.target, rel: a.rel, text: a.textContent}; })()`)
	if ext.Href != "https://example.org/docs" || ext.Target != "_blank" || ext.Rel != "noopener noreferrer" {
		e.fatalf("the link to another site: %+v", ext)
	}
	in := eval[anchor](ana, `(() => { const a = document.querySelector('.msg a.md-link.internal'); return {href: a.href, target: a.target, rel: a.rel, text: a.textContent}; })()`)
	if in.Href != link || in.Target != "" || in.Text != "the snippet" {
		e.fatalf("the link to a message: %+v", in)
	}
	if n := eval[int](ana, `[...document.querySelectorAll('.msg a')].filter(a => /^\s*javascript:/i.test(a.getAttribute('href'))).length`); n != 0 {
		e.fatalf("a javascript: link became clickable")
	}
	if eval[bool](ana, `!!document.querySelector('.msg[data-key="`+seq+`"]')`) {
		e.fatalf("the linked message is loaded already: the test would prove nothing")
	}
	tabs := func() int {
		ts, err := chromedp.Targets(ana.ctx)
		if err != nil {
			e.fatalf("targets: %v", err)
		}
		n := 0
		for _, x := range ts {
			if x.Type == "page" {
				n++
			}
		}
		return n
	}
	before := tabs()
	// Clicked from the page itself: the list may re-render between a lookup
	// and a click driven from outside, which then misses its node.
	if !eval[bool](ana, `(() => { const a = document.querySelector('.msg a.md-link.internal'); if (!a) return false; a.click(); return true })()`) {
		e.fatalf("no link to the message in the conversation")
	}
	ana.until("the linked message, highlighted in view", `(() => {
		const m = document.querySelector('.msg.highlight[data-key="`+seq+`"]');
		if (!m) return false;
		const r = m.getBoundingClientRect(), s = document.querySelector('.scroller').getBoundingClientRect();
		return r.bottom > s.top && r.top < s.bottom;
	})()`, 10*time.Second)
	if after := tabs(); after != before {
		e.fatalf("the link to a message opened a tab (%d pages, was %d)", after, before)
	}
	if out := servertest.RecorderOf(e.browser).Outside(); len(out) > 0 {
		e.fatalf("a page fetched from outside: %q", out)
	}
	e.save(ana, "message-link")
}

// formatCorpus is message i of the performance channel: every kind of
// formatting, code blocks included.
func formatCorpus(i int) string {
	switch i % 6 {
	case 0:
		return fmt.Sprintf("**Build %d** is *green* — see [the log](https://ci.example.org/build/%d), ~~ignore~~ the `make test` warning", i, i)
	case 1:
		return fmt.Sprintf("Checklist for %d:\n- **review** the diff\n- run `go test ./...`\n  - and the *browser* tests\n- ping @ana\n\n1. merge\n2. deploy", i)
	case 2:
		return fmt.Sprintf("> Quoting %d: *the invoice* is **out**\n> — ben\n\nThanks, @ana!", i)
	case 3:
		return fmt.Sprintf("```go\nfunc main() {\n    fmt.Println(%d)\n        // indented\n    for i := range 10 {\n        fmt.Println(i)\n    }\n}\n```", i)
	case 4:
		return fmt.Sprintf("Plain message number %d with a link https://example.org/%d and @ana, snake_case and 2*3*4.", i, i)
	default:
		return fmt.Sprintf("_Note %d_: ***very*** important, __really__; `inline` and **bold _nested_ text** ~~done~~", i)
	}
}

type frameStats struct {
	Frames  int       `json:"frames"`
	Work    []float64 `json:"work"`    // ms from a frame's first callback to after its paint
	Between []float64 `json:"between"` // ms between frames
	Loaded  int       `json:"loaded"`
	Top     bool      `json:"top"`
}

// scrollJS scrolls the message list by step px a frame (negative: up)
// until it reaches the end it is going to, and measures every frame: the
// time from the frame's first animation callback (this one, registered
// before the list's) through the list's own scroll work, style, layout and
// paint to the next task, and the time between frames.
const scrollJS = `new Promise((done) => {
	const s = document.querySelector('.scroller'), step = %d, max = %d;
	const work = [], between = [];
	let last = 0, n = 0, still = 0;
	const frame = (ts) => {
		if (last) between.push(ts - last);
		last = ts;
		const t0 = performance.now(), was = s.scrollTop;
		s.scrollTop = was + step;
		const ch = new MessageChannel();
		ch.port1.onmessage = () => work.push(performance.now() - t0);
		ch.port2.postMessage(0);
		n++;
		// At the end: the start of the channel (up), or the bottom (down).
		const end = step < 0 ? s.scrollTop === 0 && document.querySelector('.list-top').textContent.includes('This is the start') : s.scrollTop + s.clientHeight >= s.scrollHeight - 1;
		still = end ? still + 1 : 0;
		if (n >= max || still > 10) {
			setTimeout(() => done({frames: n, work, between, loaded: document.querySelectorAll('.msg[data-key]').length, top: end}), 50);
			return;
		}
		requestAnimationFrame(frame);
	};
	requestAnimationFrame(frame);
})`

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

// 300 formatted messages: rendering them, and scrolling up through them
// (older pages arriving on the way) and down again. The median frame must
// stay within 16 ms; p95 and the worst are logged (headless Chromium on a
// shared CI machine is slower than a person's laptop).
func TestFormatScrollPerformance(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	const total = 300
	texts := make([]string, total)
	var wg sync.WaitGroup
	wg.Add(total)
	for i := range total {
		texts[i] = formatCorpus(i)
		from := "ben"
		if i%4 == 0 {
			from = "ana"
		}
		e.store().Append(archive.Post{Channel: general, From: from, ClientID: fmt.Sprintf("perf-%d", i), Text: texts[i]}, func(_ archive.Message, _ bool, err error) {
			if err != nil {
				t.Errorf("append: %v", err)
			}
			wg.Done()
		})
	}
	wg.Wait()
	if _, err := e.store().MarkRead(general, "ana", total); err != nil {
		t.Fatalf("mark read: %v", err)
	}
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("the newest message", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent.startsWith('Note 299: very important'))`, 10*time.Second)

	// Formatting 300 messages: parse and build their DOM, then lay it out
	// in a column as wide as the list.
	corpus, _ := json.Marshal(texts)
	type renderCost struct{ Build, Layout, Height float64 }
	rc := evalLong[renderCost](ana, `import('/view/format.js').then(({formatText}) => {
		const texts = `+string(corpus)+`;
		const box = document.createElement('div');
		box.style.width = document.querySelector('.msgs').clientWidth + 'px';
		box.style.position = 'absolute';
		box.style.left = '-10000px';
		document.body.append(box);
		let build = Infinity, layout = Infinity, height = 0;
		for (let round = 0; round < 3; round++) {
			box.replaceChildren();
			const t0 = performance.now();
			const els = texts.map((t) => { const d = document.createElement('div'); d.className = 'text'; d.append(...formatText(t, {isUser: (n) => n === 'ana' || n === 'ben'})); return d; });
			const t1 = performance.now();
			box.append(...els);
			height = box.offsetHeight;
			const t2 = performance.now();
			build = Math.min(build, t1 - t0);
			layout = Math.min(layout, t2 - t1);
		}
		box.remove();
		return {build, layout, height};
	})`, 20*time.Second)
	t.Logf("formatting %d messages: parse and DOM %.1f ms (%.3f ms a message; a page of 100 slides in with %.1f ms), layout %.1f ms, %.0f px tall",
		total, rc.Build, rc.Build/total, rc.Build/3, rc.Layout, rc.Height)

	check := func(what string, st frameStats) {
		med, p95, worst := percentile(st.Work, .5), percentile(st.Work, .95), percentile(st.Work, 1)
		t.Logf("%s: %d frames, %d messages in the DOM; work a frame: median %.1f ms, p95 %.1f ms, worst %.1f ms; between frames: median %.1f ms, p95 %.1f ms",
			what, st.Frames, st.Loaded, med, p95, worst, percentile(st.Between, .5), percentile(st.Between, .95))
		if len(st.Work) < 30 {
			e.fatalf("%s: only %d frames measured", what, len(st.Work))
		}
		if med > 16 {
			e.fatalf("%s: the median frame takes %.1f ms, over 16 ms", what, med)
		}
	}
	up := evalLong[frameStats](ana, fmt.Sprintf(scrollJS, -60, 1500), 60*time.Second)
	if !up.Top {
		e.fatalf("scrolling up did not reach the start of the channel in %d frames (%d messages loaded)", up.Frames, up.Loaded)
	}
	check("scrolling up through history", up)
	if up.Loaded != total {
		e.fatalf("%d messages in the DOM at the top, want all %d", up.Loaded, total)
	}
	e.save(ana, "scrolled-up")
	down := evalLong[frameStats](ana, fmt.Sprintf(scrollJS, 60, 1500), 60*time.Second)
	check("scrolling down through all 300", down)
}
