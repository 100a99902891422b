// Package atomicfile replaces files so that a crash leaves either the old
// file or the new one, never a part: every file Inhouse writes whole (the
// archive's seal, the office CA's key and certificate, the installed
// binary and service unit) goes through it.
package atomicfile

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Write replaces path with data, readable by its owner only.
func Write(path string, data []byte) error {
	return WriteFrom(path, bytes.NewReader(data), 0o600)
}

// WriteFrom replaces path with what r holds, with the permissions perm: a
// temporary file in the same folder, synced, renamed over path, and the
// folder synced so the rename itself survives a crash. The folder must
// exist.
func WriteFrom(path string, r io.Reader, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = io.Copy(tmp, r)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Windows cannot sync a folder (and needs not: the rename is durable
	// once it returns).
	if err := SyncDir(filepath.Dir(path)); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}

// SyncDir makes the renames and removals in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
