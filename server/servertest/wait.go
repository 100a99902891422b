package servertest

import (
	"testing"
	"time"
)

// pollEvery is short: a condition is cheap to check, and a test should go
// on as soon as the event it waits for has happened.
const pollEvery = 5 * time.Millisecond

// Eventually checks cond every few milliseconds until it holds or within
// has passed, and reports whether it held. For a test that says more than
// WaitFor when it fails (what it saw last).
func Eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollEvery)
	}
	return true
}

// WaitFor waits until cond holds, failing the test with what if it does
// not within the given time. It waits for an event instead of sleeping a
// guess: quick on an idle machine, patient on a loaded one.
func WaitFor(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	if !Eventually(within, cond) {
		t.Fatalf("waited %v for %s", within, what)
	}
}
