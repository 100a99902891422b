package archive

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"
	"github.com/tidwall/gjson"
)

// migrations move a database up one schema version each, in order:
// migrations[0] takes schema 1 to 2, and so on. A database written by this
// build is at schemaVersion(). Append; never change or remove one.
var migrations = []func(tx *buntdb.Tx) error{
	dropIdemRecords, // schema 1 -> 2 (heads.go)
}

func schemaVersion() int { return 1 + len(migrations) }

// SchemaVersion is the database schema this build writes.
func SchemaVersion() int { return schemaVersion() }

// load fills the in-memory directory from the database.
func (s *Store) load() error {
	s.users = map[string]*User{}
	s.channels = map[string]*Channel{}
	s.dms = map[string]string{}
	s.lastSeq = map[string]uint64{}
	s.nextSeq = map[string]uint64{}
	s.heads = map[string]string{}
	s.lagging = map[string]struct{}{}
	s.cur = map[string]*current{}
	s.index = newIndex()
	s.readMarks = map[string]*uint64{}
	s.announced = nil
	s.accepts = map[string]Acceptance{}
	s.policy = DefaultPolicy
	s.settings = DefaultSettings

	if err := s.migrate(); err != nil {
		return err
	}
	err := s.db.View(func(tx *buntdb.Tx) error {
		var bad error
		decode := func(k, v string, into any) bool {
			if err := json.Unmarshal([]byte(v), into); err != nil {
				bad = fmt.Errorf("record %s: %w", k, err)
				return false
			}
			return true
		}
		tx.AscendKeys(prefixUser+"*", func(k, v string) bool {
			var u User
			if !decode(k, v, &u) {
				return false
			}
			s.users[u.Name] = &u
			return true
		})
		tx.AscendKeys(prefixChannel+"*", func(k, v string) bool {
			var c Channel
			if !decode(k, v, &c) {
				return false
			}
			s.channels[c.ID] = &c
			return true
		})
		tx.AscendKeys(prefixDirect+"*", func(k, v string) bool {
			s.dms[strings.TrimPrefix(k, prefixDirect)] = v
			return true
		})
		tx.AscendKeys(prefixReadMark+"*", func(k, v string) bool {
			rest := strings.TrimPrefix(k, prefixReadMark)
			ch, user, _ := strings.Cut(rest, ":")
			n, _ := strconv.ParseUint(v, 10, 64)
			s.readMarks[readMarkSlot(ch, user)] = &n
			return true
		})
		tx.AscendKeys(prefixAccept+"*", func(k, v string) bool {
			var a Acceptance
			if !decode(k, v, &a) {
				return false
			}
			s.accepts[strings.TrimPrefix(k, prefixAccept)] = a
			return true
		})
		if v, err := tx.Get(keyPolicy); err == nil {
			decode(keyPolicy, v, &s.policy)
		}
		if v, err := tx.Get(keySettings); err == nil {
			decode(keySettings, v, &s.settings)
		}
		if bad != nil {
			return bad
		}
		if err := s.loadMessages(tx); err != nil {
			return err
		}
		return s.loadThreadReads(tx)
	})
	if err != nil {
		return err
	}
	return nil
}

// migrate brings the database to this build's schema in one transaction,
// and refuses a database from a newer build.
func (s *Store) migrate() error {
	return s.db.Update(func(tx *buntdb.Tx) error {
		have := schemaVersion() // a new, empty database starts current
		if v, err := tx.Get(keySchema); err == nil {
			have, _ = strconv.Atoi(v)
		} else if n, _ := tx.Len(); n > 0 {
			have = 1 // written before versions were kept
		}
		if have > schemaVersion() {
			return fmt.Errorf("the database was written by a newer inhouse (schema %d; this one knows up to %d): upgrade inhouse", have, schemaVersion())
		}
		for v := have; v < schemaVersion(); v++ {
			if err := migrations[v-1](tx); err != nil {
				return fmt.Errorf("migrate the database from schema %d to %d: %w", v, v+1, err)
			}
			s.migrated = true
		}
		_, _, err := tx.Set(keySchema, strconv.Itoa(schemaVersion()), nil)
		return err
	})
}

// loadMessages finds each channel's last seq and chain head, and rebuilds
// the current state of edited messages and the search index, in commit
// order. It reads each record once, with a field reader instead of a full
// JSON decode: opening a large archive is mostly this loop.
func (s *Store) loadMessages(tx *buntdb.Tx) error {
	refs, err := messageRefs(tx)
	if err != nil {
		return err
	}
	last := map[string]int{} // channel -> its newest record in refs
	for i, r := range refs {
		last[r.channel] = i // key order: seqs ascend within a channel
	}
	for ch, i := range last {
		s.lastSeq[ch] = refs[i].seq
		s.heads[ch] = gjson.Get(refs[i].val, "h").String()
	}
	for id := range s.channels {
		if _, ok := s.lastSeq[id]; !ok {
			if cp, ok := checkpoint(tx, msgChain(id)); ok {
				s.heads[id], s.lastSeq[id] = cp.H, cp.Seq
			}
		}
		s.nextSeq[id] = s.lastSeq[id]
	}
	s.idem = make(map[string]idemRef, len(refs))
	return s.reindexRefs(refs, true)
}

// reindex rebuilds the edited-state map and the search index from every
// stored record, in commit order.
func (s *Store) reindex(tx *buntdb.Tx) error {
	refs, err := messageRefs(tx)
	if err != nil {
		return err
	}
	return s.reindexRefs(refs, false)
}

// msgRef is one stored record, its value shared with the database.
// tsPos is a record's time and its position in the key-ordered list.
type tsPos struct {
	ts  int64
	pos uint32
}

type msgRef struct {
	ts      int64
	channel string
	seq     uint64
	val     string
}

// messageRefs lists every message record in key order (channel, then seq).
func messageRefs(tx *buntdb.Tx) ([]msgRef, error) {
	var refs []msgRef
	var bad error
	tx.AscendKeys(prefixMsg+"*", func(k, v string) bool {
		i := strings.LastIndexByte(k, ':')
		seq, err := strconv.ParseUint(k[i+1:], 10, 64)
		ts, ok := recordTS(v)
		if i < len(prefixMsg) || err != nil || !ok {
			bad = fmt.Errorf("record %s: unreadable", k)
			return false
		}
		refs = append(refs, msgRef{ts: ts, channel: k[len(prefixMsg):i], seq: seq, val: v})
		return true
	})
	return refs, bad
}

// recordTS reads a record's "ts" from its end, where it stands after the
// text: a quote inside a text is escaped, so `,"ts":` cannot occur in one.
func recordTS(v string) (int64, bool) {
	i := strings.LastIndex(v, `,"ts":`)
	if i < 0 {
		return 0, false
	}
	rest := v[i+6:]
	end := strings.IndexAny(rest, ",}")
	if end < 0 {
		return 0, false
	}
	ts, err := strconv.ParseInt(rest[:end], 10, 64)
	return ts, err == nil
}

// reindexRefs applies every record, oldest first, to the edited-state map
// and the search index, and with idem (at open) notes which message each
// client id made.
func (s *Store) reindexRefs(refs []msgRef, idem bool) error {
	s.cur = map[string]*current{}
	s.fileRefs, s.filesBytes = map[string]int32{}, 0
	s.shared = nil
	reads := s.talk.reads // not from the records: kept across a rebuild
	s.talk = newTalk()
	if reads != nil {
		s.talk.reads = reads
	}
	// Sort positions, not the records: pairs without pointers sort without
	// the write barriers that moving strings costs while the GC runs.
	order := make([]tsPos, len(refs))
	for i, r := range refs {
		order[i] = tsPos{r.ts, uint32(i)}
	}
	slices.SortFunc(order, func(a, b tsPos) int {
		if a.ts != b.ts {
			return cmp.Compare(a.ts, b.ts)
		}
		return cmp.Compare(a.pos, b.pos) // equal times keep key order
	})
	for _, o := range order {
		r := &refs[o.pos]
		m := Message{Channel: r.channel, Seq: r.seq, TS: r.ts}
		gjson.Parse(r.val).ForEach(func(k, v gjson.Result) bool {
			switch k.Str {
			case "id":
				m.ID = v.Str
			case "from":
				m.From = v.Str
			case "text":
				m.Text = v.Str
			case "kind":
				m.Kind = v.Str
			case "ref":
				m.Ref = v.Uint()
			case "m":
				m.M = v.Str
			case "parent":
				m.Parent = v.Uint()
			case "also":
				m.Also = v.Bool()
			case "confirm":
				m.Confirm = v.Bool()
			case "files":
				v.ForEach(func(_, f gjson.Result) bool {
					m.Files = append(m.Files, File{SHA256: f.Get("sha256").Str, Name: f.Get("name").Str, Size: f.Get("size").Int()})
					return true
				})
			}
			return true
		})
		s.noteFiles(&m)
		s.noteTalk(&m)
		s.noteAnnouncement(&m)
		if m.Kind != KindMessage {
			s.applyCurrent(m)
		}
		if idem {
			s.idem[idemKey(m.From, m.ID)] = idemRef{r.channel, r.seq}
			s.readOwn(r.channel, m.From, r.seq) // at load: one's own messages were read
		}
		s.index.add(m)
	}
	return nil
}

// checkpoint reads the checkpoint of a purged chain.
func checkpoint(tx *buntdb.Tx, chain string) (Checkpoint, bool) {
	var c Checkpoint
	v, err := tx.Get(checkpointKey(chain))
	if err != nil || json.Unmarshal([]byte(v), &c) != nil {
		return c, false
	}
	return c, true
}
