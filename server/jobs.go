package server

import (
	"context"
	"time"
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
	// Files no message came to name, and uploads cut off by a stop.
	if n, err := s.store.SweepFiles(now); err != nil {
		s.log.Error("sweep shared files", "err", err)
	} else if n > 0 {
		s.log.Info("removed shared files no message names", "files", n)
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
	s.office.DailyBackup(now)
}

// directoryEvery is how often the office's directory is read, so people
// who left lose access within it (docs/directory.md).
const directoryEvery = 15 * time.Minute

// runDirectorySync keeps the directory's people in step while the server
// runs; the console's "Sync now" calls the same use case.
func (s *Server) runDirectorySync(stop <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-stop:
			return
		}
		if !s.store.Directory().On {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), every/2)
		res, err := s.office.SyncDirectory(ctx)
		cancel()
		if err != nil {
			s.log.Warn("directory sync", "err", err)
		} else if res.Disabled > 0 {
			s.log.Info("directory sync", "people", res.People, "disabled", res.Disabled)
		}
	}
}
