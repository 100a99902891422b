package archive

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/buntdb"
)

// What members see around a message, kept in memory from the records
// (docs/conversation.md): its reactions, whether it is pinned, and its
// thread. Like the edited state, it is rebuilt from the chain at every
// open and changed only by the writer's commits, under s.mu.

// More kinds of record, each about the message in Ref.
const (
	KindReact   = "react"   // Text: the emoji
	KindUnreact = "unreact" // Text: the emoji
	KindPin     = "pin"
	KindUnpin   = "unpin"
)

// MaxPins bounds the pinned messages of a channel.
const MaxPins = 50

// Reaction is one emoji on a message and who chose it, in order.
type Reaction struct {
	Emoji  string   `json:"emoji"`
	People []string `json:"people"`
}

// Thread is what a message's replies add up to, as members see them.
type Thread struct {
	Replies int      // not counting deleted ones
	Last    int64    // Unix milliseconds of the newest reply
	People  []string // who replied, in order of their first reply

	seqs      []uint64 // the replies, oldest first (deleted ones taken out)
	mentioned []string // people @mentioned in the replies
}

// talk is the state above, per store.
type talk struct {
	reactions map[string][]Reaction // curKey(channel, seq)
	pins      map[string][]uint64   // channel -> pinned seqs, oldest pin first
	threads   map[string]*Thread    // curKey(channel, root)
	replyOf   map[string]uint64     // curKey(channel, reply) -> its root
	reads     map[string]uint64     // threadReadSlot -> the last reply read
	// quiet are the records of each channel that are not messages shown
	// in it (edits, reactions, pins, replies kept in their thread), in
	// seq order: they do not count as unread.
	quiet map[string][]uint64
}

func newTalk() talk {
	return talk{reactions: map[string][]Reaction{}, pins: map[string][]uint64{}, threads: map[string]*Thread{},
		replyOf: map[string]uint64{}, reads: map[string]uint64{}, quiet: map[string][]uint64{}}
}

// noteTalk applies a committed record to the state. s.mu is held.
func (s *Store) noteTalk(m *Message) {
	t := &s.talk
	if m.Kind != KindMessage || (m.Parent != 0 && !m.Also) {
		q := t.quiet[m.Channel]
		if len(q) == 0 || q[len(q)-1] < m.Seq { // at load, records come in time order
			t.quiet[m.Channel] = append(q, m.Seq)
		} else if i, found := slices.BinarySearch(q, m.Seq); !found {
			t.quiet[m.Channel] = slices.Insert(q, i, m.Seq)
		}
	}
	switch m.Kind {
	case KindMessage:
		if m.Parent == 0 {
			return
		}
		key := curKey(m.Channel, m.Parent)
		th := t.threads[key]
		if th == nil {
			th = &Thread{}
			t.threads[key] = th
		}
		th.seqs = append(th.seqs, m.Seq)
		th.Replies++
		th.Last = max(th.Last, m.TS)
		if !slices.Contains(th.People, m.From) {
			th.People = append(th.People, m.From)
		}
		for _, name := range Mentions(m.Text) {
			if !slices.Contains(th.mentioned, name) {
				th.mentioned = append(th.mentioned, name)
			}
		}
		t.replyOf[curKey(m.Channel, m.Seq)] = m.Parent
	case KindDelete:
		// A deleted reply no longer counts in its thread.
		root, ok := t.replyOf[curKey(m.Channel, m.Ref)]
		if !ok {
			return
		}
		if th := t.threads[curKey(m.Channel, root)]; th != nil {
			if i := slices.Index(th.seqs, m.Ref); i >= 0 {
				th.seqs = slices.Delete(th.seqs, i, i+1)
				th.Replies--
			}
		}
	case KindReact, KindUnreact:
		key := curKey(m.Channel, m.Ref)
		list := t.reactions[key]
		i := slices.IndexFunc(list, func(r Reaction) bool { return r.Emoji == m.Text })
		if m.Kind == KindReact {
			if i < 0 {
				list = append(list, Reaction{Emoji: m.Text})
				i = len(list) - 1
			}
			if !slices.Contains(list[i].People, m.From) {
				list[i].People = append(slices.Clip(list[i].People), m.From)
			}
		} else if i >= 0 {
			if j := slices.Index(list[i].People, m.From); j >= 0 {
				list[i].People = slices.Delete(slices.Clone(list[i].People), j, j+1)
				if len(list[i].People) == 0 {
					list = slices.Delete(list, i, i+1)
				}
			}
		}
		if len(list) == 0 {
			delete(t.reactions, key)
		} else {
			t.reactions[key] = list
		}
	case KindPin:
		if !slices.Contains(t.pins[m.Channel], m.Ref) {
			t.pins[m.Channel] = append(t.pins[m.Channel], m.Ref)
		}
	case KindUnpin:
		if i := slices.Index(t.pins[m.Channel], m.Ref); i >= 0 {
			t.pins[m.Channel] = slices.Delete(t.pins[m.Channel], i, i+1)
		}
	}
}

// withTalk fills in m's reactions, pin and thread for members. s.mu is
// held for reading.
func (s *Store) withTalk(m *Message) {
	key := curKey(m.Channel, m.Seq)
	if list := s.talk.reactions[key]; len(list) > 0 {
		m.Reactions = make([]Reaction, len(list))
		for i, r := range list {
			m.Reactions[i] = Reaction{Emoji: r.Emoji, People: slices.Clone(r.People)}
		}
	}
	m.Pinned = slices.Contains(s.talk.pins[m.Channel], m.Seq)
	if th := s.talk.threads[key]; th != nil && th.Replies > 0 {
		m.Thread = &Thread{Replies: th.Replies, Last: th.Last, People: slices.Clone(th.People)}
	}
}

// Unread counts the messages shown in channel after seq read up to seq
// last: edits, reactions, pins and replies kept in their thread are not
// messages of their own.
func (s *Store) Unread(channel string, read, last uint64) uint64 {
	if last <= read {
		return 0
	}
	s.mu.RLock()
	q := s.talk.quiet[channel]
	lo, _ := slices.BinarySearch(q, read+1)
	hi, _ := slices.BinarySearch(q, last+1)
	s.mu.RUnlock()
	return last - read - uint64(hi-lo)
}

// Reacted reports whether user's reaction emoji is on the message.
func (s *Store) Reacted(channel string, seq uint64, user, emoji string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.talk.reactions[curKey(channel, seq)] {
		if r.Emoji == emoji {
			return slices.Contains(r.People, user)
		}
	}
	return false
}

// Pins lists a channel's pinned messages, newest pin first.
func (s *Store) Pins(channel string) []uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := slices.Clone(s.talk.pins[channel])
	slices.Reverse(out)
	return out
}

// FollowedThread is a thread one follows, with what one has not read.
type FollowedThread struct {
	Channel string
	Root    uint64
	Replies int
	Last    int64
	Unread  int
}

// Threads lists the threads user follows in the channels given (those
// they are in): they wrote the root or a reply, or were mentioned in one.
func (s *Store) Threads(user string, channels []string) []FollowedThread {
	s.mu.RLock()
	defer s.mu.RUnlock()
	in := make(map[string]bool, len(channels))
	for _, ch := range channels {
		in[ch] = true
	}
	var out []FollowedThread
	for key, th := range s.talk.threads { // one pass, whatever the number of channels
		ch, rootText, _ := strings.Cut(key, "\x00") // curKey's parts
		if !in[ch] || th.Replies == 0 {
			continue
		}
		root := parseSeq(rootText)
		if !slices.Contains(th.People, user) && !slices.Contains(th.mentioned, user) && s.authorOf(ch, root) != user {
			continue
		}
		read := s.talk.reads[threadReadSlot(ch, root, user)]
		unread := 0
		for _, seq := range th.seqs {
			if seq > read {
				unread++
			}
		}
		out = append(out, FollowedThread{Channel: ch, Root: root, Replies: th.Replies, Last: th.Last, Unread: unread})
	}
	slices.SortFunc(out, func(a, b FollowedThread) int {
		if (a.Unread > 0) != (b.Unread > 0) {
			if a.Unread > 0 {
				return -1
			}
			return 1
		}
		return int(b.Last - a.Last)
	})
	return out
}

// authorOf is who wrote a message, from the search index. s.mu is held.
func (s *Store) authorOf(channel string, seq uint64) string {
	ix := s.index
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ch, ok := ix.chanNum[channel]
	if !ok {
		return ""
	}
	if id, ok := ix.docOf(ch, seq); ok {
		return ix.users[ix.docs[id].from]
	}
	return ""
}

// MarkThreadRead moves user's read position in a thread forward.
func (s *Store) MarkThreadRead(channel string, root uint64, user string, seq uint64) error {
	slot := threadReadSlot(channel, root, user)
	s.mu.RLock()
	old := s.talk.reads[slot]
	s.mu.RUnlock()
	if seq <= old {
		return nil
	}
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(threadReadKey(channel, root, user), formatSeq(seq), nil)
		return err
	}, func() {
		if seq > s.talk.reads[slot] {
			s.talk.reads[slot] = seq
		}
	})
}

// loadThreadReads reads every thread read position. At open.
func (s *Store) loadThreadReads(tx *buntdb.Tx) error {
	return tx.AscendKeys(prefixThreadRead+"*", func(k, v string) bool {
		rest := k[len(prefixThreadRead):]
		// <channel>:<root>:<user>: ids and names hold no ':'.
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) == 3 {
			s.talk.reads[threadReadSlot(parts[0], parseSeq(parts[1]), parts[2])] = parseSeq(v)
		}
		return true
	})
}

// Mentions are the people a text @mentions: '@' then a user name's
// characters, not inside a word (an e-mail address mentions nobody).
func Mentions(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		if text[i] != '@' {
			continue
		}
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(text[:i]); isNameRune(r) {
				continue
			}
		}
		j := i + 1
		for j < len(text) && isNameRune(rune(text[j])) && text[j] < utf8.RuneSelf {
			j++
		}
		// A name does not end with a dot (the end of a sentence).
		for j > i+1 && text[j-1] == '.' {
			j--
		}
		if j > i+1 {
			out = append(out, strings.ToLower(text[i+1:j]))
		}
		i = j - 1
	}
	return out
}

func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}
