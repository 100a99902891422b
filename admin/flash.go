package admin

import (
	"sync"
	"time"
)

// A flash is the message shown once after an action ("Ana Ruiz was
// added."). Flashes live in memory under the session's id, not in a
// cookie: another site cannot plant one, and a one-time password shown in
// a flash never leaves the server except in that one page.
type flash struct {
	Kind   string // "ok", "warn" or "error"
	Text   string
	Secret string // shown in monospace for copying, e.g. a one-time password
}

type flashBox struct {
	items []flash
	at    time.Time
}

type flashes struct {
	mu sync.Mutex
	m  map[string]*flashBox
}

// flashTTL bounds how long an unread flash waits.
const flashTTL = 10 * time.Minute

func newFlashes() *flashes { return &flashes{m: map[string]*flashBox{}} }

func (f *flashes) add(session string, fl flash) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if len(f.m) > 1000 {
		for k, b := range f.m {
			if now.Sub(b.at) > flashTTL {
				delete(f.m, k)
			}
		}
	}
	b := f.m[session]
	if b == nil {
		b = &flashBox{}
		f.m[session] = b
	}
	if len(b.items) < 5 {
		b.items = append(b.items, fl)
	}
	b.at = now
}

func (f *flashes) pop(session string) []flash {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.m[session]
	delete(f.m, session)
	if b == nil || time.Since(b.at) > flashTTL {
		return nil
	}
	return b.items
}

// ok, warn and fail queue a flash for the request's next page.
func (c *Console) ok(r *request, text string) { c.flash.add(r.sess.ID, flash{Kind: "ok", Text: text}) }

func (c *Console) fail(r *request, text string) {
	c.flash.add(r.sess.ID, flash{Kind: "error", Text: text})
}
