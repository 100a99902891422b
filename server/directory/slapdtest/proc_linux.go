package slapdtest

import (
	"os/exec"
	"syscall"
)

// dieWithParent ends slapd if the test binary dies without its cleanups
// (a test's timeout panics), so no server outlives its test. Linux ties
// this to the thread that started slapd; the Go runtime keeps its threads,
// and a test does not lock one, so that thread lives as long as the test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
