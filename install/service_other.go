//go:build !windows

package install

import (
	"errors"
	"io"
)

// IsWindowsService is always false off Windows.
func IsWindowsService() bool { return false }

// RunWindowsService exists off Windows only so callers compile everywhere.
func RunWindowsService(string, func(stop <-chan struct{}, log io.Writer) error) error {
	return errors.New("not a Windows service")
}

func installWindows(Options, io.Writer) error {
	return errors.New("the Windows service exists only on Windows")
}

func uninstallWindows(Options, bool, io.Writer) error {
	return errors.New("the Windows service exists only on Windows")
}
