package server

import (
	"sync"
	"time"
)

// Sign-in throttling: after too many failures in a window, further tries
// for that account or from that address are refused until it passes. An
// attempt is reserved before its password is checked, so parallel guesses
// count as they start, not as they end.
const (
	throttleWindow  = 15 * time.Minute
	maxFailsPerName = 5
	maxFailsPerAddr = 20
	// A session that types a wrong current password this often is ended:
	// whoever holds it does not know the password.
	maxFailsPerSession = 3
	// pendingWait is what a caller refused only because other attempts are
	// still being checked is told to wait.
	pendingWait = time.Second
	// sweepEvery bounds how long keys with only old failures are kept.
	sweepEvery = time.Minute
)

type throttle struct {
	mu        sync.Mutex
	keys      map[string]*attempts // "u:name", "a:address", "s:session"
	lastSweep time.Time
}

// attempts is one key's recent failures and the checks under way.
type attempts struct {
	fails   []time.Time
	pending int
}

func newThrottle() *throttle { return &throttle{keys: map[string]*attempts{}, lastSweep: time.Now()} }

// limit is how many failures a key may have in the window.
func limit(key string) int {
	switch key[0] {
	case 'u':
		return maxFailsPerName
	case 's':
		return maxFailsPerSession
	default:
		return maxFailsPerAddr
	}
}

// outcome is how a reserved attempt ended.
type outcome int

const (
	succeeded outcome = iota
	failed
	unchecked // never compared (the server was busy): counts as nothing
)

// reserve takes one attempt for every key, atomically, or none: it returns
// how long to wait (0 when reserved) and, when reserved, the function that
// settles the attempt with its outcome.
func (t *throttle) reserve(keys ...string) (time.Duration, func(outcome)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.sweepLocked(now)
	var wait time.Duration
	for _, k := range keys {
		wait = max(wait, t.waitLocked(k, now))
	}
	if wait > 0 {
		return wait, nil
	}
	for _, k := range keys {
		t.at(k).pending++
	}
	var once sync.Once
	return 0, func(o outcome) { once.Do(func() { t.settle(keys, o) }) }
}

func (t *throttle) settle(keys []string, o outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for _, k := range keys {
		a := t.at(k)
		a.pending--
		switch {
		case o == failed:
			a.fails = append(a.fails, now)
		case o == succeeded && k[0] != 'a': // a success clears the person's count, not the address's
			a.fails = nil
		}
	}
}

func (t *throttle) at(key string) *attempts {
	a := t.keys[key]
	if a == nil {
		a = &attempts{}
		t.keys[key] = a
	}
	return a
}

// waitLocked is how long key must wait before another attempt.
func (t *throttle) waitLocked(key string, now time.Time) time.Duration {
	a := t.keys[key]
	if a == nil {
		return 0
	}
	a.fails = recent(a.fails, now)
	n := limit(key)
	if len(a.fails)+a.pending < n {
		return 0
	}
	if len(a.fails) >= n {
		return throttleWindow - now.Sub(a.fails[len(a.fails)-n])
	}
	return pendingWait
}

// failures is how many recent failures key has.
func (t *throttle) failures(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.keys[key]
	if a == nil {
		return 0
	}
	a.fails = recent(a.fails, time.Now())
	return len(a.fails)
}

// forget drops a key (a password reset lifts the person's count).
func (t *throttle) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

func recent(fails []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(fails) && now.Sub(fails[i]) >= throttleWindow {
		i++
	}
	return fails[i:]
}

// sweepLocked drops keys with nothing recent, so the map does not only grow.
func (t *throttle) sweepLocked(now time.Time) {
	if now.Sub(t.lastSweep) < sweepEvery {
		return
	}
	t.lastSweep = now
	for k, a := range t.keys {
		if a.pending == 0 && len(recent(a.fails, now)) == 0 {
			delete(t.keys, k)
		}
	}
}
