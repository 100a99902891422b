package archive

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tidwall/buntdb"
)

// NewChannel is a group channel an admin creates in the console. Unlike
// CreateChannel, the admin does not have to be a member.
type NewChannel struct {
	Name     string
	Private  bool
	Announce bool
	Creator  string
	Members  []string
}

// CreateGroupChannel makes a public or private channel as spec says.
func (s *Store) CreateGroupChannel(spec NewChannel) (Channel, error) {
	n, err := NormalizeChannelName(spec.Name)
	if err != nil {
		return Channel{}, err
	}
	kind := KindPublic
	if spec.Private {
		kind = KindPrivate
	}
	members := sortedUnique(spec.Members)
	if err := s.checkUsers(members); err != nil {
		return Channel{}, err
	}
	if members == nil {
		members = []string{}
	}
	c := Channel{ID: newChannelID("c"), Name: n, Kind: kind, Members: members, Created: time.Now().UTC(), CreatedBy: spec.Creator, Announce: spec.Announce}
	data, _ := json.Marshal(c)
	err = s.write(func(tx *buntdb.Tx) error {
		if _, err := tx.Get(channelNameKey(n)); err == nil {
			return fmt.Errorf("channel %q: %w", n, ErrExists)
		}
		if _, _, err := tx.Set(channelNameKey(n), c.ID, nil); err != nil {
			return err
		}
		if _, _, err := tx.Set(channelKey(c.ID), string(data), nil); err != nil {
			return err
		}
		return logEvent(tx, Event{Type: "channel_created", Channel: c.ID, Name: c.Name, Kind: c.Kind, Added: c.Members, By: spec.Creator})
	}, func() { cc := c; s.channels[c.ID] = &cc })
	return c, err
}

// UpdateChannel changes a group channel's name, kind (public or private),
// announcement or archived flag with fn. Members change with ChangeMembers;
// direct conversations cannot be changed.
// The change goes to the event chain (who made it is in the admin audit
// log).
func (s *Store) UpdateChannel(id string, fn func(c *Channel) error) (Channel, error) {
	var updated Channel
	err := s.write(func(tx *buntdb.Tx) error {
		c, err := groupChannel(tx, id)
		if err != nil {
			return err
		}
		before := c
		c.Members = slices.Clone(before.Members)
		if err := fn(&c); err != nil {
			return userErr(err)
		}
		c.ID, c.Members, c.Created, c.CreatedBy = before.ID, before.Members, before.Created, before.CreatedBy
		if c.Kind != KindPublic && c.Kind != KindPrivate {
			return userErr(errors.New("a channel is public or private"))
		}
		if c.Name, err = NormalizeChannelName(c.Name); err != nil {
			return err
		}
		if c.Name != before.Name {
			if _, err := tx.Get(channelNameKey(c.Name)); err == nil {
				return fmt.Errorf("channel %q: %w", c.Name, ErrExists)
			}
			if _, err := tx.Delete(channelNameKey(before.Name)); err != nil && err != buntdb.ErrNotFound {
				return err
			}
			if _, _, err := tx.Set(channelNameKey(c.Name), c.ID, nil); err != nil {
				return err
			}
		}
		data, _ := json.Marshal(c)
		if _, _, err := tx.Set(channelKey(id), string(data), nil); err != nil {
			return err
		}
		// Who may read a channel depends on its kind: the change is evidence.
		if c.Kind != before.Kind || c.Name != before.Name || c.Archived != before.Archived {
			if err := logEvent(tx, Event{Type: "channel_changed", Channel: c.ID, Name: c.Name, Kind: c.Kind}); err != nil {
				return err
			}
		}
		updated = c
		return nil
	}, func() { c := updated; s.channels[id] = &c })
	return updated, err
}

// SendRule says who may send in channel id: archived channels take no
// messages, announcement channels only the admins'. ok is false for an
// unknown channel. It is cheap: the chat engine asks on every send.
func (s *Store) SendRule(id string) (archived, announce, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.channels[id]
	if !ok {
		return false, false, false
	}
	return c.Archived, c.Announce, true
}
