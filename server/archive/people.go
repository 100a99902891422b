package archive

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// What people say of themselves and what the office asks them to confirm
// (docs/people.md). The profile fields live on the User record; here are
// the pictures, when read markers moved, and the announcements' ledger.

// MaxPicture bounds a stored picture (a 256 × 256 JPEG is far smaller).
const MaxPicture = 256 << 10

// SetPicture stores user's picture (a JPEG made by the office layer) and
// its version on their record, in one write.
func (s *Store) SetPicture(user string, jpeg []byte, version string) (User, error) {
	if len(jpeg) == 0 || len(jpeg) > MaxPicture {
		return User{}, userErr(errors.New("picture: too large once made small"))
	}
	return s.updateUserWith(user, func(u *User, tx *buntdb.Tx) error {
		u.Picture = version
		_, _, err := tx.Set(pictureKey(user), base64.StdEncoding.EncodeToString(jpeg), nil)
		return err
	})
}

// RemovePicture deletes user's picture.
func (s *Store) RemovePicture(user string) (User, error) {
	return s.updateUserWith(user, func(u *User, tx *buntdb.Tx) error {
		u.Picture = ""
		_, err := tx.Delete(pictureKey(user))
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		return err
	})
}

// Picture returns user's stored picture.
func (s *Store) Picture(user string) ([]byte, error) {
	var raw string
	err := s.db.View(func(tx *buntdb.Tx) error {
		var err error
		raw, err = tx.Get(pictureKey(user))
		return err
	})
	if errors.Is(err, buntdb.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(raw)
}

// ReadAt is one person's read position in a channel and when it moved.
type ReadAt struct {
	User string    `json:"user"`
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"ts,omitzero"` // zero when it moved only by the person's own messages
}

// ReadPositions lists every member's read position in channel.
func (s *Store) ReadPositions(channel string) []ReadAt {
	members := s.Members(channel)
	at := map[string]int64{}
	prefix := prefixReadAt + channel + ":"
	s.db.View(func(tx *buntdb.Tx) error {
		return tx.AscendKeys(prefix+"*", func(k, v string) bool {
			at[k[len(prefix):]], _ = strconv.ParseInt(v, 10, 64)
			return true
		})
	})
	out := make([]ReadAt, 0, len(members))
	for _, u := range members {
		r := ReadAt{User: u, Seq: s.ReadSeq(channel, u)}
		if ms := at[u]; ms > 0 {
			r.At = time.UnixMilli(ms).UTC()
		}
		out = append(out, r)
	}
	return out
}

// MsgRef names one message.
type MsgRef struct {
	Channel string
	Seq     uint64
}

// Announcements lists the messages that ask their readers to confirm,
// oldest first (deleted ones included: the caller decides).
func (s *Store) Announcements() []MsgRef {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]MsgRef(nil), s.announced...)
}

// noteAnnouncement keeps the list of announcements. s.mu is held.
func (s *Store) noteAnnouncement(m *Message) {
	if m.Confirm && m.Kind == KindMessage {
		s.announced = append(s.announced, MsgRef{m.Channel, m.Seq})
	}
}

// Confirm records that user confirmed the announcement at channel, seq,
// once: it returns the first confirmation's time.
func (s *Store) Confirm(channel string, seq uint64, user string) (time.Time, error) {
	var at int64
	err := s.write(func(tx *buntdb.Tx) error {
		key := confirmKey(channel, seq, user)
		if v, err := tx.Get(key); err == nil {
			at, _ = strconv.ParseInt(v, 10, 64)
			return nil
		}
		at = time.Now().UnixMilli()
		_, _, err := tx.Set(key, strconv.FormatInt(at, 10), nil)
		return err
	}, nil)
	return time.UnixMilli(at).UTC(), err
}

// Confirmations returns who confirmed the announcement at channel, seq,
// and when.
func (s *Store) Confirmations(channel string, seq uint64) map[string]time.Time {
	out := map[string]time.Time{}
	prefix := prefixConfirm + channel + ":" + formatSeq(seq) + ":"
	s.db.View(func(tx *buntdb.Tx) error {
		return tx.AscendKeys(prefix+"*", func(k, v string) bool {
			ms, _ := strconv.ParseInt(v, 10, 64)
			out[strings.TrimPrefix(k, prefix)] = time.UnixMilli(ms).UTC()
			return true
		})
	})
	return out
}

// Reminded records a reminder of an announcement and returns the time.
func (s *Store) Reminded(channel string, seq uint64) (time.Time, error) {
	now := time.Now()
	err := s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(remindKey(channel, seq), strconv.FormatInt(now.UnixMilli(), 10), nil)
		return err
	}, nil)
	return now.UTC(), err
}

// LastReminder is when the last reminder of an announcement went (zero:
// never).
func (s *Store) LastReminder(channel string, seq uint64) time.Time {
	var t time.Time
	s.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(remindKey(channel, seq))
		if err == nil {
			ms, _ := strconv.ParseInt(v, 10, 64)
			t = time.UnixMilli(ms).UTC()
		}
		return nil
	})
	return t
}
