package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaskRune replaces each character of a masked match.
const MaskRune = '•'

// maxHits bounds the hits one Check reports per rule, so a message full of
// matches costs bounded memory. The masking still covers every match.
const maxHits = 100

// Hit is one match of one rule in the checked text.
type Hit struct {
	RuleID string `json:"rule_id"`
	Name   string `json:"name"`
	Action string `json:"action"`
	Start  int    `json:"start"` // byte offset of the first byte
	End    int    `json:"end"`   // byte offset after the last byte
}

// Result is the verdict on one text.
type Result struct {
	// Action is the strongest action of all hits; ActionAllow when nothing
	// matched.
	Action string
	// Masked is the text with every match of a mask rule replaced by
	// MaskRune, one per character (so it has as many characters as the
	// text). It equals the text when no mask rule matched. It is computed
	// whatever the Action; callers ignore it for a blocked message.
	Masked string
	// Hits are the matches of flag, mask and block rules that no allow rule
	// exempted, ordered by Start, then End, then rule order. At most 100
	// per rule are listed.
	Hits []Hit
}

// RuleIDs lists the distinct rule IDs among the hits, in order of first hit.
func (r Result) RuleIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, h := range r.Hits {
		if !seen[h.RuleID] {
			seen[h.RuleID] = true
			ids = append(ids, h.RuleID)
		}
	}
	return ids
}

// compiled is one enabled rule ready to run.
type compiled struct {
	rule Rule
	re   *regexp.Regexp      // pattern rules
	find func(string) []Span // detector rules
}

// Engine checks texts against a fixed rule list. It is immutable and safe
// for concurrent use; build a new one when the rules change. A nil *Engine
// allows everything.
type Engine struct {
	rules []compiled // enabled rules, in list order
}

// Compile validates the whole list (disabled rules too) and builds an engine
// from its enabled rules.
func Compile(list []Rule) (*Engine, error) {
	all, err := compileAll(list)
	if err != nil {
		return nil, err
	}
	e := &Engine{}
	for _, c := range all {
		if c.rule.Enabled {
			e.rules = append(e.rules, c)
		}
	}
	return e, nil
}

func compileAll(list []Rule) ([]compiled, error) {
	if len(list) > MaxRules {
		return nil, fmt.Errorf("%d rules; at most %d", len(list), MaxRules)
	}
	seen := map[string]bool{}
	out := make([]compiled, 0, len(list))
	for _, r := range list {
		re, err := r.compile()
		if err != nil {
			return nil, err
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("rule id %q is used twice", r.ID)
		}
		seen[r.ID] = true
		c := compiled{rule: r, re: re}
		if r.Kind == KindDetector {
			c.find = detectors[r.Detector].find
		}
		out = append(out, c)
	}
	return out, nil
}

// Len is the number of enabled rules.
func (e *Engine) Len() int {
	if e == nil {
		return 0
	}
	return len(e.rules)
}

func (c compiled) spans(text string) []Span {
	if c.rule.Kind == KindFile {
		// The whole of the file's first line: its name (CheckFile).
		end := strings.IndexByte(text, '\n')
		if end < 0 {
			end = len(text)
		}
		return []Span{{0, end}}
	}
	if c.find != nil {
		return c.find(text)
	}
	idx := c.re.FindAllStringIndex(text, -1)
	out := make([]Span, 0, len(idx))
	for _, m := range idx {
		if m[1] > m[0] { // a zero-width match (say \b) hides nothing
			out = append(out, Span{m[0], m[1]})
		}
	}
	return out
}

// Check runs every enabled rule over a message's text (rules limited to
// kinds of file are left out).
func (e *Engine) Check(text string) Result { return e.check(text, "") }

// CheckFile runs the rules over a shared file of that kind (FileKinds):
// text is its name, a newline, and the text read from it. Rules limited to
// other kinds of file are left out; a KindFile rule for its kind matches
// its name.
func (e *Engine) CheckFile(kind, text string) Result { return e.check(text, kind) }

func (e *Engine) check(text, fileKind string) Result {
	res := Result{Action: ActionAllow, Masked: text}
	if e == nil || len(e.rules) == 0 {
		return res
	}
	type found struct {
		c     *compiled
		order int
		spans []Span
	}
	var allow []Span
	var others []found
	for i := range e.rules {
		c := &e.rules[i]
		if !c.rule.forFile(fileKind) {
			continue
		}
		spans := c.spans(text)
		if len(spans) == 0 {
			continue
		}
		if c.rule.Action == ActionAllow {
			allow = append(allow, spans...)
		} else {
			others = append(others, found{c, i, spans})
		}
	}
	allow = merge(allow)
	var masks []Span
	type ordered struct {
		Hit
		order int
	}
	var hits []ordered
	for _, f := range others {
		n := 0
		for _, sp := range f.spans {
			if covered(allow, sp) {
				continue
			}
			if Stronger(f.c.rule.Action, res.Action) {
				res.Action = f.c.rule.Action
			}
			if f.c.rule.Action == ActionMask {
				masks = append(masks, sp)
			}
			if n < maxHits {
				n++
				hits = append(hits, ordered{Hit{f.c.rule.ID, f.c.rule.Name, f.c.rule.Action, sp.Start, sp.End}, f.order})
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return a.order < b.order
	})
	for _, h := range hits {
		res.Hits = append(res.Hits, h.Hit)
	}
	res.Masked = mask(text, merge(masks))
	return res
}

// merge sorts spans and joins the overlapping and touching ones.
func merge(spans []Span) []Span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// covered reports whether sp lies inside one of the merged spans.
func covered(merged []Span, sp Span) bool {
	i := sort.Search(len(merged), func(i int) bool { return merged[i].End >= sp.End })
	return i < len(merged) && merged[i].Start <= sp.Start
}

// mask replaces every character inside the merged spans by MaskRune. A byte
// that is not valid UTF-8 counts as one character, as in a range loop.
func mask(text string, merged []Span) string {
	if len(merged) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 2*len(merged))
	at := 0
	for _, sp := range merged {
		b.WriteString(text[at:sp.Start])
		for range text[sp.Start:sp.End] {
			b.WriteRune(MaskRune)
		}
		at = sp.End
	}
	b.WriteString(text[at:])
	return b.String()
}

// Excerpt returns at most maxRunes characters of text around the first hit,
// with every hit (of any action) masked, for a reviewer's queue: the queue
// shows where a rule matched without keeping the matched secret itself.
// "…" marks cut ends.
func Excerpt(text string, hits []Hit, maxRunes int) string {
	spans := make([]Span, 0, len(hits))
	for _, h := range hits {
		if h.Start >= 0 && h.Start < h.End && h.End <= len(text) {
			spans = append(spans, Span{h.Start, h.End})
		}
	}
	masked := mask(text, merge(spans))
	if maxRunes <= 0 {
		return ""
	}
	n := utf8.RuneCountInString(masked)
	if n <= maxRunes {
		return masked
	}
	// The first hit's character position is the same in masked and text,
	// since masking keeps the character count.
	first := 0
	if len(spans) > 0 {
		first = utf8.RuneCountInString(text[:spans[0].Start])
	}
	from := max(0, min(first-maxRunes/4, n-maxRunes))
	runes := []rune(masked)
	out := string(runes[from : from+maxRunes])
	if from > 0 {
		out = "…" + out
	}
	if from+maxRunes < n {
		out += "…"
	}
	return out
}
