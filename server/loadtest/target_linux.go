//go:build linux

package loadtest

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// dieWithParent makes a child process get SIGKILL when the tool dies.
func dieWithParent() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

// PinSelf moves every thread of this process to cpu; threads made later
// inherit it. GOMAXPROCS follows, so the scheduler does not fight itself.
func PinSelf(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, _ := strconv.Atoi(t.Name())
		if err := unix.SchedSetaffinity(tid, &set); err != nil {
			return fmt.Errorf("pin to CPU %d: %w", cpu, err)
		}
	}
	runtime.GOMAXPROCS(1)
	return nil
}

// RaiseFileLimit lifts RLIMIT_NOFILE to n (the hard limit too, which needs
// root); children inherit it. It returns the limit in force.
func RaiseFileLimit(n uint64) uint64 {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) != nil {
		return 0
	}
	if rl.Cur >= n {
		return rl.Cur
	}
	want := unix.Rlimit{Cur: n, Max: max(n, rl.Max)}
	if unix.Setrlimit(unix.RLIMIT_NOFILE, &want) != nil {
		want = unix.Rlimit{Cur: rl.Max, Max: rl.Max}
		unix.Setrlimit(unix.RLIMIT_NOFILE, &want)
	}
	unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
	return rl.Cur
}
