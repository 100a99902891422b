package archive

import (
	"strconv"
	"time"

	"github.com/tidwall/buntdb"
)

// lastBackupKey holds when the last good backup finished (Unix seconds).
// The backup feature writes it with SetLastBackup; the dashboard reads it.
const lastBackupKey = "meta:last_backup"

// LastBackup is when the last backup finished; ok is false if there was none.
func (s *Store) LastBackup() (at time.Time, ok bool) {
	s.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(lastBackupKey)
		if err != nil {
			return nil
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			at, ok = time.Unix(n, 0).UTC(), true
		}
		return nil
	})
	return at, ok
}

// SetLastBackup records a finished backup.
func (s *Store) SetLastBackup(at time.Time) error {
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(lastBackupKey, strconv.FormatInt(at.Unix(), 10), nil)
		return err
	}, nil)
}
