package loadtest

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Common are the options every server scenario shares.
type Common struct {
	Launcher Launcher      // how the server runs (Child or InProcess)
	Server   ServerOptions // its mode
	Dir      string        // where data folders are made ("" for the system's temp)
	Keep     bool          // keep the data folders afterwards
	Log      io.Writer     // progress lines; nil for none
}

func (c Common) logf(format string, a ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, time.Now().Format("15:04:05 ")+format+"\n", a...)
	}
}

// world is one provisioned, running server.
type world struct {
	fx     *Fixture
	target *Target
	dir    string
	keep   bool
	once   sync.Once
	err    error
}

// start provisions plan in a fresh data folder and starts the server.
func start(c Common, name string, plan Plan, so ServerOptions) (*world, error) {
	dir, err := tempDir(c.Dir, name)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	fx, err := Provision(dir, plan)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.logf("%s: %d people, %d channels provisioned in %s", name, plan.People, len(plan.Channels), time.Since(t0).Round(time.Millisecond))
	launcher := c.Launcher
	if launcher == nil {
		launcher = InProcess{}
	}
	t, err := launcher.Start(dir, so)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &world{fx: fx, target: t, dir: dir, keep: c.Keep}, nil
}

// stop ends the server (once) and removes its data folder.
func (w *world) stop() error {
	w.once.Do(func() {
		w.err = w.target.Stop()
		if !w.keep {
			os.RemoveAll(w.dir)
		}
	})
	return w.err
}

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

var selfPID = os.Getpid()
