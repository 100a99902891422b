package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Session lifetimes: a session ends after SessionIdle without use, and in
// any case SessionMax after sign-in.
var (
	SessionIdle = 7 * 24 * time.Hour
	SessionMax  = 30 * 24 * time.Hour
)

// touchEvery limits how often a session's last use is written.
const touchEvery = time.Minute

// Session is a signed-in browser. Only the hash of its token is stored.
type Session struct {
	ID      string    `json:"-"` // the token's hash
	User    string    `json:"user"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Seen    time.Time `json:"seen"`
}

// TokenHash is how a session token is stored.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// AddSession stores a new session for token.
func (s *Store) AddSession(token, user, csrf string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{ID: TokenHash(token), User: user, CSRF: csrf, Created: now, Seen: now}
	data, _ := json.Marshal(sess)
	err := s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(sessionKey(sess.ID), string(data), &buntdb.SetOptions{Expires: true, TTL: SessionMax})
		return err
	}, nil)
	return sess, err
}

// SessionFor returns the live session for token and marks it used. It
// fails with ErrNotFound when the token is unknown, expired or its person
// is disabled.
func (s *Store) SessionFor(token string) (Session, User, error) {
	id := TokenHash(token)
	var raw string
	err := s.db.View(func(tx *buntdb.Tx) error {
		var err error
		raw, err = tx.Get(sessionKey(id))
		return err
	})
	if err != nil {
		return Session{}, User{}, ErrNotFound
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return Session{}, User{}, ErrNotFound
	}
	sess.ID = id
	now := time.Now()
	if now.Sub(sess.Seen) > SessionIdle || now.Sub(sess.Created) > SessionMax {
		s.DeleteSession(id)
		return Session{}, User{}, ErrNotFound
	}
	u, err := s.User(sess.User)
	if err != nil || u.Disabled {
		return Session{}, User{}, ErrNotFound
	}
	if now.Sub(sess.Seen) > touchEvery {
		sess.Seen = now.UTC()
		data, _ := json.Marshal(sess)
		left := SessionMax - now.Sub(sess.Created)
		// Best effort: a failed touch only shortens the idle window.
		_ = s.write(func(tx *buntdb.Tx) error {
			if _, err := tx.Get(sessionKey(id)); err != nil {
				return ErrNotFound // signed out meanwhile: do not bring it back
			}
			_, _, err := tx.Set(sessionKey(id), string(data), &buntdb.SetOptions{Expires: true, TTL: left})
			return err
		}, nil)
	}
	return sess, u, nil
}

// DeleteSession ends one session by its id (the token's hash).
func (s *Store) DeleteSession(id string) error {
	return s.write(func(tx *buntdb.Tx) error {
		_, err := tx.Delete(sessionKey(id))
		if err == buntdb.ErrNotFound {
			return nil
		}
		return err
	}, nil)
}

// DeleteSessions ends every session of user except the one with id except.
func (s *Store) DeleteSessions(user, except string) error {
	return s.write(func(tx *buntdb.Tx) error { return deleteSessions(tx, user, except) }, nil)
}

func deleteSessions(tx *buntdb.Tx, user, except string) error {
	var ids []string
	needle := fmt.Sprintf(`"user":%q`, user)
	err := tx.AscendKeys(prefixSession+"*", func(k, v string) bool {
		if strings.Contains(v, needle) && k != sessionKey(except) {
			ids = append(ids, k)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range ids {
		if _, err := tx.Delete(k); err != nil && err != buntdb.ErrNotFound {
			return err
		}
	}
	return nil
}
