package server

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"inhouse/server/backup"
)

// jobsEvery is how often the daily work is looked at; each job runs when
// its day has come.
const jobsEvery = time.Hour

// runJobs does the daily work while the server runs: the signed digest of
// the archive, the retention purge and the scheduled backup.
func (s *Server) runJobs(stop <-chan struct{}) {
	t := time.NewTicker(jobsEvery)
	defer t.Stop()
	for {
		s.dailyJobs(time.Now())
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}

func (s *Server) dailyJobs(now time.Time) {
	if s.caFile != "" {
		// The automatic certificate is renewed a month before it ends.
		if err := s.certs.Reload(); err != nil {
			s.log.Error("TLS certificate renewal", "err", err)
		}
	}
	if _, err := s.store.SaveDailyDigest(); err != nil {
		s.log.Error("daily archive digest", "err", err)
	}
	if now.Sub(s.lastPurge) >= 24*time.Hour {
		s.lastPurge = now
		if rep, err := s.store.Purge(now); err != nil {
			s.log.Error("retention purge", "err", err)
		} else if rep.Records > 0 {
			s.log.Info("retention purge", "channels", rep.Channels, "records", rep.Records)
		}
	}
	sched := s.store.BackupSchedule()
	last, ok := s.store.LastBackup()
	if sched.Dir != "" && (!ok || now.Sub(last) >= 24*time.Hour) {
		msg := ""
		if err := s.scheduledBackup(sched.Dir, sched.Keep, now); err != nil {
			msg = err.Error()
			s.log.Error("scheduled backup", "dir", sched.Dir, "err", err)
		}
		s.store.SetBackupError(msg)
	}
}

// scheduledBackup writes one dated backup into dir and deletes the oldest
// beyond keep.
func (s *Server) scheduledBackup(dir string, keep int, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	name := filepath.Join(dir, "inhouse-"+now.UTC().Format("20060102-150405")+".backup")
	if _, err := backup.WriteFile(s.store, name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := s.store.SetLastBackup(now); err != nil {
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
