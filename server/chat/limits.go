package chat

import (
	"sync"
	"time"
)

// bucket is a token bucket: rate tokens a second, up to burst.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) bucket {
	return bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

func (b *bucket) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// allowSend spends one of user's send tokens.
func (h *Hub) allowSend(user string) bool {
	h.mu.RLock()
	p := h.people[user]
	h.mu.RUnlock()
	return p != nil && p.bucket.take()
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

// policyAccepted reports whether user accepted the policy in force.
func (h *Hub) policyAccepted(user string) bool {
	return h.store.Accepted(user).Version == h.store.Policy().Version
}
