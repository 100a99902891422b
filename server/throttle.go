package server

import (
	"sync"
	"time"
)

// Sign-in throttling: after too many failures in a window, further tries
// for that account or from that address are refused until it passes.
const (
	throttleWindow  = 15 * time.Minute
	maxFailsPerName = 5
	maxFailsPerAddr = 20
)

type throttle struct {
	mu    sync.Mutex
	fails map[string][]time.Time // "u:name" or "a:address" -> recent failures
}

func newThrottle() *throttle { return &throttle{fails: map[string][]time.Time{}} }

// wait reports how long a sign-in for name from addr must wait (0: go on).
func (t *throttle) wait(name, addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.waitLocked("u:"+name, maxFailsPerName), t.waitLocked("a:"+addr, maxFailsPerAddr))
}

func (t *throttle) waitLocked(key string, limit int) time.Duration {
	now := time.Now()
	recent := t.fails[key][:0]
	for _, f := range t.fails[key] {
		if now.Sub(f) < throttleWindow {
			recent = append(recent, f)
		}
	}
	if len(recent) == 0 {
		delete(t.fails, key)
		return 0
	}
	t.fails[key] = recent
	if len(recent) < limit {
		return 0
	}
	return throttleWindow - now.Sub(recent[len(recent)-limit])
}

// failed records a failed sign-in.
func (t *throttle) failed(name, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.fails["u:"+name] = append(t.fails["u:"+name], now)
	t.fails["a:"+addr] = append(t.fails["a:"+addr], now)
}

// succeeded forgets an account's failures.
func (t *throttle) succeeded(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, "u:"+name)
}
