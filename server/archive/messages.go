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

	"github.com/tidwall/buntdb"
)

// Message kinds: a message, or an edit or delete of an earlier one. Edits
// and deletes are records of their own (with their own seq), so the
// archive keeps every version and clients learn of them through sync.
const (
	KindMessage = ""
	KindEdit    = "edit"
	KindDelete  = "delete"
)

// Message is one stored record of a channel. Seq counts from 1 per channel,
// with no gaps.
type Message struct {
	Channel string `json:"-"`
	Seq     uint64 `json:"-"`
	ID      string `json:"id"` // the sender's client id
	From    string `json:"from"`
	Text    string `json:"text"`
	TS      int64  `json:"ts"`                // Unix milliseconds
	Kind    string `json:"kind,omitempty"`    // KindMessage, KindEdit, KindDelete
	Ref     uint64 `json:"ref,omitempty"`     // the message an edit, delete, reaction or pin is about
	Parent  uint64 `json:"parent,omitempty"`  // a reply: the root of its thread
	Also    bool   `json:"also,omitempty"`    // a reply shown in the channel too
	Confirm bool   `json:"confirm,omitempty"` // an announcement asking its readers to confirm
	Files   []File `json:"files,omitempty"`
	M       string `json:"m,omitempty"` // the text as members see it, when a content rule masked part of it
	H       string `json:"h"`           // chain link

	// Current state, for members: filled in on reads, never stored.
	Edited    bool       `json:"-"`
	Deleted   bool       `json:"-"`
	Reactions []Reaction `json:"-"`
	Pinned    bool       `json:"-"`
	Thread    *Thread    `json:"-"`
}

// Time is the message's timestamp.
func (m *Message) Time() time.Time { return time.UnixMilli(m.TS).UTC() }

// Post is a message, edit or delete to store.
type Post struct {
	Channel, From, ClientID, Text string
	Kind                          string
	Ref                           uint64
	Masked                        string // the text for members, if a content rule masked part of it
	Files                         []File // stored already (KeepUpload)
	Parent                        uint64 // a reply: the message it answers (the store finds the thread's root)
	Also                          bool   // a reply shown in the channel too
	Confirm                       bool   // asks its readers to confirm (docs/people.md)
}

// ForMembers is the record as members see it: a masked text in place of
// the original, which only the archive's readers see.
func (m Message) ForMembers() Message {
	if m.M != "" {
		m.Text, m.M = m.M, ""
	}
	return m
}

func parseMsg(key, val string) (Message, error) {
	var m Message
	i := strings.LastIndexByte(key, ':')
	if !strings.HasPrefix(key, prefixMsg) || i < len(prefixMsg) {
		return m, fmt.Errorf("bad message key %q", key)
	}
	seq, err := strconv.ParseUint(key[i+1:], 10, 64)
	if err != nil {
		return m, fmt.Errorf("bad message key %q", key)
	}
	if err := json.Unmarshal([]byte(val), &m); err != nil {
		return m, fmt.Errorf("message %s: %w", key, err)
	}
	m.Channel, m.Seq = key[len(prefixMsg):i], seq
	return m, nil
}

// current is a message's state after edits and deletes.
type current struct {
	text    string
	deleted bool
}

// Append stores a message durably and then calls done (from the writer
// goroutine, in commit order, so keep done short). dup is true when the
// sender already sent this client id: m is then the stored original.
func (s *Store) Append(p Post, done func(m Message, dup bool, err error)) {
	a := appendOps.Get().(*appendOp)
	a.s, a.p, a.report = s, p, done
	a.m = Message{Channel: p.Channel, ID: p.ClientID, From: p.From, Text: p.Text, Kind: p.Kind, Ref: p.Ref, Files: p.Files, Also: p.Also && p.Parent != 0, Confirm: p.Confirm && p.Kind == KindMessage && p.Parent == 0}
	if p.Masked != p.Text {
		a.m.M = p.Masked
	}
	s.submit(&a.op)
}

// appendOp is one Append on its way through the writer. Every message
// takes this path, so they are reused: one is back in appendOps once it
// has reported, with its op's methods still bound to it.
type appendOp struct {
	op
	s      *Store
	p      Post
	m      Message
	dup    bool
	next   uint64
	report func(m Message, dup bool, err error)
}

var appendOps sync.Pool // of *appendOp

func init() { appendOps.New = func() any { return newAppendOp() } } // New refers back to appendOps

func newAppendOp() *appendOp {
	a := &appendOp{}
	a.op = op{apply: a.write, done: a.finish}
	return a
}

func (a *appendOp) write(tx *buntdb.Tx) error {
	s, p := a.s, a.p
	a.dup = false
	a.next = s.nextSeq[p.Channel] + 1
	// A client id seen before gets the message it made, not a new one.
	idem := idemKey(p.From, p.ClientID)
	if ref, ok := s.idem[idem]; ok {
		a.dup = true
		key := msgKey(ref.channel, ref.seq)
		raw, err := tx.Get(key)
		if err != nil {
			return fmt.Errorf("message %s for client id %q: %w", key, p.ClientID, err)
		}
		a.m, err = parseMsg(key, raw)
		return err
	}
	s.mu.RLock()
	ch, known := s.channels[p.Channel]
	s.mu.RUnlock()
	if !known { // channels are never removed, so memory is enough
		return fmt.Errorf("channel %q: %w", p.Channel, ErrNotFound)
	}
	root, err := s.checkRef(tx, p)
	if err != nil {
		return err
	}
	a.m.Parent = root
	a.m.Seq = a.next
	a.m.TS = time.Now().UnixMilli()
	key := msgKey(p.Channel, a.next)
	data := sealMessage(&s.scratch, s.heads[p.Channel], key, &a.m)
	if _, _, err := tx.Set(key, data, nil); err != nil {
		return err
	}
	s.advance(p.Channel, a.next, a.m.H)
	s.setIdem(idem, idemRef{ch.ID, a.next}, true) // the channel's own id string, shared
	return nil
}

func (a *appendOp) finish(err error) {
	s := a.s
	if err == nil && !a.dup {
		s.mu.Lock()
		s.lastSeq[a.p.Channel] = a.next
		s.readOwn(a.p.Channel, a.p.From, a.next)
		s.applyCurrent(a.m)
		s.noteTalk(&a.m)
		s.noteAnnouncement(&a.m)
		s.noteFiles(&a.m)
		s.index.add(a.m) // under s.mu, so a rebuild never misses it
		s.mu.Unlock()
	}
	a.report(a.m, a.dup, err)
	// Nothing holds a once it has reported: the writer is done with it.
	*a = appendOp{op: op{apply: a.apply, done: a.done}}
	appendOps.Put(a)
}

// checkRef checks what a record is about, inside the write: an edit or
// delete, a message of the same person that is not deleted; a reaction or
// pin, a message anyone may see; a reply, a message it can answer. For a
// reply it returns the root of the thread (threads are one level deep).
func (s *Store) checkRef(tx *buntdb.Tx, p Post) (uint64, error) {
	ref := p.Ref
	switch p.Kind {
	case KindMessage:
		if p.Parent == 0 {
			return 0, nil
		}
		ref = p.Parent
	case KindEdit, KindDelete, KindReact, KindUnreact, KindPin, KindUnpin:
	default:
		return 0, userErr(fmt.Errorf("unknown message kind %q", p.Kind))
	}
	raw, err := tx.Get(msgKey(p.Channel, ref))
	if err != nil {
		return 0, fmt.Errorf("message %d: %w", ref, ErrNotFound)
	}
	target, err := parseMsg(msgKey(p.Channel, ref), raw)
	if err != nil {
		return 0, err
	}
	if target.Kind != KindMessage {
		return 0, userErr(errors.New("that is not a message"))
	}
	if (p.Kind == KindEdit || p.Kind == KindDelete) && target.From != p.From {
		return 0, userErr(ErrNotAuthor)
	}
	s.mu.RLock()
	c, ok := s.cur[curKey(p.Channel, ref)]
	pins := len(s.talk.pins[p.Channel])
	s.mu.RUnlock()
	if ok && c.deleted {
		return 0, userErr(errors.New("that message was deleted"))
	}
	if p.Kind == KindPin && pins >= MaxPins {
		return 0, userErr(fmt.Errorf("a channel has at most %d pinned messages: unpin one first", MaxPins))
	}
	if p.Kind == KindMessage && target.Parent != 0 {
		return target.Parent, nil // a reply to a reply joins its thread
	}
	return ref, nil
}

// ErrNotAuthor refuses an edit or delete of someone else's message.
var ErrNotAuthor = errors.New("only the author may edit or delete a message")

// applyCurrent records what an edit or delete does to its target. s.mu is
// held for writing.
func (s *Store) applyCurrent(m Message) {
	m = m.ForMembers()
	switch m.Kind {
	case KindEdit:
		s.cur[curKey(m.Channel, m.Ref)] = &current{text: m.Text}
	case KindDelete:
		s.cur[curKey(m.Channel, m.Ref)] = &current{deleted: true}
	}
}

// withCurrent fills in the current state of messages for members: the
// latest edit's text, or an empty text for a deleted one.
func (s *Store) withCurrent(msgs []Message) []Message {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := range msgs {
		msgs[i] = msgs[i].ForMembers()
		m := &msgs[i]
		if m.Kind != KindMessage {
			if m.Kind == KindDelete {
				m.Text = ""
			} else if c, ok := s.cur[curKey(m.Channel, m.Ref)]; ok && c.deleted {
				m.Text = "" // an edit of a message deleted since
			}
			continue
		}
		if c, ok := s.cur[curKey(m.Channel, m.Seq)]; ok {
			m.Edited = !c.deleted
			m.Deleted = c.deleted
			m.Text = c.text
			if c.deleted {
				m.Files = nil // the archive keeps them; members see none
				continue
			}
		}
		s.withTalk(m)
	}
	return msgs
}

// LastSeq is the seq of a channel's newest durable record (0 if none).
func (s *Store) LastSeq(channel string) uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lastSeq[channel]
}

// After returns up to limit durable records of channel with seq > after,
// oldest first, as members see them (edits applied, deletes emptied).
func (s *Store) After(channel string, after uint64, limit int) ([]Message, error) {
	msgs, err := s.rawAfter(channel, after, limit)
	return s.withCurrent(msgs), err
}

// rawAfter is After with the records exactly as stored.
func (s *Store) rawAfter(channel string, after uint64, limit int) ([]Message, error) {
	last := s.LastSeq(channel)
	if after >= last {
		return nil, nil
	}
	return s.scan(channel, after+1, last, limit, false)
}

// Before returns up to limit durable records of channel with seq < before
// (before 0 means the newest), oldest first, as members see them.
func (s *Store) Before(channel string, before uint64, limit int) ([]Message, error) {
	last := s.LastSeq(channel)
	if before == 0 || before > last+1 {
		before = last + 1
	}
	if before <= 1 || limit <= 0 {
		return nil, nil
	}
	out, err := s.scan(channel, 1, before-1, limit, true)
	slices.Reverse(out)
	return s.withCurrent(out), err
}

// scan reads up to limit records of channel with seq in [from, to], from
// the oldest or (newest) from the newest, exactly as stored.
func (s *Store) scan(channel string, from, to uint64, limit int, newest bool) ([]Message, error) {
	var out []Message
	var perr error
	each := func(k, v string) bool {
		m, err := parseMsg(k, v)
		if err != nil {
			perr = err
			return false
		}
		out = append(out, m)
		return len(out) < limit
	}
	err := s.db.View(func(tx *buntdb.Tx) error {
		if newest {
			return tx.DescendRange("", msgKey(channel, to), msgKey(channel, from-1), each)
		}
		return tx.AscendRange("", msgKey(channel, from), msgKey(channel, to+1), each)
	})
	if err == nil {
		err = perr
	}
	return out, err
}

// Versions returns a message and every edit and delete of it, as stored:
// the archive's view for auditors.
func (s *Store) Versions(channel string, seq uint64) ([]Message, error) {
	var out []Message
	err := s.db.View(func(tx *buntdb.Tx) error {
		raw, err := tx.Get(msgKey(channel, seq))
		if err != nil {
			return fmt.Errorf("message %d: %w", seq, ErrNotFound)
		}
		m, err := parseMsg(msgKey(channel, seq), raw)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range s.index.versionsOf(channel, seq) {
		if d == seq {
			continue
		}
		var m Message
		err := s.db.View(func(tx *buntdb.Tx) error {
			raw, err := tx.Get(msgKey(channel, d))
			if err != nil {
				return err
			}
			m, err = parseMsg(msgKey(channel, d), raw)
			return err
		})
		if err == nil {
			out = append(out, m)
		}
	}
	return out, nil
}
