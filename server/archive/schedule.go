package archive

import (
	"encoding/json"
	"errors"
	"path/filepath"

	"github.com/tidwall/buntdb"
)

// BackupSchedule is the daily backup the server makes by itself: into Dir,
// keeping the Keep newest files. An empty Dir means no scheduled backups.
type BackupSchedule struct {
	Dir  string `json:"dir"`
	Keep int    `json:"keep"`
	// LastError is why the last scheduled backup failed ("" if it did not).
	LastError string `json:"last_error,omitempty"`
}

// BackupSchedule returns the schedule in force.
func (s *Store) BackupSchedule() BackupSchedule {
	var b BackupSchedule
	s.db.View(func(tx *buntdb.Tx) error {
		if v, err := tx.Get(keyBackupSchedule); err == nil {
			json.Unmarshal([]byte(v), &b)
		}
		return nil
	})
	return b
}

// SetBackupSchedule validates and stores a schedule.
func (s *Store) SetBackupSchedule(b BackupSchedule) error {
	if b.Dir != "" && !filepath.IsAbs(b.Dir) {
		return userErr(errors.New("backup folder: give a full path, such as /var/backups/inhouse"))
	}
	if b.Keep < 1 || b.Keep > 365 {
		return userErr(errors.New("backups to keep: between 1 and 365"))
	}
	data, _ := json.Marshal(b)
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keyBackupSchedule, string(data), nil)
		return err
	}, nil)
}

// SetBackupError records how the last scheduled backup ended ("" for
// success) without touching the schedule itself, which the console may
// have changed while the backup ran.
func (s *Store) SetBackupError(msg string) error {
	return s.write(func(tx *buntdb.Tx) error {
		var b BackupSchedule
		if v, err := tx.Get(keyBackupSchedule); err == nil {
			json.Unmarshal([]byte(v), &b)
		}
		b.LastError = msg
		data, _ := json.Marshal(b)
		_, _, err := tx.Set(keyBackupSchedule, string(data), nil)
		return err
	}, nil)
}
