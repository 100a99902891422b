package archive

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// The auditors' read log. A person's read markers (what they have seen in a
// channel) are another thing, in readmarks.go.

// ReadEntry records one read of the archive by an auditor or admin: a
// search, a view of a conversation, an export. This read log is itself a
// hash chain (reads:), and nothing can edit or delete it.
type ReadEntry struct {
	N       uint64 `json:"n"`
	By      string `json:"by"`
	Role    string `json:"role"`
	Action  string `json:"action"` // search, view, export, verify, file
	Query   string `json:"query"`
	Results int    `json:"results"`
	TS      int64  `json:"ts"`
	H       string `json:"h"`
}

func (a *ReadEntry) setHash(h string) { a.H = h }
func (a *ReadEntry) getHash() string  { return a.H }
func (a *ReadEntry) setN(n uint64)    { a.N = n }

// Time is when the read happened.
func (a *ReadEntry) Time() time.Time { return time.UnixMilli(a.TS).UTC() }

// RecordRead appends a read to the read log, durably. A read that cannot be
// recorded must not happen: callers stop when this fails.
func (s *Store) RecordRead(e ReadEntry) error {
	e.TS = time.Now().UnixMilli()
	return s.write(func(tx *buntdb.Tx) error {
		_, err := appendChained(tx, chainReadLog, &e)
		return err
	}, nil)
}

// ReadLog returns read-log entries, newest first, before entry number before
// (0: the newest), at most limit.
func (s *Store) ReadLog(before uint64, limit int) []ReadEntry {
	var out []ReadEntry
	first, pivot := rangeOf(chainReadLog)
	if before > 0 {
		pivot = readLogKey(before)
	}
	s.db.View(func(tx *buntdb.Tx) error {
		return tx.DescendLessOrEqual("", pivot, func(k, v string) bool {
			if k >= pivot && before > 0 {
				return true
			}
			if !strings.HasPrefix(k, first) {
				return false
			}
			var e ReadEntry
			if json.Unmarshal([]byte(v), &e) == nil {
				out = append(out, e)
			}
			return len(out) < limit
		})
	})
	return out
}
