package archive

import (
	"strconv"

	"github.com/tidwall/buntdb"
)

func readKey(channel, user string) string { return "read:" + channel + ":" + user }

// ReadSeq is the last seq user has read in channel.
func (s *Store) ReadSeq(channel, user string) uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.reads[channel+"\x00"+user]
}

// MarkRead moves user's read marker in channel forward to seq (never back,
// never past the newest message). It reports the marker afterwards.
func (s *Store) MarkRead(channel, user string, seq uint64) (uint64, error) {
	s.mu.RLock()
	cur := s.reads[channel+"\x00"+user]
	last := s.lastSeq[channel]
	s.mu.RUnlock()
	seq = min(seq, last)
	if seq <= cur {
		return cur, nil
	}
	err := s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(readKey(channel, user), strconv.FormatUint(seq, 10), nil)
		return err
	}, func() {
		if k := channel + "\x00" + user; seq > s.reads[k] {
			s.reads[k] = seq
		}
	})
	return max(seq, cur), err
}
