package server

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/auth"
	"inhouse/server/directory"
	"inhouse/server/office"
)

// Every typed password is compared with its stored hash here, and only
// here: signing in (API and console) and changing one's password (API and
// console). Each check is throttled (the attempt is reserved before the
// check, so parallel guesses count) and runs under a bound on concurrent
// checks, because argon2id takes 19 MiB and most of a core each: 24
// sign-ins at once would otherwise cost 450 MB before anyone is in.

// ErrBusy says every password-check slot stayed taken for passwordQueueWait.
var ErrBusy = errors.New("the server is busy checking other sign-ins; try again in a moment")

// ErrDisabled answers the right password of a disabled account.
var ErrDisabled = errors.New("this account is disabled; ask your office manager")

// ErrDirectoryDown says the office directory did not answer a directory
// person's sign-in: not their password's fault.
var ErrDirectoryDown = errors.New("the office directory is not answering")

// ErrDirectoryName says a directory person's user name cannot be used here.
var ErrDirectoryName = errors.New("the directory user name cannot be used here")

// ErrDirectoryPassword says a directory person's password is the
// directory's, changed there.
var ErrDirectoryPassword = errors.New("the password is the office directory's")

// directoryWait bounds one directory sign-in, whatever the directory does.
const directoryWait = 10 * time.Second

// ErrSessionEnded says a session was ended for typing wrong passwords.
var ErrSessionEnded = errors.New("too many wrong passwords: you were signed out")

// passwordQueueWait is how long a check waits for a free slot.
const passwordQueueWait = 5 * time.Second

// passwordGate bounds concurrent password checks.
type passwordGate struct {
	slots    chan struct{}
	inflight atomic.Int64
	peak     atomic.Int64 // the most checks ever run at once, for tests and metrics
}

// newPasswordGate allows one check per core (at least two): more would
// only share the cores and add memory.
func newPasswordGate() *passwordGate {
	return &passwordGate{slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
}

// run runs check in a free slot, waiting for one at most passwordQueueWait.
func (g *passwordGate) run(check func()) error {
	t := time.NewTimer(passwordQueueWait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return ErrBusy
	}
	n := g.inflight.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	defer func() {
		g.inflight.Add(-1)
		<-g.slots
	}()
	check()
	return nil
}

// signInCheck checks username's password, from addr: throttled per name and
// address, bounded, and as slow for an unknown or disabled name as for a
// wrong password.
func (s *Server) signInCheck(username, addr, password string) (archive.User, error) {
	name := normName(username)
	wait, settle := s.throttle.reserve(pairKey(name, addr), "a:"+addr)
	if wait > 0 {
		return archive.User{}, ThrottledError{wait}
	}
	if s.office.IsDirectoryPerson(name) {
		return s.directoryCheck(name, addr, password, settle)
	}
	u, err := s.store.User(name)
	// A disabled account's password is still checked: only someone who
	// knows it learns the account is disabled (ErrDisabled), a stranger
	// guessing names sees what any wrong password gets, in the same time.
	known := err == nil && len(password) <= auth.MaxPassword*4
	ok := false
	if err := s.passwords.run(func() {
		if known {
			ok = auth.VerifyPassword(u.Hash, password)
		} else {
			auth.Waste(password)
		}
	}); err != nil {
		settle(unchecked)
		return archive.User{}, err
	}
	if !ok {
		settle(failed)
		if err == nil { // a person of the office, whose page lists it
			s.throttle.failedSignIn(name, addr)
		}
		s.loginFailures.Inc()
		s.log.Info("sign-in failed", "user", name, "remote", addr)
		return archive.User{}, ErrBadCredentials
	}
	settle(succeeded)
	if u.Disabled {
		return archive.User{}, ErrDisabled
	}
	return u, nil
}

// directoryCheck signs a directory person in by the directory's password
// (docs/directory.md), under the same throttle; an empty password never
// gets as far as the directory.
func (s *Server) directoryCheck(name, addr, password string, settle func(outcome)) (archive.User, error) {
	ctx, cancel := context.WithTimeout(context.Background(), directoryWait)
	defer cancel()
	u, err := s.office.DirectorySignIn(ctx, name, password)
	switch {
	case err == nil:
		settle(succeeded)
		return u, nil
	case errors.Is(err, directory.ErrUnreachable):
		settle(unchecked)
		s.log.Warn("directory sign-in: the directory did not answer", "user", name, "err", err)
		return archive.User{}, ErrDirectoryDown
	case errors.Is(err, directory.ErrDisabled):
		settle(succeeded) // the password was right
		return archive.User{}, ErrDisabled
	case errors.Is(err, office.ErrDirectoryName):
		settle(succeeded)
		return archive.User{}, ErrDirectoryName
	}
	settle(failed)
	s.throttle.failedSignIn(name, addr)
	s.loginFailures.Inc()
	s.log.Info("sign-in failed", "user", name, "remote", addr, "via", "directory")
	return archive.User{}, ErrBadCredentials
}

// CheckCurrentPassword checks the current password a signed-in person typed
// to change it, throttled like signing in (and per session): a session
// that types it wrong maxFailsPerSession times is ended, since whoever
// holds it does not know the password (ErrSessionEnded).
func (s *Server) CheckCurrentPassword(ctx *fasthttp.RequestCtx, u archive.User, session, password string) error {
	if u.Directory != "" {
		return ErrDirectoryPassword
	}
	addr := ctx.RemoteIP().String()
	wait, settle := s.throttle.reserve(pairKey(u.Name, addr), "a:"+addr, "s:"+session)
	if wait > 0 {
		return ThrottledError{wait}
	}
	ok := false
	if err := s.passwords.run(func() { ok = len(password) <= auth.MaxPassword*4 && auth.VerifyPassword(u.Hash, password) }); err != nil {
		settle(unchecked)
		return err
	}
	if ok {
		settle(succeeded)
		return nil
	}
	settle(failed)
	s.log.Info("wrong current password", "user", u.Name, "remote", addr)
	if s.throttle.failures("s:"+session) >= maxFailsPerSession {
		s.throttle.forget("s:" + session)
		if err := s.EndSession(u.Name, session, "signed out: too many wrong passwords"); err != nil {
			return err
		}
		ctx.Response.Header.DelClientCookie(sessionCookie)
		return ErrSessionEnded
	}
	return ErrBadCredentials
}

// EndSession ends one session and closes its sockets at once.
func (s *Server) EndSession(user, session, reason string) error {
	if err := s.store.DeleteSession(session); err != nil {
		return err
	}
	s.hub.KickSession(user, session, reason)
	return nil
}

// FailedSignIns is what the console shows on a person's page: their latest
// failed sign-ins, and the addresses whose sign-ins as them wait now.
func (s *Server) FailedSignIns(name string) ([]Failure, map[string]time.Duration) {
	return s.throttle.failuresOf(name), s.throttle.slowed(name)
}

// Refusal is how a refused password check is answered, the same through
// every door: the status, the API's error code, the sentence for people,
// and Retry-After ("" for none).
type Refusal struct {
	Status         int
	Code, Sentence string
	RetryAfter     string
}

// RefusalOf says how to answer err from PasswordSignIn or
// CheckCurrentPassword; ok is false when err is no refusal (the store
// failed, say).
func RefusalOf(err error) (r Refusal, ok bool) {
	var th ThrottledError
	switch {
	case errors.As(err, &th):
		return Refusal{fasthttp.StatusTooManyRequests, "throttled", "Too many failed sign-ins. Wait a few minutes and try again.",
			strconv.Itoa(int(math.Ceil(th.Wait.Seconds())))}, true
	case errors.Is(err, ErrBusy):
		return Refusal{fasthttp.StatusServiceUnavailable, "busy", "The server is busy checking other sign-ins. Try again in a moment.", "2"}, true
	case errors.Is(err, ErrBadCredentials):
		return Refusal{fasthttp.StatusUnauthorized, "bad_credentials", "The user name or password is wrong.", ""}, true
	case errors.Is(err, ErrDisabled):
		return Refusal{fasthttp.StatusForbidden, "disabled", "This account is disabled. Ask your office manager.", ""}, true
	case errors.Is(err, ErrDirectoryDown):
		return Refusal{fasthttp.StatusServiceUnavailable, "directory_down", "The office directory is not answering, so directory passwords cannot be checked. Try again in a few minutes; the office manager can see since when on the dashboard.", "30"}, true
	case errors.Is(err, ErrDirectoryPassword):
		return Refusal{fasthttp.StatusForbidden, "directory_password", "Your password is the office directory's: change it where you change your computer's password.", ""}, true
	case errors.Is(err, ErrDirectoryName):
		return Refusal{fasthttp.StatusForbidden, "directory_name", "Your directory user name cannot be used in Inhouse (use lowercase letters, digits, dots, dashes or underscores). Ask your office manager.", ""}, true
	case errors.Is(err, ErrSessionEnded):
		return Refusal{fasthttp.StatusUnauthorized, "unauthorized", "The current password was wrong too often: you were signed out.", ""}, true
	}
	return Refusal{}, false
}
