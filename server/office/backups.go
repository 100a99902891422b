package office

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"inhouse/server/archive"
	"inhouse/server/backup"
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

// Backup writes a backup of the whole office (every message, the archive
// key, the certificate authority's key) to w, records when, and writes the
// audit entry: a backup is a full copy of the archive, so who took one,
// through which door, is on record. name is what the door calls it (the
// download's file name, the command line's path).
func (o *Office) Backup(a Actor, name string, w io.Writer) (backup.Info, error) {
	info, err := backup.Write(o.store, w, o.store.Dir())
	if err != nil {
		return info, err
	}
	return info, o.backedUp(a, name, info)
}

// BackupFile writes a backup to path, whole or not at all, like Backup.
func (o *Office) BackupFile(a Actor, path string) (backup.Info, error) {
	info, err := backup.WriteFile(o.store, path)
	if err != nil {
		return info, err
	}
	return info, o.backedUp(a, path, info)
}

func (o *Office) backedUp(a Actor, name string, info backup.Info) error {
	verb := "Wrote"
	if a.Via == ViaConsole {
		verb = "Downloaded" // the console hands it to the browser
	}
	o.audit(a, "backup.download", name, verb+" a backup of the whole server ("+SizeText(info.Size)+").")
	return o.store.SetLastBackup(time.Now())
}

// DailyBackup runs the schedule the office set, when a day has passed
// since the last backup: one dated file in the folder, the oldest beyond
// the number to keep deleted. Its failure is shown on the dashboard; it is
// no one's action, so it writes no audit entry (setting the schedule did).
func (o *Office) DailyBackup(now time.Time) {
	sched := o.store.BackupSchedule()
	last, ok := o.store.LastBackup()
	if sched.Dir == "" || (ok && now.Sub(last) < 24*time.Hour) {
		return
	}
	msg := ""
	if err := o.dailyBackup(sched.Dir, sched.Keep, now); err != nil {
		msg = err.Error()
		o.log.Error("scheduled backup", "dir", sched.Dir, "err", err)
	}
	o.store.SetBackupError(msg)
}

func (o *Office) dailyBackup(dir string, keep int, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	name := filepath.Join(dir, "inhouse-"+now.UTC().Format("20060102-150405")+".backup")
	if _, err := backup.WriteFile(o.store, name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := o.store.SetLastBackup(now); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var ours []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "inhouse-") && strings.HasSuffix(e.Name(), ".backup") {
			ours = append(ours, e.Name())
		}
	}
	sort.Strings(ours) // dated names sort oldest first
	for len(ours) > keep {
		os.Remove(filepath.Join(dir, ours[0]))
		ours = ours[1:]
	}
	return nil
}

// SizeText is a byte count for people: "812 bytes", "3.4 MB".
func SizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}
