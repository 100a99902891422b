package archive

import (
	"strconv"
	"time"

	"github.com/tidwall/buntdb"
)

// LastBackup is when the last backup finished; ok is false if there was none.
func (s *Store) LastBackup() (at time.Time, ok bool) {
	s.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(keyLastBackup)
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
		_, _, err := tx.Set(keyLastBackup, strconv.FormatInt(at.Unix(), 10), nil)
		return err
	}, nil)
}
