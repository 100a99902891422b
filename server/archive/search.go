package archive

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// index is an in-memory inverted index of every stored text, so a keyword
// search never scans the archive. Documents are numbered in commit order,
// so newest first is simply descending document number. It costs about 16
// bytes per record plus 4 per distinct word in it.
type index struct {
	mu       sync.RWMutex
	docs     []doc
	postings map[string]*[]uint32
	channels []string // channel number -> id
	chanNum  map[string]uint32
	users    []string
	userNum  map[string]uint32
	refs     map[string][]uint64 // curKey(channel, seq) -> seqs of its edits and deletes
	// superseded marks documents whose text is no longer current (an
	// edited original, an older edit) or whose message was deleted.
	superseded map[uint32]bool
	// seqDocs finds a channel's documents by seq (4 bytes a record), so an
	// edit can mark what it replaces; lastEdit holds edited messages only.
	seqDocs  [][]uint32 // channel number -> document of seq firstSeq+i
	firstSeq []uint64
	lastEdit map[string]uint32 // curKey(channel, seq) -> its newest edit or delete
	// masked holds the members' text of documents a content rule masked:
	// members' searches must not match what the mask hides.
	masked map[uint32]string
	// wordBuf is where add makes each word (under mu), so indexing a text
	// allocates nothing for its words.
	wordBuf []byte
	// vocab is every indexed word in order, for prefix matching. Words new
	// since it was made wait in fresh, merged in at the next search, not
	// on every send.
	vocab []string
	fresh []string
	built bool
}

// The search rules (docs/search.md is their one description; the client's
// highlighting follows it): a word is a run of letters and digits,
// lower-cased; every query word must match; a query word of at least
// prefixMin characters also matches the words it starts (print: printer),
// at most prefixWords of them.
const (
	prefixMin   = 3
	prefixWords = 500
)

// Synthetic words: what a message has, found with has:link and has:file.
// A NUL cannot be part of a word, so no text makes them.
const (
	hasLink = "\x00link"
	hasFile = "\x00file"
)

type doc struct {
	channel uint32
	seq     uint32
	from    uint32
	ts      uint32 // seconds since tsBase
	ref     uint32 // for edits and deletes: the message's seq
}

var tsBase = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

func newIndex() *index {
	ix := &index{}
	ix.reset()
	return ix
}

// reset empties the index.
func (ix *index) reset() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.docs, ix.channels, ix.users = nil, nil, nil
	ix.postings, ix.chanNum, ix.userNum = map[string]*[]uint32{}, map[string]uint32{}, map[string]uint32{}
	ix.refs, ix.superseded, ix.lastEdit = map[string][]uint64{}, map[uint32]bool{}, map[string]uint32{}
	ix.seqDocs, ix.firstSeq = nil, nil
	ix.masked = map[uint32]string{}
}

// maxTokens bounds the words indexed per record.
const maxTokens = 512

// eachWord calls fn with each lowercase word of letters and digits in
// text (at most 40 bytes of it), in order, repeats included. The words are
// made in buf, which it returns for the next call: fn must copy what it
// keeps.
func eachWord(text string, buf []byte, fn func(w []byte)) []byte {
	buf = buf[:0]
	emit := func() {
		if len(buf) > 40 {
			buf = buf[:40]
		}
		fn(buf)
		buf = buf[:0]
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				buf = append(buf, c+'a'-'A')
			default:
				if len(buf) > 0 {
					emit()
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		} else if len(buf) > 0 {
			emit()
		}
		i += size
	}
	if len(buf) > 0 {
		emit()
	}
	return buf
}

// tokens lists the distinct words of text (at most maxTokens), for queries.
func tokens(text string) []string {
	var out []string
	eachWord(text, nil, func(w []byte) {
		if len(out) < maxTokens && !slices.Contains(out, string(w)) {
			out = append(out, string(w))
		}
	})
	return out
}

func (ix *index) num(m map[string]uint32, list *[]string, v string) uint32 {
	n, ok := m[v]
	if !ok {
		n = uint32(len(*list))
		*list = append(*list, v)
		m[v] = n
	}
	return n
}

// add indexes one stored record.
func (ix *index) add(m Message) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	d := doc{
		channel: ix.num(ix.chanNum, &ix.channels, m.Channel),
		seq:     uint32(m.Seq),
		from:    ix.num(ix.userNum, &ix.users, m.From),
		ts:      uint32(max(0, m.TS/1000-tsBase)),
		ref:     uint32(m.Ref),
	}
	if _, ok := ix.docOf(d.channel, m.Seq); ok {
		return // a rebuild that ran after the commit has it already
	}
	id := uint32(len(ix.docs))
	ix.docs = append(ix.docs, d)
	ix.noteSeq(d.channel, m.Seq, id)
	switch m.Kind {
	case KindReact, KindUnreact, KindPin, KindUnpin:
		// A record about a message, with no words of its own: found by
		// seq, never by a member's search.
		ix.superseded[id] = true
		return
	}
	if m.Kind != KindMessage {
		k := curKey(m.Channel, m.Ref)
		ix.refs[k] = append(ix.refs[k], m.Seq)
		prev, ok := ix.lastEdit[k]
		if !ok {
			prev, ok = ix.docOf(d.channel, m.Ref)
		}
		if ok {
			ix.superseded[prev] = true
		}
		ix.lastEdit[k] = id
		if m.Kind == KindDelete {
			ix.superseded[id] = true
			return
		}
	}
	if m.M != "" {
		ix.masked[id] = m.M
	}
	// Documents come in increasing order, so a word already noted for this
	// one ends its list: no set of seen words is needed, and a known word
	// costs a map lookup without allocation.
	words := 0
	note := func(w []byte) {
		if words >= maxTokens {
			return
		}
		if list := ix.postings[string(w)]; list != nil {
			if l := *list; l[len(l)-1] != id {
				*list = append(l, id)
				words++
			}
			return
		}
		ix.postings[string(w)] = &[]uint32{id}
		if ix.built && w[0] != 0 {
			ix.fresh = append(ix.fresh, string(w))
		}
		words++
	}
	ix.wordBuf = eachWord(m.Text, ix.wordBuf, note)
	for i := range m.Files { // files are found by name
		ix.wordBuf = eachWord(m.Files[i].Name, ix.wordBuf, note)
	}
	if strings.Contains(m.Text, "http://") || strings.Contains(m.Text, "https://") {
		note([]byte(hasLink))
	}
	if len(m.Files) > 0 {
		note([]byte(hasFile))
	}
	if cap(ix.wordBuf) > 1024 {
		ix.wordBuf = nil // one very long word: do not keep its room
	}
}

// noteSeq records that seq of channel number ch is document id.
func (ix *index) noteSeq(ch uint32, seq uint64, id uint32) {
	for uint32(len(ix.seqDocs)) <= ch {
		ix.seqDocs = append(ix.seqDocs, nil)
		ix.firstSeq = append(ix.firstSeq, 0)
	}
	if len(ix.seqDocs[ch]) == 0 {
		ix.firstSeq[ch] = seq
	}
	if seq < ix.firstSeq[ch] {
		return // older than the first one seen: a record out of order after a purge
	}
	i := seq - ix.firstSeq[ch]
	for uint64(len(ix.seqDocs[ch])) <= i {
		ix.seqDocs[ch] = append(ix.seqDocs[ch], ^uint32(0))
	}
	ix.seqDocs[ch][i] = id
}

// docOf finds the document of seq in channel number ch.
func (ix *index) docOf(ch uint32, seq uint64) (uint32, bool) {
	if int(ch) >= len(ix.seqDocs) || seq < ix.firstSeq[ch] || seq-ix.firstSeq[ch] >= uint64(len(ix.seqDocs[ch])) {
		return 0, false
	}
	id := ix.seqDocs[ch][seq-ix.firstSeq[ch]]
	return id, id != ^uint32(0)
}

func (ix *index) versionsOf(channel string, seq uint64) []uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return slices.Clone(ix.refs[curKey(channel, seq)])
}

// Query says what to look for. Empty fields match everything.
type Query struct {
	Words    string
	From     string    // a person
	Channels []string  // only these channels (nil: all)
	Since    time.Time // inclusive
	Until    time.Time // exclusive
	// AllVersions finds words in any version, also edited and deleted ones
	// (the auditor's view); otherwise only current texts match.
	AllVersions bool
	Before      uint64 // page cursor: documents older than this (0: newest)
	Limit       int
	HasLink     bool // has:link
	HasFile     bool // has:file
	Pinned      bool // is:pinned

	all  bool            // no page limit (exports)
	only map[uint32]bool // documents allowed (is:pinned), when not nil
}

// Hit is one search result.
type Hit struct {
	Channel string
	Seq     uint64 // the record that matched
	Ref     uint64 // for an edit or delete: the message it is about
	Cursor  uint64 // pass as Query.Before for the next page
}

// matching is the documents with word w, or (w long enough) with a word
// it starts, in document order. ix.mu is held for reading; the vocabulary
// is current (sortVocab).
func (ix *index) matching(w string) []uint32 {
	exact := ix.postings[w]
	if utf8.RuneCountInString(w) < prefixMin || w[0] == 0 {
		if exact == nil {
			return nil
		}
		return *exact
	}
	i, _ := slices.BinarySearch(ix.vocab, w)
	var lists [][]uint32
	for ; i < len(ix.vocab) && strings.HasPrefix(ix.vocab[i], w) && len(lists) < prefixWords; i++ {
		lists = append(lists, *ix.postings[ix.vocab[i]])
	}
	switch len(lists) {
	case 0:
		return nil
	case 1:
		return lists[0]
	}
	var n int
	for _, l := range lists {
		n += len(l)
	}
	union := make([]uint32, 0, n)
	for _, l := range lists {
		union = append(union, l...)
	}
	slices.Sort(union)
	return slices.Compact(union)
}

// sortVocab brings the sorted vocabulary up to date: made whole on the
// first search, then the words that came since merged in.
func (ix *index) sortVocab() {
	ix.mu.RLock()
	current := ix.built && len(ix.fresh) == 0
	ix.mu.RUnlock()
	if current {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !ix.built {
		ix.vocab = make([]string, 0, len(ix.postings))
		for w := range ix.postings {
			if w[0] != 0 {
				ix.vocab = append(ix.vocab, w)
			}
		}
		slices.Sort(ix.vocab)
		ix.built, ix.fresh = true, nil
		return
	}
	if len(ix.fresh) == 0 {
		return
	}
	slices.Sort(ix.fresh)
	merged := make([]string, 0, len(ix.vocab)+len(ix.fresh))
	i, j := 0, 0
	for i < len(ix.vocab) && j < len(ix.fresh) {
		if ix.vocab[i] < ix.fresh[j] {
			merged = append(merged, ix.vocab[i])
			i++
		} else {
			merged = append(merged, ix.fresh[j])
			j++
		}
	}
	merged = append(append(merged, ix.vocab[i:]...), ix.fresh[j:]...)
	ix.vocab, ix.fresh = merged, nil
}

// search returns hits newest first, and whether more follow.
func (ix *index) search(q Query) ([]Hit, bool) {
	ix.sortVocab()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var chans map[uint32]bool
	if q.Channels != nil {
		chans = map[uint32]bool{}
		for _, c := range q.Channels {
			if n, ok := ix.chanNum[c]; ok {
				chans[n] = true
			}
		}
		if len(chans) == 0 {
			return nil, false
		}
	}
	from, fromOK := uint32(0), true
	if q.From != "" {
		from, fromOK = ix.userNum[q.From]
		if !fromOK {
			return nil, false
		}
	}
	var sinceTS, untilTS uint32 = 0, ^uint32(0)
	if !q.Since.IsZero() {
		sinceTS = uint32(max(0, q.Since.Unix()-tsBase))
	}
	if !q.Until.IsZero() {
		untilTS = uint32(max(0, q.Until.Unix()-tsBase))
	}
	keep := func(id uint32) bool {
		d := ix.docs[id]
		if q.only != nil && !q.only[id] {
			return false
		}
		if chans != nil && !chans[d.channel] {
			return false
		}
		if q.From != "" && d.from != from {
			return false
		}
		if d.ts < sinceTS || d.ts >= untilTS {
			return false
		}
		if q.AllVersions {
			return true
		}
		if ix.superseded[id] {
			return false
		}
		if text, ok := ix.masked[id]; ok && !containsAll(text, q.Words) {
			return false
		}
		return true
	}
	start := uint32(len(ix.docs))
	if q.Before > 0 && q.Before < uint64(start) {
		start = uint32(q.Before)
	}
	limit := q.Limit
	if limit <= 0 || (limit > 100 && !q.all) {
		limit = 20
	}
	var out []Hit
	emit := func(id uint32) bool {
		d := ix.docs[id]
		out = append(out, Hit{Channel: ix.channels[d.channel], Seq: uint64(d.seq), Ref: uint64(d.ref), Cursor: uint64(id)})
		return len(out) > limit
	}
	words := tokens(q.Words)
	if q.HasLink {
		words = append(words, hasLink)
	}
	if q.HasFile {
		words = append(words, hasFile)
	}
	if len(words) == 0 {
		for id := int64(start) - 1; id >= 0; id-- {
			if keep(uint32(id)) && emit(uint32(id)) {
				break
			}
		}
	} else {
		lists := make([][]uint32, len(words))
		for i, w := range words {
			if lists[i] = ix.matching(w); len(lists[i]) == 0 {
				return nil, false
			}
		}
		// Walk the shortest list from the end; look the others up by
		// binary search.
		slices.SortFunc(lists, func(a, b []uint32) int { return len(a) - len(b) })
		first := lists[0]
		i, _ := slices.BinarySearch(first, start)
		for i--; i >= 0; i-- {
			id := first[i]
			all := true
			for _, l := range lists[1:] {
				if _, ok := slices.BinarySearch(l, id); !ok {
					all = false
					break
				}
			}
			if all && keep(id) && emit(id) {
				break
			}
		}
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more
}

// Search runs a query over the archive's index.
func (s *Store) Search(q Query) (hits []Hit, more bool) {
	if q.Pinned {
		q.only = s.pinnedDocs(q.Channels)
	}
	return s.index.search(q)
}

// pinnedDocs are the documents of the pinned messages of channels (nil:
// every channel).
func (s *Store) pinnedDocs(channels []string) map[uint32]bool {
	s.mu.RLock()
	pins := map[string][]uint64{}
	for ch, seqs := range s.talk.pins {
		if channels == nil || slices.Contains(channels, ch) {
			pins[ch] = slices.Clone(seqs)
		}
	}
	s.mu.RUnlock()
	ix := s.index
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	only := map[uint32]bool{}
	for ch, seqs := range pins {
		n, ok := ix.chanNum[ch]
		if !ok {
			continue
		}
		for _, seq := range seqs {
			if id, ok := ix.docOf(n, seq); ok {
				only[id] = true
			}
		}
	}
	return only
}

// Message returns one stored record as members see it.
func (s *Store) Message(channel string, seq uint64) (Message, error) {
	m, err := s.RawMessage(channel, seq)
	if err != nil {
		return m, err
	}
	return s.withCurrent([]Message{m})[0], nil
}

// RawMessage returns one stored record exactly as stored.
func (s *Store) RawMessage(channel string, seq uint64) (Message, error) {
	msgs, err := s.rawAfter(channel, seq-1, 1)
	if err != nil {
		return Message{}, err
	}
	if len(msgs) == 0 || msgs[0].Seq != seq {
		return Message{}, ErrNotFound
	}
	return msgs[0], nil
}

// containsAll reports whether every word of query matches a word of text
// by the index's rules (a long enough word also matches as a prefix).
func containsAll(text, query string) bool {
	have := tokens(text)
	for _, w := range tokens(query) {
		if !slices.ContainsFunc(have, func(t string) bool {
			return t == w || utf8.RuneCountInString(w) >= prefixMin && strings.HasPrefix(t, w)
		}) {
			return false
		}
	}
	return true
}

// eachSince calls fn for every document from Unix second since on, newest
// first, under the index's read lock (keep fn short).
func (ix *index) eachSince(since int64, fn func(doc)) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	from := uint32(max(0, since-tsBase))
	for i := len(ix.docs) - 1; i >= 0; i-- {
		if ix.docs[i].ts < from {
			return // documents are in commit order, so older ones follow
		}
		fn(ix.docs[i])
	}
}
