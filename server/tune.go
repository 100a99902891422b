package server

import (
	"runtime"

	"inhouse/server/heapfloor"
	"inhouse/server/office"
)

// TuneProcess sets what a serving process wants of the Go runtime. It is
// process-wide, so it is set once, at start-up, by the command that serves
// (`inhouse serve`, the load tool's server), never by a constructor: tests
// and one-shot commands keep the runtime's defaults.
func TuneProcess() {
	// A disk sync holds its scheduler slot while it waits; with a single
	// slot (one core, or taskset) nothing else would run meanwhile and group
	// commit would gather nothing. A second slot costs nothing when idle.
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	// Each upload being taken in holds a slot of its own, at a lower
	// priority (office.Receivers): the chat keeps its slots meanwhile.
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + office.Receivers)
	// Few collections while the heap is small: each one slows every
	// message in flight (see heapfloor).
	heapfloor.Keep(heapFloor)
}

// OpenTuned opens a server for a tuned process: opening builds the whole
// archive in memory, and collecting garbage more often meanwhile keeps the
// peak near the final size (a large archive would otherwise briefly need
// twice its memory).
func OpenTuned(cfg Config) (*Server, error) {
	defer heapfloor.Hold(60)()
	return Open(cfg)
}
