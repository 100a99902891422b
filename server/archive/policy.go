package archive

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Policy is the office's usage policy that everyone must accept.
type Policy struct {
	Version int       `json:"version"`
	Text    string    `json:"text"`
	Banner  string    `json:"banner"`
	Changed time.Time `json:"changed"`
}

// Acceptance records who accepted which policy version when.
type Acceptance struct {
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

// DefaultPolicy is in force until the office writes its own.
var DefaultPolicy = Policy{
	Version: 1,
	Text: "This messenger is for work. Every conversation, including direct messages, is stored in the " +
		"office archive and may be reviewed by people the office has authorised, as the law allows. " +
		"Do not share passwords, card numbers or confidential documents here unless your work requires it.",
	Banner: "Conversations are archived and may be reviewed.",
}

// Policy returns the policy in force.
func (s *Store) Policy() Policy {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.policy
}

// SetPolicy saves a new policy version: everyone must accept again.
func (s *Store) SetPolicy(text, banner string) (Policy, error) {
	text, banner = strings.TrimSpace(text), strings.TrimSpace(banner)
	if text == "" || len(text) > 64<<10 {
		return Policy{}, userErr(errors.New("policy text: between 1 character and 64 KiB"))
	}
	if banner == "" || len(banner) > 200 || strings.ContainsAny(banner, "\r\n") {
		return Policy{}, userErr(errors.New("banner: one line of at most 200 characters"))
	}
	p := Policy{Version: s.Policy().Version + 1, Text: text, Banner: banner, Changed: time.Now().UTC()}
	data, _ := json.Marshal(p)
	err := s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keyPolicy, string(data), nil)
		return err
	}, func() { s.policy = p })
	return p, err
}

// Accepted returns user's latest acceptance (zero if none).
func (s *Store) Accepted(user string) Acceptance {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.accepts[user]
}

// AcceptPolicy records that user accepted version, which must be current.
func (s *Store) AcceptPolicy(user string, version int) error {
	if version != s.Policy().Version {
		return userErr(errors.New("that is not the current policy version"))
	}
	a := Acceptance{Version: version, At: time.Now().UTC()}
	data, _ := json.Marshal(a)
	return s.write(func(tx *buntdb.Tx) error {
		if _, _, err := tx.Set(acceptKey(user), string(data), nil); err != nil {
			return err
		}
		// The ledger keeps every version each person accepted.
		_, _, err := tx.Set(acceptLogKey(user, version), string(data), nil)
		return err
	}, func() { s.accepts[user] = a })
}

// Acceptances lists every version user accepted, oldest first.
func (s *Store) Acceptances(user string) []Acceptance {
	var out []Acceptance
	s.db.View(func(tx *buntdb.Tx) error {
		first, past := rangeOf(acceptLogGroup(user))
		return tx.AscendRange("", first, past, func(k, v string) bool {
			var a Acceptance
			if json.Unmarshal([]byte(v), &a) == nil {
				out = append(out, a)
			}
			return true
		})
	})
	return out
}
