package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"inhouse/server/archive"
)

// A channel with 10,000 messages: the DOM holds a bounded window while the
// person scrolls back through history (paged with history frames) and
// returns to the newest message. Reaching message 1 is covered with a
// smaller channel in TestHistoryReachesStart.
func TestLongChannelKeepsDOMBounded(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	const total = 10000
	var wg sync.WaitGroup
	wg.Add(total)
	for i := 1; i <= total; i++ {
		from := "ben"
		if i%3 == 0 {
			from = "ana"
		}
		e.store().Append(archive.Post{Channel: general, From: from, ClientID: fmt.Sprintf("seed-%d", i), Text: fmt.Sprintf("message number %d of the long channel", i)}, func(_ archive.Message, _ bool, err error) {
			if err != nil {
				t.Errorf("append: %v", err)
			}
			wg.Done()
		})
	}
	wg.Wait()

	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("the newest message", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'message number 10000 of the long channel')`, 10*time.Second)

	const maxDOM = 450 // the window (300) plus a page in flight, and separators
	count := `document.querySelectorAll('.msgs > li').length`
	oldest := `Math.min(...[...document.querySelectorAll('.msg .text')].map(t => +t.textContent.split(' ')[2]))`
	// Long tasks (over 50 ms) would be visible as stutter.
	ana.do(`window.longTasks = []; new PerformanceObserver((l) => l.getEntries().forEach((x) => window.longTasks.push(x.duration))).observe({type: 'longtask'})`)
	// Scroll up in big jumps, as someone dragging the scrollbar would.
	start := time.Now()
	const back = 2000 // enough to slide the window many times and page history
	// Each jump waits for what it brings (the window slid up, or an older
	// page arrived), however long the server takes to send it.
	steps, lowest := 0, eval[int](ana, oldest)
	for ; lowest > total-back; steps++ {
		ana.do(`document.querySelector('.scroller').scrollTop = 0`)
		ana.until(fmt.Sprintf("messages older than %d after scroll step %d", lowest, steps), fmt.Sprintf("%s < %d", oldest, lowest), 5*time.Second)
		if n := eval[int](ana, count); n > maxDOM {
			e.fatalf("%d list items in the DOM after %d steps, want at most %d", n, steps, maxDOM)
		}
		lowest = eval[int](ana, oldest)
	}
	t.Logf("scrolled back through %d messages in %d steps, %v; long tasks (ms): %v", total-lowest, steps, time.Since(start).Round(time.Millisecond), eval[[]float64](ana, `window.longTasks`))

	// Jump back to the newest.
	ana.until("the jump button", `!document.querySelector('.jump').hidden`, 5*time.Second)
	ana.do(`document.querySelector('.jump').click()`)
	ana.until("the newest message again", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'message number 10000 of the long channel')`, 5*time.Second)
	if n := eval[int](ana, count); n > maxDOM {
		e.fatalf("%d list items after the jump", n)
	}
}

// Scrolling up pages through history to the very first message.
func TestHistoryReachesStart(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	general := e.channel("general", "ana")
	const total = 700
	var wg sync.WaitGroup
	wg.Add(total)
	for i := 1; i <= total; i++ {
		e.store().Append(archive.Post{Channel: general, From: "ana", ClientID: fmt.Sprintf("seed-%d", i), Text: fmt.Sprintf("message number %d", i)}, func(_ archive.Message, _ bool, err error) { wg.Done() })
	}
	wg.Wait()
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	ana.until("the newest message", `[...document.querySelectorAll('.msg .text')].some(t => t.textContent === 'message number 700')`, 10*time.Second)
	// Scroll to the top, then wait for what that brings: the window slid
	// up or an older page arrived (the first message changed), or the start.
	atStart := `document.querySelector('.list-top').textContent.includes('This is the start of #general')`
	first := `document.querySelector('.msg .text').textContent`
	for step := 0; !eval[bool](ana, atStart); step++ {
		if step == 100 { // 7 pages of 100 are enough
			e.fatalf("the start of the channel not reached after %d scroll steps", step)
		}
		was := eval[string](ana, first)
		ana.do(`document.querySelector('.scroller').scrollTop = 0`)
		ana.until(fmt.Sprintf("messages before %q after scroll step %d", was, step), atStart+` || `+first+` !== `+js(was), 5*time.Second)
	}
	ana.until("message 1 and the start of the channel", atStart+` && `+first+` === 'message number 1'`, 5*time.Second)
}
