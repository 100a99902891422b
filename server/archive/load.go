package archive

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"
)

// schemaVersion is the layout of the keys; migrations move older files up.
const schemaVersion = 1

// load fills the in-memory directory from the database.
func (s *Store) load() error {
	s.users = map[string]*User{}
	s.channels = map[string]*Channel{}
	s.dms = map[string]string{}
	s.lastSeq = map[string]uint64{}
	s.nextSeq = map[string]uint64{}
	s.reads = map[string]uint64{}
	s.accepts = map[string]Acceptance{}
	s.policy = DefaultPolicy
	s.settings = DefaultSettings

	err := s.db.View(func(tx *buntdb.Tx) error {
		if v, err := tx.Get("meta:schema"); err == nil {
			if n, _ := strconv.Atoi(v); n > schemaVersion {
				return fmt.Errorf("the database was written by a newer inhouse (schema %d, this one knows %d)", n, schemaVersion)
			}
		}
		var bad error
		decode := func(k, v string, into any) bool {
			if err := json.Unmarshal([]byte(v), into); err != nil {
				bad = fmt.Errorf("record %s: %w", k, err)
				return false
			}
			return true
		}
		tx.AscendKeys("user:*", func(k, v string) bool {
			var u User
			if !decode(k, v, &u) {
				return false
			}
			s.users[u.Name] = &u
			return true
		})
		tx.AscendKeys("chan:*", func(k, v string) bool {
			var c Channel
			if !decode(k, v, &c) {
				return false
			}
			s.channels[c.ID] = &c
			return true
		})
		tx.AscendKeys("dm:*", func(k, v string) bool {
			s.dms[strings.TrimPrefix(k, "dm:")] = v
			return true
		})
		tx.AscendKeys("read:*", func(k, v string) bool {
			rest := strings.TrimPrefix(k, "read:")
			ch, user, _ := strings.Cut(rest, ":")
			n, _ := strconv.ParseUint(v, 10, 64)
			s.reads[ch+"\x00"+user] = n
			return true
		})
		tx.AscendKeys("accept:*", func(k, v string) bool {
			var a Acceptance
			if !decode(k, v, &a) {
				return false
			}
			s.accepts[strings.TrimPrefix(k, "accept:")] = a
			return true
		})
		if v, err := tx.Get("policy"); err == nil {
			decode("policy", v, &s.policy)
		}
		if v, err := tx.Get("settings"); err == nil {
			decode("settings", v, &s.settings)
		}
		for id := range s.channels {
			tx.DescendRange("", "msg:"+id+";", "msg:"+id+":", func(k, v string) bool {
				if m, err := parseMsg(k, v); err == nil {
					s.lastSeq[id] = m.Seq
				}
				return false
			})
			s.nextSeq[id] = s.lastSeq[id]
		}
		return bad
	})
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *buntdb.Tx) error {
		if _, err := tx.Get("meta:schema"); err == nil {
			return nil
		}
		_, _, err := tx.Set("meta:schema", strconv.Itoa(schemaVersion), nil)
		return err
	})
}
