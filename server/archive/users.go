package archive

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/buntdb"
)

// Roles.
const (
	RoleMember  = "member"
	RoleAuditor = "auditor"
	RoleAdmin   = "admin"
)

// User is a person who may sign in.
type User struct {
	Name       string    `json:"name"`
	Display    string    `json:"display"`
	Role       string    `json:"role"`
	Hash       string    `json:"hash"`
	Disabled   bool      `json:"disabled,omitempty"`
	MustChange bool      `json:"must_change,omitempty"` // sign-in must set a new password
	Created    time.Time `json:"created"`

	// The profile and what the person says of themselves (docs/people.md).
	Title        string     `json:"title,omitempty"`
	Phone        string     `json:"phone,omitempty"`
	Picture      string     `json:"picture,omitempty"` // the stored picture's version ("" none)
	Note         *Note      `json:"note,omitempty"`    // status line
	DNDUntil     time.Time  `json:"dnd_until,omitzero"`
	Hours        *WorkHours `json:"hours,omitempty"`
	HideReceipts bool       `json:"hide_receipts,omitempty"`

	// Directory is the person's DN in the office's directory: they sign in
	// with its password, and its sync keeps them (docs/directory.md).
	Directory string `json:"directory,omitempty"`
}

// Note is a person's status line: an emoji, a few words, until when.
type Note struct {
	Emoji string    `json:"emoji,omitempty"`
	Text  string    `json:"text,omitempty"`
	Until time.Time `json:"until,omitzero"`
}

// WorkHours are a person's working hours, Monday first, in their time
// zone; with Quiet, they are not notified outside them (server/hours
// reads them).
type WorkHours struct {
	TZ    string        `json:"tz"`
	Days  [7]*[2]string `json:"days"`
	Quiet bool          `json:"quiet,omitempty"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,31}$`)

// ValidName checks a user name: 1–32 lowercase letters, digits, '.', '_' or
// '-', starting with a letter or digit.
func ValidName(name string) error {
	if !nameRE.MatchString(name) {
		return userErr(fmt.Errorf("user name %q: use 1 to 32 lowercase letters, digits, '.', '_' or '-'", name))
	}
	return nil
}

// ValidRole checks a role name.
func ValidRole(role string) error {
	switch role {
	case RoleMember, RoleAuditor, RoleAdmin:
		return nil
	}
	return userErr(fmt.Errorf("role %q: use member, auditor or admin", role))
}

// ValidDisplay checks a display name.
func ValidDisplay(display string) error {
	if !utf8.ValidString(display) || utf8.RuneCountInString(display) > 64 || strings.ContainsAny(display, "\x00\r\n") {
		return userErr(errors.New("display name: at most 64 characters on one line"))
	}
	return nil
}

// AddUser creates a person. Hash is the already hashed password.
func (s *Store) AddUser(u User) error {
	if err := ValidName(u.Name); err != nil {
		return err
	}
	if err := ValidRole(u.Role); err != nil {
		return err
	}
	if u.Display == "" {
		u.Display = u.Name
	}
	if err := ValidDisplay(u.Display); err != nil {
		return err
	}
	u.Created = time.Now().UTC()
	data, _ := json.Marshal(u)
	return s.write(func(tx *buntdb.Tx) error {
		if _, err := tx.Get(userKey(u.Name)); err == nil {
			return fmt.Errorf("user %q: %w", u.Name, ErrExists)
		}
		_, _, err := tx.Set(userKey(u.Name), string(data), nil)
		return err
	}, func() { s.users[u.Name] = &u })
}

// User returns a copy of the named person.
func (s *Store) User(name string) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[name]
	if !ok {
		return User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return *u, nil
}

// Users lists everyone, sorted by name.
func (s *Store) Users() []User {
	s.mu.RLock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, *u)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// HasAdmin reports whether any enabled admin exists.
func (s *Store) HasAdmin() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, u := range s.users {
		if u.Role == RoleAdmin && !u.Disabled {
			return true
		}
	}
	return false
}

// UpdateUser changes a person with fn and stores the result. Disabling a
// person or changing the password also ends that person's sessions.
func (s *Store) UpdateUser(name string, fn func(u *User) error) (User, error) {
	return s.updateUserWith(name, func(u *User, _ *buntdb.Tx) error { return fn(u) })
}

// updateUserWith is UpdateUser whose fn may write more in the same
// transaction (a picture beside its version).
func (s *Store) updateUserWith(name string, fn func(u *User, tx *buntdb.Tx) error) (User, error) {
	var updated User
	err := s.write(func(tx *buntdb.Tx) error {
		raw, err := tx.Get(userKey(name))
		if err != nil {
			return fmt.Errorf("user %q: %w", name, ErrNotFound)
		}
		var u User
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			return err
		}
		before := u
		if err := fn(&u, tx); err != nil {
			return userErr(err)
		}
		u.Name = before.Name
		if err := ValidRole(u.Role); err != nil {
			return err
		}
		if err := ValidDisplay(u.Display); err != nil {
			return err
		}
		data, _ := json.Marshal(u)
		if _, _, err := tx.Set(userKey(name), string(data), nil); err != nil {
			return err
		}
		if (u.Disabled && !before.Disabled) || u.Hash != before.Hash {
			if err := deleteSessions(tx, name, ""); err != nil {
				return err
			}
		}
		updated = u
		return nil
	}, func() { u := updated; s.users[name] = &u })
	return updated, err
}
