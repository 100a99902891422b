package archive

import (
	"io"
	"os"
)

// Snapshot writes a consistent copy of the database (BuntDB's own format,
// which Open reads back). Writers wait while it runs; readers do not.
func (s *Store) Snapshot(w io.Writer) error { return s.db.Save(w) }

// KeyFile is the path of the archive's signing key, created if missing.
func (s *Store) KeyFile() (string, error) {
	if _, err := s.signingKey(); err != nil {
		return "", err
	}
	return s.dir + string(os.PathSeparator) + keyFile, nil
}

// LockDir takes the data folder's lock without opening the database (for
// restore). Close the result to release it.
func LockDir(dir string) (io.Closer, error) { return lockDir(dir) }
