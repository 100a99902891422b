package server

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/backup"
)

func TestScheduledBackupsRotate(t *testing.T) {
	s, err := Open(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), TLS: "off", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	dir := filepath.Join(t.TempDir(), "backups")
	if err := s.store.SetBackupSchedule(archive.BackupSchedule{Dir: dir, Keep: 2}); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	for i := 0; i < 4; i++ {
		s.dailyJobs(day.AddDate(0, 0, i))
		s.dailyJobs(day.AddDate(0, 0, i).Add(time.Hour)) // not due again the same day
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 || !strings.HasPrefix(entries[0].Name(), "inhouse-20260303") || !strings.HasPrefix(entries[1].Name(), "inhouse-20260304") {
		t.Fatalf("kept %v, want the two newest", entries)
	}
	if _, err := backup.Check(filepath.Join(dir, entries[1].Name())); err != nil {
		t.Fatalf("scheduled backup does not check: %v", err)
	}
	if last, ok := s.store.LastBackup(); !ok || !last.Equal(day.AddDate(0, 0, 3)) {
		t.Fatalf("last backup %v %v", last, ok)
	}
	// A folder that cannot be written is reported for the dashboard.
	blocked := filepath.Join(t.TempDir(), "file-not-dir")
	os.WriteFile(blocked, []byte("x"), 0o600)
	s.store.SetBackupSchedule(archive.BackupSchedule{Dir: blocked, Keep: 2})
	s.dailyJobs(day.AddDate(0, 0, 10))
	if s.store.BackupSchedule().LastError == "" {
		t.Fatal("a failed scheduled backup left no error for the dashboard")
	}
}
