package archive

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Channel kinds.
const (
	KindPublic  = "public"
	KindPrivate = "private"
	KindDirect  = "direct"
)

// Channel is a conversation: a public or private group, or a direct
// conversation between two people.
type Channel struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Members     []string  `json:"members"` // sorted
	Created     time.Time `json:"created"`
	CreatedBy   string    `json:"created_by"`
	Archived    bool      `json:"archived,omitempty"`    // read-only: nobody sends
	Announce    bool      `json:"announce,omitempty"`    // only admins send
	Topic       string    `json:"topic,omitempty"`       // one line, shown in the header
	Description string    `json:"description,omitempty"` // what the channel is for
}

// Limits of a channel's topic and description, in bytes.
const (
	MaxTopic       = 250
	MaxDescription = 1000
)

// Has reports whether user is a member.
func (c *Channel) Has(user string) bool {
	_, found := slices.BinarySearch(c.Members, user)
	return found
}

var channelNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// NormalizeChannelName lowercases a channel name and turns spaces into
// dashes, then checks it.
func NormalizeChannelName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.Join(strings.Fields(n), "-")
	if !channelNameRE.MatchString(n) {
		return "", userErr(fmt.Errorf("channel name %q: use 1 to 40 letters, digits, '-' or '_'", name))
	}
	return n, nil
}

func newChannelID(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

func sortedUnique(names []string) []string {
	out := slices.Clone(names)
	sort.Strings(out)
	return slices.Compact(out)
}

// CreateChannel makes a public or private channel with the given members
// (the creator is always one).
func (s *Store) CreateChannel(name string, private bool, creator string, members []string) (Channel, error) {
	return s.CreateGroupChannel(NewChannel{Name: name, Private: private, Creator: creator, Members: append(slices.Clone(members), creator)})
}

func (s *Store) checkUsers(names []string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, n := range names {
		u, ok := s.users[n]
		if !ok {
			return userErr(fmt.Errorf("user %q: %w", n, ErrNotFound))
		}
		if u.Disabled {
			return userErr(fmt.Errorf("user %q is disabled", n))
		}
	}
	return nil
}

// MaxDirect is the most people a direct conversation holds.
const MaxDirect = 8

// DirectChannel returns a's and b's direct channel, making it if needed.
func (s *Store) DirectChannel(a, b string) (c Channel, created bool, err error) {
	if a == b {
		return Channel{}, false, userErr(errors.New("a direct message needs another person"))
	}
	return s.DirectGroup(a, []string{b})
}

// DirectGroup returns the direct conversation of by and others (2 to
// MaxDirect people in all), making it if needed: the same people always
// get the same conversation.
func (s *Store) DirectGroup(by string, others []string) (c Channel, created bool, err error) {
	members := sortedUnique(append([]string{by}, others...))
	switch {
	case len(members) < 2:
		return Channel{}, false, userErr(errors.New("a direct message needs another person"))
	case len(members) > MaxDirect:
		return Channel{}, false, userErr(fmt.Errorf("a direct conversation holds at most %d people: make a private channel for more", MaxDirect))
	}
	pair := strings.Join(members, ":") // two people: dmPair's form
	s.mu.RLock()
	id, ok := s.dms[pair]
	s.mu.RUnlock()
	if ok {
		c, err := s.Channel(id)
		return c, false, err
	}
	if err := s.checkUsers(members); err != nil {
		return Channel{}, false, err
	}
	c = Channel{ID: newChannelID("d"), Kind: KindDirect, Members: members, Created: time.Now().UTC(), CreatedBy: by}
	c.Name = strings.Join(c.Members, ",")
	data, _ := json.Marshal(c)
	err = s.write(func(tx *buntdb.Tx) error {
		if existing, err := tx.Get(dmKey(pair)); err == nil {
			c.ID = existing // made by a request just before ours
			return nil
		}
		created = true
		if _, _, err := tx.Set(dmKey(pair), c.ID, nil); err != nil {
			return err
		}
		if _, _, err := tx.Set(channelKey(c.ID), string(data), nil); err != nil {
			return err
		}
		return logEvent(tx, Event{Type: "direct_opened", Channel: c.ID, Kind: KindDirect, Added: c.Members, By: by})
	}, func() {
		if created {
			cc := c
			s.channels[c.ID] = &cc
			s.dms[pair] = c.ID
		}
	})
	if err != nil {
		return Channel{}, false, err
	}
	c, err = s.Channel(c.ID)
	return c, created, err
}

// Channel returns a copy of one channel.
func (s *Store) Channel(id string) (Channel, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.channels[id]
	if !ok {
		return Channel{}, fmt.Errorf("channel %q: %w", id, ErrNotFound)
	}
	cc := *c
	cc.Members = slices.Clone(c.Members)
	return cc, nil
}

// Membership reports whether channel id exists and whether user belongs
// to it. It copies nothing: it runs on every frame about a channel.
func (s *Store) Membership(id, user string) (exists, member bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.channels[id]
	return ok, ok && c.Has(user)
}

// SmallDirect reports whether id is a direct conversation of at most n
// people. It copies nothing: read receipts ask it on every read.
func (s *Store) SmallDirect(id string, n int) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.channels[id]
	return ok && c.Kind == KindDirect && len(c.Members) <= n
}

// Members lists a channel's members (nil for an unknown channel).
func (s *Store) Members(id string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if c, ok := s.channels[id]; ok {
		return slices.Clone(c.Members)
	}
	return nil
}

// Channels lists channels, sorted by kind then name, for which keep says yes.
func (s *Store) Channels(keep func(*Channel) bool) []Channel {
	s.mu.RLock()
	var out []Channel
	for _, c := range s.channels {
		if keep == nil || keep(c) {
			cc := *c
			cc.Members = slices.Clone(c.Members)
			out = append(out, cc)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind > out[j].Kind // public, private, direct
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ChannelsOf is the ids of the channels user belongs to, unsorted. It
// copies nothing else: it runs on every WebSocket connect.
func (s *Store) ChannelsOf(user string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for id, c := range s.channels {
		if c.Has(user) {
			out = append(out, id)
		}
	}
	return out
}

// ErrSelfAddPrivate refuses adding oneself to a private channel: that would
// open its whole past to someone its members did not choose. Reading it is
// an auditor's act, recorded in the read log (docs/security.md).
var ErrSelfAddPrivate = userErr(errors.New("you cannot add yourself to a private channel: its past is read by an auditor (recorded in the read log), or one of its members adds you"))

// ChangeMembers adds and removes members. Direct channels keep their pair.
// by is who made the change, for the event chain.

func (s *Store) ChangeMembers(id string, add, remove []string, by string) (Channel, error) {
	if err := s.checkUsers(add); err != nil {
		return Channel{}, err
	}
	var updated Channel
	err := s.write(func(tx *buntdb.Tx) error {
		c, err := groupChannel(tx, id)
		if err != nil {
			return err
		}
		before := c.Members
		if c.Kind == KindPrivate && slices.Contains(add, by) && !slices.Contains(before, by) {
			return ErrSelfAddPrivate
		}
		members := append(slices.Clone(c.Members), add...)
		members = slices.DeleteFunc(members, func(m string) bool { return slices.Contains(remove, m) })
		c.Members = sortedUnique(members)
		data, _ := json.Marshal(c)
		if _, _, err := tx.Set(channelKey(id), string(data), nil); err != nil {
			return err
		}
		var added, removed []string
		for _, m := range c.Members {
			if !slices.Contains(before, m) {
				added = append(added, m)
			}
		}
		for _, m := range before {
			if !slices.Contains(c.Members, m) {
				removed = append(removed, m)
			}
		}
		if len(added)+len(removed) > 0 {
			if err := logEvent(tx, Event{Type: "members_changed", Channel: id, Added: added, Removed: removed, By: by}); err != nil {
				return err
			}
		}
		updated = c
		return nil
	}, func() { c := updated; s.channels[id] = &c })
	return updated, err
}

// DirectPartners lists the people user has a direct conversation with.
func (s *Store) DirectPartners(user string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for pair := range s.dms {
		a, b, _ := strings.Cut(pair, ":")
		switch user {
		case a:
			out = append(out, b)
		case b:
			out = append(out, a)
		}
	}
	return out
}

// logEvent appends e to the event chain inside tx.
func logEvent(tx *buntdb.Tx, e Event) error {
	e.TS = time.Now().UnixMilli()
	_, err := appendChained(tx, chainEvents, &e)
	return err
}

// groupChannel reads channel id inside tx for a change; direct
// conversations cannot change.
func groupChannel(tx *buntdb.Tx, id string) (Channel, error) {
	var c Channel
	raw, err := tx.Get(channelKey(id))
	if err != nil {
		return c, fmt.Errorf("channel %q: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return c, err
	}
	if c.Kind == KindDirect {
		return c, userErr(errors.New("a direct conversation cannot be changed"))
	}
	return c, nil
}
