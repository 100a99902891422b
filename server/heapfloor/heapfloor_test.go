package heapfloor

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		base, want  int
	}{
		{8 * mb, 64 * mb, 100, 700},  // may grow by 56 MB: 700%
		{40 * mb, 64 * mb, 100, 100}, // doubling already passes the floor
		{64 * mb, 64 * mb, 100, 100},
		{500 * mb, 64 * mb, 100, 100},
		{8 * mb, 64 * mb, 900, 900}, // never less than asked for
		{0, 64 * mb, 100, 100},      // nothing measured yet
	} {
		if got := Percent(c.live, c.floor, c.base); got != c.want {
			t.Errorf("Percent(%d MB live, %d MB floor, %d) = %d, want %d", c.live/mb, c.floor/mb, c.base, got, c.want)
		}
	}
}

// TestKeepAndHold: after a collection of a small heap the percent lets it
// grow to the floor; a Hold wins over the floor until released.
func TestKeepAndHold(t *testing.T) {
	if base < 0 {
		t.Skip("GOGC=off: the collector does not run")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(base))
	Keep(1 << 30)
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !cond(); {
			if time.Now().After(deadline) {
				t.Fatalf("%s: percent %d", what, currentPercent())
			}
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("the floor was not applied", func() bool { return currentPercent() > 1000 })

	release := Hold(60)
	finalizersRan(t)
	if p := currentPercent(); p != 60 {
		t.Fatalf("percent %d while held at 60", p)
	}
	release()
	release() // a second release does nothing
	waitFor("the floor did not return after the hold", func() bool { return currentPercent() > 1000 })
}

// finalizersRan collects twice and waits each time for a finalizer queued by
// that collection to run. One goroutine runs finalizers, a queued batch
// after the one before it, so once the second marker has run every
// finalizer the first collection queued (the floor's among them) has run.
func finalizersRan(t *testing.T) {
	t.Helper()
	for range 2 {
		ran := make(chan struct{})
		// It holds a pointer, so it is never packed with other small
		// objects (whose finalizers may not run).
		runtime.SetFinalizer(&struct{ _ *byte }{}, func(any) { close(ran) })
		runtime.GC()
		select {
		case <-ran:
		case <-time.After(5 * time.Second):
			t.Fatal("no finalizer ran within 5 s of a collection")
		}
	}
}
