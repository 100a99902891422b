// Package heapfloor keeps the garbage collector from running while the heap
// is small.
//
// Go collects when the heap has grown by GOGC percent (100) since the last
// collection. A new office's server holds little (a few megabytes of
// archive), so under load it would collect every few megabytes of garbage,
// and each collection's mark phase slows every message in flight: with the
// durable load on an empty archive that was 8 collections in 4 s and most
// of the slowest 1% of acks. Below the floor the heap may grow to the floor
// before a collection; above half of it, GOGC rules as usual. It is the
// same idea as the runtime's own 4 MB minimum, at a server's scale.
package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

var (
	mu      sync.Mutex
	started bool
	floor   uint64
	base    = currentPercent() // what GOGC asked for (-1: off)
	held    int                // Hold calls not yet released
	unheld  int                // the percent before the first of them
)

// currentPercent reads the collector's percent: the runtime has parsed
// GOGC already, and setting a value is the only way to learn it.
func currentPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// Keep lets the heap grow to at least bytes before a collection, from now
// on. Later calls change the floor.
func Keep(bytes uint64) {
	mu.Lock()
	defer mu.Unlock()
	floor = bytes
	if base < 0 || started {
		return
	}
	started = true
	arm()
}

// Hold sets the collector's percent to pct until release is called, and
// keeps the floor from changing it meanwhile (opening an archive collects
// often on purpose, to keep its peak low).
func Hold(pct int) (release func()) {
	mu.Lock()
	defer mu.Unlock()
	prev := debug.SetGCPercent(pct)
	if held == 0 {
		unheld = prev
	}
	held++
	return sync.OnceFunc(func() {
		mu.Lock()
		defer mu.Unlock()
		if held--; held == 0 {
			debug.SetGCPercent(unheld)
		}
	})
}

// arm sets a finalizer that runs after the next collection: it sets the
// percent for the next cycle and arms itself again.
func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		mu.Lock()
		defer mu.Unlock()
		if held == 0 {
			debug.SetGCPercent(Percent(liveHeap(), floor, base))
		}
		arm()
	})
}

// Percent is the GOGC that lets a heap of live bytes grow to the floor
// before the next collection, and never less than base.
func Percent(live, floor uint64, base int) int {
	if live == 0 || live >= floor {
		return base
	}
	return max(base, int((floor-live)*100/live))
}

// sentinel is garbage from the start; it holds a pointer so that it is
// never packed in with other small objects, whose finalizers may not run.
type sentinel struct{ _ *byte }

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// liveHeap is the heap the last collection found alive. Finalizers run one
// at a time, so the shared sample is safe.
func liveHeap() uint64 {
	metrics.Read(liveSample)
	if liveSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return liveSample[0].Value.Uint64()
}
