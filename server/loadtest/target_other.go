//go:build !linux

package loadtest

import (
	"errors"
	"syscall"
)

// The load tool measures on Linux (taskset, /proc); elsewhere it builds,
// so the binary does, but does not pin or raise limits.

func dieWithParent() *syscall.SysProcAttr { return nil }

// PinSelf is not available off Linux.
func PinSelf(int) error { return errors.New("pinning to a CPU needs Linux") }

// RaiseFileLimit leaves the limit as it is off Linux.
func RaiseFileLimit(uint64) uint64 { return 0 }
