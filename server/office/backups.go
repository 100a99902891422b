package office

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"inhouse/server/archive"
)

// ScheduleBackups sets the daily backup: the folder ("" for off) and how
// many files to keep. It returns a note for the manager ("" or a sentence
// starting with a space) and whether anything changed.
func (o *Office) ScheduleBackups(a Actor, dir, keepText string) (string, bool, error) {
	var bad Problems
	keep, err := strconv.Atoi(strings.TrimSpace(keepText))
	if err != nil || keep < 1 || keep > 365 {
		bad.add("keep", "A whole number from 1 to 365.")
	}
	note := ""
	if dir = strings.TrimSpace(dir); dir != "" {
		dir = filepath.Clean(dir)
		if problem, n := o.checkBackupDir(dir); problem != "" {
			bad.add("dir", problem)
		} else {
			note = n
		}
	}
	if err := bad.err(); err != nil {
		return "", false, err
	}
	if old := o.store.BackupSchedule(); old.Dir == dir && old.Keep == keep {
		return "", false, nil
	}
	// A new or checked folder starts without the old run's error.
	if err := o.store.SetBackupSchedule(archive.BackupSchedule{Dir: dir, Keep: keep}); err != nil {
		return "", false, err
	}
	if dir == "" {
		o.audit(a, "backup.schedule", "backups", "Turned the daily backup off.")
	} else {
		o.audit(a, "backup.schedule", "backups", "Daily backup into "+dir+", keeping the newest "+plural(keep, "file")+".")
	}
	return note, true, nil
}

// checkBackupDir says what is wrong with a backup folder ("" if nothing),
// or notes that it will be made.
func (o *Office) checkBackupDir(dir string) (problem, note string) {
	if !filepath.IsAbs(dir) {
		return "Give the full path, such as /var/backups/inhouse or D:\\Backups\\Inhouse.", ""
	}
	data, _ := filepath.Abs(o.store.Dir())
	if rel, err := filepath.Rel(data, dir); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return "Choose a folder outside the data folder " + data + ": restoring replaces the data folder.", ""
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", " The folder does not exist yet; Inhouse makes it at the first backup."
	case err != nil:
		return "Inhouse cannot look into this folder: " + archive.Sentence(err), ""
	case !st.IsDir():
		return "This is a file, not a folder.", ""
	}
	probe, err := os.CreateTemp(dir, ".inhouse-write-test-*")
	if err != nil {
		return "Inhouse may not write into this folder. Give the user Inhouse runs as the right to write there, or choose another folder.", ""
	}
	probe.Close()
	os.Remove(probe.Name())
	return "", ""
}
