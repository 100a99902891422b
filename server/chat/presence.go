package chat

import "time"

// presenceFlush coalesces presence changes: a person opening five tabs is
// announced once.
const presenceFlush = 250 * time.Millisecond

// Status is a person's presence: online if any tab is active, away if every
// tab is away, offline with no tab open.
func (h *Hub) Status(user string) string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return statusOf(h.people[user])
}

// statusOf needs h.mu held.
func statusOf(p *person) string {
	if p == nil || len(p.conns) == 0 {
		return "offline"
	}
	for c := range p.conns {
		c.mu.Lock()
		away := c.away
		c.mu.Unlock()
		if !away {
			return "online"
		}
	}
	return "away"
}

func (h *Hub) presenceChanged(user string) {
	select {
	case h.presence <- user:
	default:
		// The announcer is behind; it will catch this person on a later change.
	}
}

// announce sends presence changes to the people who see them: the person's
// own tabs and those of everyone who has a direct conversation with them
// (the sidebar shows presence there; /api/users has everyone's).
func (h *Hub) announce() {
	defer h.stopped.Done()
	tick := time.NewTicker(presenceFlush)
	defer tick.Stop()
	dirty := map[string]bool{}
	for {
		select {
		case u := <-h.presence:
			dirty[u] = true
		case <-tick.C:
			for u := range dirty {
				h.announceOne(u)
			}
			clear(dirty)
		case <-h.stop:
			return
		}
	}
}

func (h *Hub) announceOne(user string) {
	h.mu.Lock()
	p := h.people[user]
	status := statusOf(p)
	if p == nil || p.status == status {
		h.mu.Unlock()
		return
	}
	p.status = status
	if status == "offline" {
		delete(h.people, user) // nothing live is left to keep
	}
	h.mu.Unlock()
	frame := mustJSON(presenceFrame{Type: "presence", User: user, Status: status})
	for _, c := range h.connsOf(user) {
		c.push(frame)
	}
	for _, other := range h.store.DirectPartners(user) {
		for _, c := range h.connsOf(other) {
			c.push(frame)
		}
	}
}
