package server

import (
	"strings"
	"sync"
	"time"
)

// Guessing passwords is slowed, never turned into a lock-out: the waits
// fall on the guesser, not on the person guessed at.
//
//   - A name from one address ("p:name|addr") may fail freePerPair times;
//     after that each try waits twice as long as the one before (1 s, 2 s,
//     4 s … up to maxWait) from the last failure. Someone typing at their
//     own desk is not held up by a stranger failing elsewhere.
//   - One address, whatever the names ("a:addr"), may fail freePerAddr
//     times before its waits begin: guessing many names from one machine
//     is slowed too, and an office behind one NAT still has room.
//   - A signed-in session that types its current password wrong
//     maxFailsPerSession times is ended (passwords.go).
//
// There is no wait per name across addresses: that is the switch anyone
// could flip to lock a colleague out. The bound on concurrent argon2id
// checks (passwords.go) caps how fast any guessing can go at all.
//
// The state lives in memory only. Kept on disk it would survive a restart,
// but every failed guess would then cost a disk write, which a guesser
// controls; a restart is the manager's act, not an attacker's.
const (
	freePerPair        = 3
	freePerAddr        = 20
	maxFailsPerSession = 3
	maxWait            = 15 * time.Minute
	// forgetAfter: failures older than this no longer count.
	forgetAfter = time.Hour
	// pendingWait is what a caller refused only because other attempts
	// are still being checked is told to wait.
	pendingWait = time.Second
	// sweepEvery bounds how long keys with only old failures are kept.
	sweepEvery = time.Minute
	// keptFailures is how many recent failed sign-ins of a person the
	// console shows.
	keptFailures = 20
)

type throttle struct {
	mu        sync.Mutex
	keys      map[string]*attempts // "p:name|addr", "a:addr", "s:session"
	recent    map[string][]Failure // name -> its latest failed sign-ins, for the console
	lastSweep time.Time
}

// attempts is one key's recent failures and the checks under way.
type attempts struct {
	fails   []time.Time
	pending int
}

// Failure is one failed sign-in, as the console shows it.
type Failure struct {
	At   time.Time
	Addr string
}

func newThrottle() *throttle {
	return &throttle{keys: map[string]*attempts{}, recent: map[string][]Failure{}, lastSweep: time.Now()}
}

func pairKey(name, addr string) string { return "p:" + name + "|" + addr }

// free is how many failures a key may have before waits begin.
func free(key string) int {
	switch key[0] {
	case 'p':
		return freePerPair
	case 's':
		return maxFailsPerSession
	default:
		return freePerAddr
	}
}

// delay is the wait after fails failures of which free were free.
func delay(fails, free int) time.Duration {
	if fails < free {
		return 0
	}
	return min(time.Second<<min(fails-free, 20), maxWait)
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

// failedSignIn notes a failed sign-in for the console's person page.
func (t *throttle) failedSignIn(name, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := append(t.recent[name], Failure{At: time.Now(), Addr: addr})
	if len(r) > keptFailures {
		r = r[len(r)-keptFailures:]
	}
	t.recent[name] = r
}

// failuresOf is a copy of name's latest failed sign-ins.
func (t *throttle) failuresOf(name string) []Failure {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Failure(nil), t.recent[name]...)
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
	n := len(a.fails) + a.pending
	d := delay(n, free(key))
	if d == 0 {
		return 0
	}
	if len(a.fails) == 0 || delay(len(a.fails), free(key)) == 0 {
		return pendingWait // only the checks under way count against it
	}
	if left := a.fails[len(a.fails)-1].Add(delay(len(a.fails), free(key))).Sub(now); left > 0 {
		return left
	}
	if a.pending > 0 {
		return pendingWait
	}
	return 0
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

// forget drops a key.
func (t *throttle) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

// unlock lifts every wait on name's sign-ins (the manager's Unlock, a new
// password); the list of failures stays for the console.
func (t *throttle) unlock(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	prefix := "p:" + name + "|"
	for k, a := range t.keys {
		if strings.HasPrefix(k, prefix) && a.pending == 0 {
			delete(t.keys, k)
		}
	}
}

// slowed lists the addresses whose sign-ins as name wait now, with how long.
func (t *throttle) slowed(name string) map[string]time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	out := map[string]time.Duration{}
	prefix := "p:" + name + "|"
	for k := range t.keys {
		if addr, ok := strings.CutPrefix(k, prefix); ok {
			if w := t.waitLocked(k, now); w > 0 {
				out[addr] = w
			}
		}
	}
	return out
}

func recent(fails []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(fails) && now.Sub(fails[i]) >= forgetAfter {
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
	for name, fs := range t.recent {
		if now.Sub(fs[len(fs)-1].At) >= 24*time.Hour {
			delete(t.recent, name)
		}
	}
}
