// Package rules decides what happens to a message's text before it is
// archived: the office's content rules (regular-expression patterns and
// built-in detectors such as payment card numbers) and their actions.
//
// The package is pure: no I/O, no clock, no storage. The archive stores the
// rule list and the flag queue; the chat engine calls Engine.Check on every
// message.
//
// # Actions
//
// Each rule has one action; when several rules match, the strongest wins:
// block > mask > flag > allow.
//
//   - flag: the message is delivered and archived unchanged, and queued for
//     review.
//   - mask: members receive the text with every match of a mask rule replaced
//     by "•" (one per character); the archive keeps the original.
//   - block: the message is refused; nothing is archived or delivered.
//   - allow: an exception. A match of any other rule that lies entirely
//     inside a match of an enabled allow rule is ignored. Allow rules never
//     produce hits of their own. Example: a pattern rule for the office's own
//     bank account with action allow stops the IBAN detector from flagging
//     it.
//
// Offsets (Hit.Start, Hit.End) are byte offsets into the checked text, always
// on character boundaries.
package rules

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"inhouse/server/filekind"
)

// Kinds of rule.
const (
	KindPattern  = "pattern"  // Rule.Pattern, a Go (RE2) regular expression
	KindDetector = "detector" // Rule.Detector, one of the built-in detectors
	KindFile     = "file"     // every shared file of the kinds in Rule.Files
)

// FileKinds are the kinds of shared file a rule may name (filekind's
// categories).
var FileKinds = []string{
	filekind.CategoryImage, filekind.CategoryPDF, filekind.CategoryText, filekind.CategoryOffice,
	filekind.CategoryArchive, filekind.CategoryMedia, filekind.CategoryMarkup, filekind.CategoryProgram,
	filekind.CategoryScript, filekind.CategoryOther,
}

// Actions, weakest first.
const (
	ActionAllow = "allow"
	ActionFlag  = "flag"
	ActionMask  = "mask"
	ActionBlock = "block"
)

// Limits on a rule list.
const (
	MaxPatternLen = 500  // bytes of Rule.Pattern
	MaxProgram    = 5000 // instructions of the compiled pattern
	MaxRules      = 200  // rules in one list
	maxIDLen      = 40
	maxNameLen    = 80
)

// Rule is one content rule as the office manager writes it.
type Rule struct {
	ID       string `json:"id"`   // short and unique: letters, digits, '-' and '_'
	Name     string `json:"name"` // shown to reviewers
	Kind     string `json:"kind"` // KindPattern or KindDetector
	Pattern  string `json:"pattern,omitempty"`
	Detector string `json:"detector,omitempty"` // see Detectors
	// MatchCase makes a pattern case-sensitive; by default patterns ignore
	// case. It has no effect on detectors.
	MatchCase bool   `json:"match_case,omitempty"`
	Action    string `json:"action"`
	Enabled   bool   `json:"enabled"`
	// Files limits the rule to shared files of these kinds (FileKinds): it
	// then looks at their names and text, never at messages. A KindFile
	// rule matches every such file.
	Files []string `json:"files,omitempty"`
}

// Equal reports whether two rules are the same in every field.
func (r Rule) Equal(o Rule) bool {
	return r.ID == o.ID && r.Name == o.Name && r.Kind == o.Kind && r.Pattern == o.Pattern && r.Detector == o.Detector &&
		r.MatchCase == o.MatchCase && r.Action == o.Action && r.Enabled == o.Enabled && slices.Equal(r.Files, o.Files)
}

// forFile reports whether the rule looks at a file of that kind ("" for
// a message's text).
func (r *Rule) forFile(kind string) bool {
	if len(r.Files) == 0 {
		return true
	}
	return kind != "" && slices.Contains(r.Files, kind)
}

// Actions lists the actions, weakest first.
func Actions() []string { return []string{ActionAllow, ActionFlag, ActionMask, ActionBlock} }

// strength orders actions; unknown actions are 0.
func strength(action string) int {
	switch action {
	case ActionAllow:
		return 1
	case ActionFlag:
		return 2
	case ActionMask:
		return 3
	case ActionBlock:
		return 4
	}
	return 0
}

// Stronger reports whether action a is stronger than b.
func Stronger(a, b string) bool { return strength(a) > strength(b) }

// Validate reports the first problem with r, in words meant for the office
// manager.
func (r Rule) Validate() error {
	_, err := r.compile()
	return err
}

// compile validates r and, for a pattern rule, compiles its pattern.
func (r Rule) compile() (*regexp.Regexp, error) {
	if r.ID == "" || len(r.ID) > maxIDLen || strings.TrimLeft(r.ID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return nil, fmt.Errorf("rule id %q: 1 to %d letters, digits, '-' or '_'", r.ID, maxIDLen)
	}
	errf := func(format string, a ...any) error {
		return fmt.Errorf("rule %s: "+format, append([]any{r.ID}, a...)...)
	}
	if strings.TrimSpace(r.Name) == "" || len(r.Name) > maxNameLen {
		return nil, errf("name: between 1 and %d characters", maxNameLen)
	}
	if strength(r.Action) == 0 {
		return nil, errf("unknown action %q (want one of %s)", r.Action, strings.Join(Actions(), ", "))
	}
	for _, k := range r.Files {
		if !slices.Contains(FileKinds, k) {
			return nil, errf("unknown kind of file %q (want some of %s)", k, strings.Join(FileKinds, ", "))
		}
	}
	switch r.Kind {
	case KindFile:
		if r.Pattern != "" || r.Detector != "" {
			return nil, errf("a rule for kinds of file takes no pattern and no detector")
		}
		if len(r.Files) == 0 {
			return nil, errf("choose the kinds of file it is for")
		}
		if r.Action == ActionMask {
			return nil, errf("a file cannot be masked: choose flag or block")
		}
		return nil, nil
	case KindDetector:
		if r.Pattern != "" {
			return nil, errf("a detector rule takes no pattern")
		}
		if _, ok := detectors[r.Detector]; !ok {
			return nil, errf("unknown detector %q (want one of %s)", r.Detector, strings.Join(detectorNames(), ", "))
		}
		return nil, nil
	case KindPattern:
		if r.Detector != "" {
			return nil, errf("a pattern rule takes no detector")
		}
		return compilePattern(r.ID, r.Pattern, r.MatchCase)
	}
	return nil, errf("unknown kind %q (want %q, %q or %q)", r.Kind, KindPattern, KindDetector, KindFile)
}

func compilePattern(id, pattern string, matchCase bool) (*regexp.Regexp, error) {
	if strings.TrimSpace(pattern) == "" {
		return nil, fmt.Errorf("rule %s: the pattern is empty", id)
	}
	if len(pattern) > MaxPatternLen {
		return nil, fmt.Errorf("rule %s: the pattern is %d bytes long; at most %d", id, len(pattern), MaxPatternLen)
	}
	flags := syntax.Perl
	if !matchCase {
		flags |= syntax.FoldCase
	}
	// Parse ourselves first: the same syntax regexp.Compile accepts, but we
	// also get at the program size. RE2 runs in linear time, yet a pattern
	// such as (a{1,1000}){1,1000} still compiles to a huge program.
	re, err := syntax.Parse(pattern, flags)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("rule %s: bad pattern: %s: %q", id, se.Code, se.Expr)
		}
		return nil, fmt.Errorf("rule %s: bad pattern: %v", id, err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, fmt.Errorf("rule %s: bad pattern: %v", id, err)
	}
	if len(prog.Inst) > MaxProgram {
		return nil, fmt.Errorf("rule %s: the pattern is too complex (%d steps; at most %d): use fewer or smaller repetitions", id, len(prog.Inst), MaxProgram)
	}
	src := pattern
	if !matchCase {
		src = "(?i)" + pattern
	}
	compiled, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("rule %s: bad pattern: %v", id, err)
	}
	if compiled.MatchString("") {
		return nil, fmt.Errorf("rule %s: the pattern matches empty text, so it would match every message", id)
	}
	return compiled, nil
}

// ValidateAll validates every rule (enabled or not) and checks that the
// IDs are unique and the list is not too long.
func ValidateAll(list []Rule) error {
	_, err := compileAll(list)
	return err
}
