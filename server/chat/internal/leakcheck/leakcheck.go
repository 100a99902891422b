// Package leakcheck fails a package's tests when goroutines they started
// outlive them. The engine and its transport start goroutines that must all
// end (flush goroutines, dispatch, presence), and a leaked one holds a
// socket or a hub.
package leakcheck

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Wait is how long goroutines get to end after the tests: a writer cut off
// on close takes up to a second.
const Wait = 5 * time.Second

// Main runs m; if the tests passed, it waits up to Wait for every goroutine
// started since to end and fails listing the stacks of those left.
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
func Main(m *testing.M) {
	before := goroutines()
	code := m.Run()
	if code == 0 {
		if left := left(before, Wait); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "leakcheck: %d goroutines outlived the tests:\n\n%s\n", len(left), strings.Join(left, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// left waits up to wait for the goroutines not in before to end, and
// returns the stacks of those still there.
func left(before map[string]bool, wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		var left []string
		for id, stack := range stacks() {
			// os/signal's loop runs for good once anything asks for signals
			// (the fuzzing coordinator does).
			if !before[id] && !strings.Contains(stack, "os/signal.loop") {
				left = append(left, stack)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goroutines is the set of live goroutines' ids.
func goroutines() map[string]bool {
	ids := map[string]bool{}
	for id := range stacks() {
		ids[id] = true
	}
	return ids
}

// stacks is every goroutine's stack by its id ("goroutine 7").
func stacks() map[string]string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		header, _, _ := bytes.Cut(g, []byte(" ["))
		out[string(header)] = string(g)
	}
	return out
}
