package archive

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tidwall/buntdb"

	"inhouse/server/atomicfile"
)

// Retention says how long messages are kept. Days 0 keeps them forever.
// People and channels on legal hold are never purged.
type Retention struct {
	Days         int      `json:"days"`
	HoldUsers    []string `json:"hold_users,omitempty"`
	HoldChannels []string `json:"hold_channels,omitempty"`
}

// Retention returns the retention rule in force (forever by default).
func (s *Store) Retention() Retention {
	var r Retention
	s.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(keyRetention)
		if err == nil {
			json.Unmarshal([]byte(v), &r)
		}
		return nil
	})
	return r
}

// SetRetention stores a retention rule.
func (s *Store) SetRetention(r Retention) error {
	if r.Days < 0 || r.Days > 100*365 {
		return userErr(errors.New("retention: between 0 (forever) and 36500 days"))
	}
	data, _ := json.Marshal(r)
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keyRetention, string(data), nil)
		return err
	}, nil)
}

// PurgeReport says what a purge removed.
type PurgeReport struct {
	Channels int
	Records  int
}

// Purge removes the messages older than the retention period, channel by
// channel from the oldest on, stopping at the first record it must keep (a
// person or channel on legal hold). Each purged channel gets a signed
// checkpoint in place of its removed start, so verify still passes. The
// database file is compacted afterwards.
func (s *Store) Purge(now time.Time) (PurgeReport, error) {
	var rep PurgeReport
	r := s.Retention()
	if r.Days == 0 {
		return rep, nil
	}
	cutoff := now.Add(-time.Duration(r.Days) * 24 * time.Hour).UnixMilli()
	for _, c := range s.Channels(nil) {
		if slices.Contains(r.HoldChannels, c.ID) || slices.Contains(r.HoldChannels, c.Name) {
			continue
		}
		n, err := s.purgeChannel(c.ID, cutoff, r.HoldUsers)
		if err != nil {
			return rep, err
		}
		if n > 0 {
			rep.Channels++
			rep.Records += n
		}
	}
	if rep.Records == 0 {
		return rep, nil
	}
	if err := s.rebuildIndex(); err != nil {
		return rep, err
	}
	return rep, s.Compact()
}

func (s *Store) purgeChannel(id string, cutoff int64, holdUsers []string) (int, error) {
	purged := 0
	err := s.write(func(tx *buntdb.Tx) error {
		var doomed []Message
		first, past := rangeOf(msgChain(id))
		tx.AscendRange("", first, past, func(k, v string) bool {
			m, err := parseMsg(k, v)
			if err != nil || m.TS >= cutoff || slices.Contains(holdUsers, m.From) {
				return false
			}
			doomed = append(doomed, m)
			return true
		})
		if len(doomed) == 0 {
			return nil
		}
		last := doomed[len(doomed)-1]
		cp := Checkpoint{Chain: msgChain(id), Seq: last.Seq, H: last.H, At: time.Now().UnixMilli()}
		if err := s.signCheckpoint(&cp); err != nil {
			return err
		}
		data, _ := json.Marshal(cp)
		if _, _, err := tx.Set(checkpointKey(cp.Chain), string(data), nil); err != nil {
			return err
		}
		for _, m := range doomed {
			if _, err := tx.Delete(msgKey(id, m.Seq)); err != nil {
				return err
			}
			s.setIdem(idemKey(m.From, m.ID), idemRef{}, false)
		}
		purged = len(doomed)
		return nil
	}, nil)
	return purged, err
}

// rebuildIndex indexes the archive afresh (after a purge).
func (s *Store) rebuildIndex() error {
	return s.db.View(func(tx *buntdb.Tx) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.index.reset()
		return s.reindex(tx)
	})
}

// Compact rewrites the database file without deleted and overwritten
// records. It runs in the writer goroutine, so no write lands in between,
// and then re-opens the sync handle on the new file.
func (s *Store) Compact() error {
	ch := make(chan error, 1)
	s.submit(&op{exec: func() error {
		if err := s.db.Shrink(); err != nil {
			return err
		}
		f, err := os.OpenFile(filepath.Join(s.dir, dbFile), os.O_RDWR, 0)
		if err != nil {
			s.fail(err)
			return err
		}
		old := s.syncf
		s.syncf = f
		old.Close()
		return atomicfile.SyncDir(s.dir)
	}, done: func(err error) { ch <- err }})
	return <-ch
}
