package archive

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Message is one stored message. Seq counts from 1 per channel, with no gaps.
type Message struct {
	Channel string `json:"-"`
	Seq     uint64 `json:"-"`
	ID      string `json:"id"` // the sender's client id
	From    string `json:"from"`
	Text    string `json:"text"`
	TS      int64  `json:"ts"` // Unix milliseconds
}

// Time is the message's timestamp.
func (m *Message) Time() time.Time { return time.UnixMilli(m.TS).UTC() }

// msgKey orders messages by channel, then seq.
func msgKey(channel string, seq uint64) string {
	return fmt.Sprintf("msg:%s:%012d", channel, seq)
}

func parseMsg(key, val string) (Message, error) {
	var m Message
	i := strings.LastIndexByte(key, ':')
	if !strings.HasPrefix(key, "msg:") || i < 4 {
		return m, fmt.Errorf("bad message key %q", key)
	}
	seq, err := strconv.ParseUint(key[i+1:], 10, 64)
	if err != nil {
		return m, fmt.Errorf("bad message key %q", key)
	}
	if err := json.Unmarshal([]byte(val), &m); err != nil {
		return m, fmt.Errorf("message %s: %w", key, err)
	}
	m.Channel, m.Seq = key[4:i], seq
	return m, nil
}

// Append stores a message durably and then calls done (from the writer
// goroutine, in commit order, so keep done short). dup is true when the
// sender already sent this client id: m is then the stored original.
func (s *Store) Append(channel, from, clientID, text string, done func(m Message, dup bool, err error)) {
	m := Message{Channel: channel, ID: clientID, From: from, Text: text}
	idem := "idem:" + from + ":" + clientID
	dup := false
	var next uint64
	s.submit(&op{
		apply: func(tx *buntdb.Tx) error {
			dup = false
			if ref, err := tx.Get(idem); err == nil {
				dup = true
				ch, seqs, _ := strings.Cut(ref, ":")
				seq, _ := strconv.ParseUint(seqs, 10, 64)
				raw, err := tx.Get(msgKey(ch, seq))
				if err != nil {
					return fmt.Errorf("message %s for %s: %w", ref, idem, err)
				}
				m, err = parseMsg(msgKey(ch, seq), raw)
				return err
			}
			if _, err := tx.Get("chan:" + channel); err != nil {
				return fmt.Errorf("channel %q: %w", channel, ErrNotFound)
			}
			next = s.nextSeq[channel] + 1
			m.Seq = next
			m.TS = time.Now().UnixMilli()
			data, _ := json.Marshal(&m)
			if _, _, err := tx.Set(msgKey(channel, next), string(data), nil); err != nil {
				return err
			}
			_, _, err := tx.Set(idem, channel+":"+strconv.FormatUint(next, 10), nil)
			return err
		},
		commit: func() {
			if !dup {
				s.nextSeq[channel] = next
			}
		},
		done: func(err error) {
			if err == nil && !dup {
				s.mu.Lock()
				s.lastSeq[channel] = next
				s.mu.Unlock()
			}
			done(m, dup, err)
		},
	})
}

// LastSeq is the seq of a channel's newest durable message (0 if none).
func (s *Store) LastSeq(channel string) uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lastSeq[channel]
}

// After returns up to limit durable messages of channel with seq > after,
// oldest first.
func (s *Store) After(channel string, after uint64, limit int) ([]Message, error) {
	last := s.LastSeq(channel)
	if after >= last {
		return nil, nil
	}
	var out []Message
	var perr error
	err := s.db.View(func(tx *buntdb.Tx) error {
		return tx.AscendRange("", msgKey(channel, after+1), msgKey(channel, last+1), func(k, v string) bool {
			m, err := parseMsg(k, v)
			if err != nil {
				perr = err
				return false
			}
			out = append(out, m)
			return len(out) < limit
		})
	})
	if err == nil {
		err = perr
	}
	return out, err
}

// Before returns up to limit durable messages of channel with seq < before
// (before 0 means the newest), oldest first.
func (s *Store) Before(channel string, before uint64, limit int) ([]Message, error) {
	last := s.LastSeq(channel)
	if before == 0 || before > last+1 {
		before = last + 1
	}
	if before <= 1 || limit <= 0 {
		return nil, nil
	}
	var out []Message
	var perr error
	err := s.db.View(func(tx *buntdb.Tx) error {
		return tx.DescendRange("", msgKey(channel, before-1), msgKey(channel, 0), func(k, v string) bool {
			m, err := parseMsg(k, v)
			if err != nil {
				perr = err
				return false
			}
			out = append(out, m)
			return len(out) < limit
		})
	})
	if err == nil {
		err = perr
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}
