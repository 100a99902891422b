//go:build unix

package main

import "syscall"

// privateFiles makes every file and folder this process creates readable by
// its owner only (the database, backups, keys, certificates, temporary
// files): what the office archives is nobody else's on this machine.
func privateFiles() { syscall.Umask(0o077) }
