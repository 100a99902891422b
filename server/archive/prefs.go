package archive

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Each person's own choices about channels and messages: how a channel
// notifies them, and the messages they saved. Not evidence: plain records,
// outside the chains.

// Notification levels of a channel, for one person.
const (
	NotifyAll      = "all"
	NotifyMentions = "mentions"
	NotifyNone     = "none"
)

// ChannelPrefs is how a channel notifies one person.
type ChannelPrefs struct {
	Notify string `json:"notify,omitempty"` // NotifyAll (""), NotifyMentions or NotifyNone
	Muted  bool   `json:"muted,omitempty"`  // no unread badge; mentions still count
}

// Prefs returns user's preferences for channel.
func (s *Store) Prefs(channel, user string) ChannelPrefs {
	var p ChannelPrefs
	s.db.View(func(tx *buntdb.Tx) error {
		if v, err := tx.Get(notifyKey(channel, user)); err == nil {
			json.Unmarshal([]byte(v), &p)
		}
		return nil
	})
	if p.Notify == "" {
		p.Notify = NotifyAll
	}
	return p
}

// SetPrefs stores user's preferences for channel.
func (s *Store) SetPrefs(channel, user string, p ChannelPrefs) error {
	switch p.Notify {
	case NotifyAll, NotifyMentions, NotifyNone:
	default:
		return userErr(fmt.Errorf("notify %q: all, mentions or none", p.Notify))
	}
	data, _ := json.Marshal(p)
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(notifyKey(channel, user), string(data), nil)
		return err
	}, nil)
}

// MaxSaved bounds a person's saved messages.
const MaxSaved = 500

// SavedRef is a message a person saved.
type SavedRef struct {
	Channel string
	Seq     uint64
	At      int64 // Unix milliseconds
}

// Saved lists user's saved messages, newest saved first.
func (s *Store) Saved(user string) []SavedRef {
	var out []SavedRef
	prefix := prefixSaved + user + ":"
	s.db.View(func(tx *buntdb.Tx) error {
		return tx.AscendKeys(prefix+"*", func(k, v string) bool {
			ch, seq, ok := strings.Cut(k[len(prefix):], ":")
			if ok {
				at, _ := strconv.ParseInt(v, 10, 64)
				out = append(out, SavedRef{Channel: ch, Seq: parseSeq(seq), At: at})
			}
			return true
		})
	})
	slices.SortStableFunc(out, func(a, b SavedRef) int { return cmp.Compare(b.At, a.At) })
	return out
}

// Save adds a message to user's saved ones (again: nothing changes).
func (s *Store) Save(user, channel string, seq uint64) error {
	if len(s.Saved(user)) >= MaxSaved {
		return userErr(fmt.Errorf("at most %d saved messages: unsave some first", MaxSaved))
	}
	return s.write(func(tx *buntdb.Tx) error {
		key := savedKey(user, channel, seq)
		if _, err := tx.Get(key); err == nil {
			return nil
		}
		_, _, err := tx.Set(key, strconv.FormatInt(time.Now().UnixMilli(), 10), nil)
		return err
	}, nil)
}

// Unsave takes a message out of user's saved ones.
func (s *Store) Unsave(user, channel string, seq uint64) error {
	return s.write(func(tx *buntdb.Tx) error {
		_, err := tx.Delete(savedKey(user, channel, seq))
		if errors.Is(err, buntdb.ErrNotFound) {
			return nil
		}
		return err
	}, nil)
}
