package archive

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tidwall/buntdb"

	"inhouse/server/rules"
)

// Content rules and the flag queue.
//
// Keys (keys.go): keyRules holds the office's rule list as JSON (absent
// until the office first saves one: rules.Defaults() are in force until
// then); flagKey(n) holds one Flag each, n counting from 1.
//
// The in-memory part (the rule list, its compiled engine, the open flags)
// is the Store's ruleState, loaded from the database on first use. Its fields are guarded
// by s.mu like the rest of the directory, except lastFlag, which only the
// writer goroutine touches once loaded.

// Limits of a flag record.
const (
	MaxFlagExcerpt = 500 // characters
	maxFlagRules   = 20
	maxFlagList    = 1000
	defFlagList    = 100
)

// Flag is one entry of the review queue: a message a flag, mask or block
// rule matched. A blocked message was never stored, so its flag has Seq 0
// and the excerpt is all that remains of it.
type Flag struct {
	N          uint64    `json:"n"`
	Channel    string    `json:"channel"`
	Seq        uint64    `json:"seq,omitempty"` // the archived message; 0 if blocked
	User       string    `json:"user"`          // the sender
	RuleIDs    []string  `json:"rules"`
	Action     string    `json:"action"` // the strongest action taken
	At         time.Time `json:"at"`
	Excerpt    string    `json:"excerpt,omitempty"` // see rules.Excerpt: the matches themselves masked
	Resolved   bool      `json:"resolved,omitempty"`
	ResolvedBy string    `json:"resolved_by,omitempty"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

type ruleState struct {
	once     sync.Once
	list     []rules.Rule
	engine   *rules.Engine
	lastFlag uint64              // writer goroutine only, after load
	open     map[uint64]struct{} // numbers of unresolved flags
}

func (s *Store) contentRules() *ruleState {
	s.ruleState.once.Do(func() { s.loadRules(&s.ruleState) })
	return &s.ruleState
}

// loadRules fills st from the database. A rule list that does not decode
// falls back to the defaults; rules that no longer validate (say, a
// detector this version does not know) stay in the list for the office to
// fix but are left out of the engine.
func (s *Store) loadRules(st *ruleState) {
	st.list = rules.Defaults()
	st.open = map[uint64]struct{}{}
	s.db.View(func(tx *buntdb.Tx) error {
		if v, err := tx.Get(keyRules); err == nil {
			var list []rules.Rule
			if json.Unmarshal([]byte(v), &list) == nil {
				st.list = list
			}
		}
		tx.AscendKeys(prefixFlag+"*", func(k, v string) bool {
			n, err := strconv.ParseUint(strings.TrimPrefix(k, prefixFlag), 10, 64)
			if err != nil {
				return true
			}
			st.lastFlag = max(st.lastFlag, n)
			var f Flag
			if json.Unmarshal([]byte(v), &f) == nil && !f.Resolved {
				st.open[n] = struct{}{}
			}
			return true
		})
		return nil
	})
	var valid []rules.Rule
	seen := map[string]bool{}
	for _, r := range st.list {
		if r.Validate() == nil && !seen[r.ID] {
			seen[r.ID] = true
			valid = append(valid, r)
		}
	}
	st.engine, _ = rules.Compile(valid)
}

// Rules returns the rule list in force (rules.Defaults() until the office
// saves its own), disabled rules included.
func (s *Store) Rules() []rules.Rule {
	st := s.contentRules()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(st.list)
}

// RuleEngine returns the compiled engine for the rules in force. It is
// replaced, never changed, when the rules are saved: callers may keep it for
// one message and must ask again for the next.
func (s *Store) RuleEngine() *rules.Engine {
	st := s.contentRules()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return st.engine
}

// SaveRules validates and stores a new rule list; an empty list turns all
// content rules off.
func (s *Store) SaveRules(list []rules.Rule) error {
	st := s.contentRules()
	list = slices.Clone(list)
	for i := range list {
		list[i].Name = strings.TrimSpace(list[i].Name)
	}
	eng, err := rules.Compile(list)
	if err != nil {
		return userErr(err)
	}
	if list == nil {
		list = []rules.Rule{} // stored as [], not null: "no rules", not "defaults"
	}
	data, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keyRules, string(data), nil)
		return err
	}, func() { st.list, st.engine = list, eng })
}

// AddFlag queues a flag for review. N, Resolved, ResolvedBy and ResolvedAt
// are set by the store; At defaults to now; an excerpt longer than
// MaxFlagExcerpt characters is cut.
func (s *Store) AddFlag(f Flag) error {
	st := s.contentRules()
	switch {
	case f.Channel == "" || f.User == "":
		return userErr(errors.New("flag: channel and user are required"))
	case f.Action != rules.ActionFlag && f.Action != rules.ActionMask && f.Action != rules.ActionBlock:
		return userErr(fmt.Errorf("flag: action %q: want flag, mask or block", f.Action))
	case len(f.RuleIDs) == 0 || len(f.RuleIDs) > maxFlagRules:
		return userErr(fmt.Errorf("flag: 1 to %d rule ids", maxFlagRules))
	}
	f.RuleIDs = slices.Clone(f.RuleIDs)
	if f.At.IsZero() {
		f.At = time.Now()
	}
	f.At = f.At.UTC()
	if utf8.RuneCountInString(f.Excerpt) > MaxFlagExcerpt {
		f.Excerpt = string([]rune(f.Excerpt)[:MaxFlagExcerpt]) + "…"
	}
	f.Resolved, f.ResolvedBy, f.ResolvedAt = false, "", time.Time{}
	return s.write(func(tx *buntdb.Tx) error {
		// Numbers are handed out here, in the writer goroutine, in commit
		// order. A write that fails after this point leaves a gap, which is
		// harmless: flag numbers are names, not a chain.
		st.lastFlag++
		f.N = st.lastFlag
		data, err := json.Marshal(f)
		if err != nil {
			return err
		}
		_, _, err = tx.Set(flagKey(f.N), string(data), nil)
		return err
	}, func() { st.open[f.N] = struct{}{} })
}

// Flags returns up to limit flags, newest first: only the unresolved ones
// when open is true, all of them otherwise. limit <= 0 means 100; at most
// 1000 are returned.
func (s *Store) Flags(open bool, limit int) []Flag {
	st := s.contentRules()
	if limit <= 0 {
		limit = defFlagList
	}
	limit = min(limit, maxFlagList)
	var out []Flag
	decode := func(v string) {
		var f Flag
		if json.Unmarshal([]byte(v), &f) == nil {
			out = append(out, f)
		}
	}
	if open {
		s.mu.RLock()
		ns := make([]uint64, 0, len(st.open))
		for n := range st.open {
			ns = append(ns, n)
		}
		s.mu.RUnlock()
		slices.Sort(ns)
		slices.Reverse(ns)
		ns = ns[:min(len(ns), limit)]
		s.db.View(func(tx *buntdb.Tx) error {
			for _, n := range ns {
				if v, err := tx.Get(flagKey(n)); err == nil {
					decode(v)
				}
			}
			return nil
		})
		// A flag resolved between the two reads is left out.
		return slices.DeleteFunc(out, func(f Flag) bool { return f.Resolved })
	}
	s.db.View(func(tx *buntdb.Tx) error {
		tx.DescendKeys(prefixFlag+"*", func(k, v string) bool {
			decode(v)
			return len(out) < limit
		})
		return nil
	})
	return out
}

// OpenFlags is the number of unresolved flags.
func (s *Store) OpenFlags() int {
	st := s.contentRules()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(st.open)
}

// ResolveFlag marks flag n reviewed by the named person. Resolving a flag
// that is already resolved changes nothing (the first reviewer is kept).
func (s *Store) ResolveFlag(n uint64, by string) error {
	st := s.contentRules()
	if strings.TrimSpace(by) == "" {
		return userErr(errors.New("flag: who resolved it is required"))
	}
	return s.write(func(tx *buntdb.Tx) error {
		v, err := tx.Get(flagKey(n))
		if errors.Is(err, buntdb.ErrNotFound) {
			return fmt.Errorf("flag %d: %w", n, ErrNotFound)
		}
		if err != nil {
			return err
		}
		var f Flag
		if err := json.Unmarshal([]byte(v), &f); err != nil {
			return userErr(fmt.Errorf("flag %d: damaged record: %w", n, err))
		}
		if f.Resolved {
			return nil
		}
		f.Resolved, f.ResolvedBy, f.ResolvedAt = true, by, time.Now().UTC()
		data, err := json.Marshal(f)
		if err != nil {
			return err
		}
		_, _, err = tx.Set(flagKey(n), string(data), nil)
		return err
	}, func() { delete(st.open, n) })
}
