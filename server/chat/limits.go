package chat

import (
	"time"

	"golang.org/x/time/rate"
)

// allowance is a person's send and read limits (golang.org/x/time/rate
// token buckets). The hub keeps it while the person is offline too:
// reconnecting must not refill it.
type allowance struct {
	send  *rate.Limiter // messages, edits and deletes
	reads *rate.Limiter // history and sync requests
}

// allowanceOf returns user's allowance, made on first use. h.mu is held.
func (h *Hub) allowanceOf(user string) *allowance {
	a := h.allowances[user]
	if a == nil {
		a = &allowance{
			send:  rate.NewLimiter(rate.Limit(h.limits.SendRate), h.limits.SendBurst),
			reads: rate.NewLimiter(rate.Limit(h.limits.ReadRate), h.limits.ReadBurst),
		}
		h.allowances[user] = a
	}
	return a
}

// allowTyping lets a person announce typing in a channel every typingEvery.
func (h *Hub) allowTyping(user, channel string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.people[user]
	if p == nil {
		return false
	}
	now := time.Now()
	if now.Sub(p.typedAt[channel]) < typingEvery {
		return false
	}
	p.typedAt[channel] = now
	return true
}
