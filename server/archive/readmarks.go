package archive

import (
	"strconv"
	"time"

	"github.com/tidwall/buntdb"
)

// Read markers: the last seq each person has read in each channel, so
// clients show what is unread. Not the auditors' read log (readlog.go).

// ReadSeq is the last seq user has read in channel.
func (s *Store) ReadSeq(channel, user string) uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p := s.readMarks[readMarkSlot(channel, user)]; p != nil {
		return *p
	}
	return 0
}

// MarkRead moves user's read marker in channel forward to seq (never back,
// never past the newest message). It reports the marker afterwards.
func (s *Store) MarkRead(channel, user string, seq uint64) (uint64, error) {
	s.mu.RLock()
	var cur uint64
	if p := s.readMarks[readMarkSlot(channel, user)]; p != nil {
		cur = *p
	}
	last := s.lastSeq[channel]
	s.mu.RUnlock()
	seq = min(seq, last)
	if seq <= cur {
		return cur, nil
	}
	err := s.write(func(tx *buntdb.Tx) error {
		if _, _, err := tx.Set(readMarkKey(channel, user), strconv.FormatUint(seq, 10), nil); err != nil {
			return err
		}
		// When it moved: what read receipts show (people.go).
		_, _, err := tx.Set(readAtKey(channel, user), strconv.FormatInt(time.Now().UnixMilli(), 10), nil)
		return err
	}, func() { s.readOwn(channel, user, seq) })
	return max(seq, cur), err
}

// readOwn moves user's marker in channel forward to seq, in memory. It is
// called for every message a person sends (what one wrote oneself is
// read, on every device and after any restart: at load it is derived from
// the messages, so it costs no write of its own), and after MarkRead's
// write. s.mu is held for writing (or the store is loading). A marker that
// exists moves in place: nothing is allocated on a message's path.
func (s *Store) readOwn(channel, user string, seq uint64) {
	var buf [96]byte
	slot := append(append(append(buf[:0], channel...), 0), user...)
	if p := s.readMarks[string(slot)]; p != nil { // no allocation: a lookup
		*p = max(*p, seq)
		return
	}
	mark := seq // its own variable: only a new marker goes to the heap
	s.readMarks[string(slot)] = &mark
}
