package archive

import (
	"strconv"

	"github.com/tidwall/buntdb"
)

// Read markers: the last seq each person has read in each channel, so
// clients show what is unread. Not the auditors' read log (readlog.go).

// ReadSeq is the last seq user has read in channel.
func (s *Store) ReadSeq(channel, user string) uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.readMarks[readMarkSlot(channel, user)]
}

// MarkRead moves user's read marker in channel forward to seq (never back,
// never past the newest message). It reports the marker afterwards.
func (s *Store) MarkRead(channel, user string, seq uint64) (uint64, error) {
	s.mu.RLock()
	cur := s.readMarks[readMarkSlot(channel, user)]
	last := s.lastSeq[channel]
	s.mu.RUnlock()
	seq = min(seq, last)
	if seq <= cur {
		return cur, nil
	}
	err := s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(readMarkKey(channel, user), strconv.FormatUint(seq, 10), nil)
		return err
	}, func() {
		// The slot is made only here: a marker that does not move allocates nothing.
		if slot := readMarkSlot(channel, user); seq > s.readMarks[slot] {
			s.readMarks[slot] = seq
		}
	})
	return max(seq, cur), err
}
