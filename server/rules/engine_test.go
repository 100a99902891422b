package rules

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func pattern(id, pat, action string) Rule {
	return Rule{ID: id, Name: id, Kind: KindPattern, Pattern: pat, Action: action, Enabled: true}
}

func detect(id, det, action string) Rule {
	return Rule{ID: id, Name: id, Kind: KindDetector, Detector: det, Action: action, Enabled: true}
}

func mustCompile(t *testing.T, list ...Rule) *Engine {
	t.Helper()
	e, err := Compile(list)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return e
}

func TestValidate(t *testing.T) {
	ok := pattern("p", "secret", ActionFlag)
	cases := []struct {
		name string
		edit func(r *Rule)
		want string // part of the error; "" for none
	}{
		{"fine", func(r *Rule) {}, ""},
		{"detector", func(r *Rule) { r.Kind, r.Pattern, r.Detector = KindDetector, "", DetectIBAN }, ""},
		{"empty id", func(r *Rule) { r.ID = "" }, "rule id"},
		{"id with space", func(r *Rule) { r.ID = "a b" }, "rule id"},
		{"long id", func(r *Rule) { r.ID = strings.Repeat("a", 41) }, "rule id"},
		{"no name", func(r *Rule) { r.Name = " " }, "name"},
		{"bad action", func(r *Rule) { r.Action = "delete" }, `unknown action "delete"`},
		{"bad kind", func(r *Rule) { r.Kind = "magic" }, `unknown kind "magic"`},
		{"bad regexp", func(r *Rule) { r.Pattern = "a(b" }, "bad pattern: missing closing )"},
		{"perl lookahead", func(r *Rule) { r.Pattern = "a(?=b)" }, "bad pattern"},
		{"empty pattern", func(r *Rule) { r.Pattern = "" }, "pattern is empty"},
		{"long pattern", func(r *Rule) { r.Pattern = strings.Repeat("a", 501) }, "at most 500"},
		{"complex pattern", func(r *Rule) { r.Pattern = "[a-z]{1,1000}[0-9]{1,1000}[A-Z]{1,1000}" }, "too complex"},
		{"nested repeat", func(r *Rule) { r.Pattern = "((a{1,100}){1,100})" }, "invalid repeat count"},
		{"empty match", func(r *Rule) { r.Pattern = "a*" }, "matches empty text"},
		{"unknown detector", func(r *Rule) { r.Kind, r.Pattern, r.Detector = KindDetector, "", "dna" }, `unknown detector "dna"`},
		{"detector with pattern", func(r *Rule) { r.Kind, r.Detector = KindDetector, DetectCard }, "takes no pattern"},
		{"pattern with detector", func(r *Rule) { r.Detector = DetectCard }, "takes no detector"},
	}
	for _, c := range cases {
		r := ok
		c.edit(&r)
		err := r.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Fatalf("%s: Validate() = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestValidateAll(t *testing.T) {
	if err := ValidateAll(Defaults()); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	dup := []Rule{pattern("a", "x", ActionFlag), pattern("a", "y", ActionFlag)}
	if err := ValidateAll(dup); err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Fatalf("duplicate ids: %v", err)
	}
	bad := pattern("b", "(", ActionFlag)
	bad.Enabled = false
	if _, err := Compile([]Rule{bad}); err == nil {
		t.Fatal("a disabled rule with a bad pattern compiled")
	}
	many := make([]Rule, MaxRules+1)
	for i := range many {
		many[i] = pattern(strings.Repeat("x", i%40+1)+string(rune('a'+i/40)), "x", ActionFlag)
	}
	if err := ValidateAll(many); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("too many rules: %v", err)
	}
}

func TestCheckNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		e    *Engine
	}{
		{"nil engine", nil},
		{"no rules", mustCompile(t)},
		{"a rule that does not match", mustCompile(t, pattern("p", "zebra", ActionBlock))},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.e.Check("hello world")
			if r.Action != ActionAllow || r.Masked != "hello world" || len(r.Hits) != 0 {
				t.Fatalf("Check = %+v", r)
			}
		})
	}
}

func TestStrongestActionWins(t *testing.T) {
	e := mustCompile(t,
		pattern("f", "alpha", ActionFlag),
		pattern("m", "beta", ActionMask),
		pattern("b", "gamma", ActionBlock),
	)
	cases := []struct{ text, want string }{
		{"alpha", ActionFlag},
		{"beta alpha", ActionMask},
		{"alpha beta gamma", ActionBlock},
		{"gamma", ActionBlock},
		{"delta", ActionAllow},
	}
	for _, c := range cases {
		if got := e.Check(c.text).Action; got != c.want {
			t.Fatalf("Check(%q).Action = %s, want %s", c.text, got, c.want)
		}
	}
}

func TestMasking(t *testing.T) {
	e := mustCompile(t,
		detect("cards", DetectCard, ActionMask),
		pattern("pw", `passwort:\s*\S+`, ActionMask),
		pattern("flagme", "café", ActionFlag),
	)
	cases := []struct{ text, want string }{
		{"Karte 4111 1111 1111 1111 bitte", "Karte ••••••••••••••••••• bitte"},
		{"Passwort: grüße!", "••••••••••••••••"},
		{"café 4111111111111111 café", "café •••••••••••••••• café"}, // flag does not mask
		{"nichts", "nichts"},
		{"ünï 5555555555554444\n😀", "ünï ••••••••••••••••\n😀"},
	}
	for _, c := range cases {
		r := e.Check(c.text)
		if r.Masked != c.want {
			t.Fatalf("Check(%q).Masked = %q, want %q", c.text, r.Masked, c.want)
		}
		if utf8.RuneCountInString(r.Masked) != utf8.RuneCountInString(c.text) {
			t.Fatalf("Check(%q) changed the length", c.text)
		}
	}
	if r := e.Check("café 4111111111111111"); r.Action != ActionMask || len(r.Hits) != 2 {
		t.Fatalf("hits = %+v", r)
	}
}

func TestOverlappingMatches(t *testing.T) {
	e := mustCompile(t,
		pattern("ab", "abc", ActionMask),
		pattern("cd", "cde", ActionMask),
		pattern("whole", "xabcdex", ActionFlag),
	)
	r := e.Check("xabcdex abc")
	if r.Masked != "x•••••x •••" {
		t.Fatalf("Masked = %q", r.Masked)
	}
	if r.Action != ActionMask {
		t.Fatalf("Action = %s", r.Action)
	}
	var got []string
	for _, h := range r.Hits {
		got = append(got, h.RuleID+":"+"xabcdex abc"[h.Start:h.End])
	}
	want := "whole:xabcdex ab:abc cd:cde ab:abc"
	if strings.Join(got, " ") != want {
		t.Fatalf("hits = %v, want %s", got, want)
	}
	if ids := r.RuleIDs(); strings.Join(ids, ",") != "whole,ab,cd" {
		t.Fatalf("RuleIDs = %v", ids)
	}
}

func TestAllowExempts(t *testing.T) {
	own := "DE89 3704 0044 0532 0130 00"
	e := mustCompile(t,
		detect("ibans", DetectIBAN, ActionFlag),
		pattern("ours", `DE89 ?3704 ?0044 ?0532 ?0130 ?00`, ActionAllow),
		pattern("word", "3704", ActionBlock),
	)
	// The IBAN and "3704" lie inside the allowed match.
	if r := e.Check("pay to " + own); r.Action != ActionAllow || len(r.Hits) != 0 {
		t.Fatalf("own account: %+v", r)
	}
	// Another IBAN is still flagged; "3704" outside the allowed part blocks.
	if r := e.Check("pay to GB82 WEST 1234 5698 7654 32"); r.Action != ActionFlag || len(r.Hits) != 1 || r.Hits[0].RuleID != "ibans" {
		t.Fatalf("other account: %+v", r)
	}
	if r := e.Check(own + " code 3704"); r.Action != ActionBlock || len(r.Hits) != 1 {
		t.Fatalf("outside the exception: %+v", r)
	}
	// A match only partly inside an allowed match still counts.
	e = mustCompile(t, pattern("ok", "ab", ActionAllow), pattern("bad", "abc", ActionBlock))
	if r := e.Check("abc"); r.Action != ActionBlock {
		t.Fatalf("partial overlap: %+v", r)
	}
	// Two touching allowed matches together cover a hit.
	e = mustCompile(t, pattern("ok1", "ab", ActionAllow), pattern("ok2", "cd", ActionAllow), pattern("bad", "bc", ActionBlock))
	if r := e.Check("abcd"); r.Action != ActionAllow {
		t.Fatalf("touching: %+v", r)
	}
}

func TestDisabledRulesDoNothing(t *testing.T) {
	r := pattern("p", "x", ActionBlock)
	r.Enabled = false
	e := mustCompile(t, r)
	if e.Len() != 0 || e.Check("x").Action != ActionAllow {
		t.Fatal("a disabled rule matched")
	}
}

func TestCaseFolding(t *testing.T) {
	ci := pattern("ci", "geheim", ActionFlag)
	cs := pattern("cs", "ABC", ActionFlag)
	cs.MatchCase = true
	e := mustCompile(t, ci, cs)
	for _, c := range []struct {
		text string
		n    int
	}{{"GeHeIm", 1}, {"abc", 0}, {"ABC", 1}} {
		if n := len(e.Check(c.text).Hits); n != c.n {
			t.Fatalf("Check(%q): %d hits, want %d", c.text, n, c.n)
		}
	}
}

func TestZeroWidthMatchesIgnored(t *testing.T) {
	e := mustCompile(t, pattern("b", `\bx?`, ActionMask))
	if r := e.Check("hello"); r.Action != ActionAllow || r.Masked != "hello" {
		t.Fatalf("%+v", r)
	}
}

func TestHitsBounded(t *testing.T) {
	e := mustCompile(t, pattern("x", "x", ActionMask))
	r := e.Check(strings.Repeat("x", 500))
	if len(r.Hits) != maxHits || r.Masked != strings.Repeat("•", 500) {
		t.Fatalf("%d hits", len(r.Hits))
	}
}

func TestDefaults(t *testing.T) {
	e := mustCompile(t, Defaults()...)
	cases := []struct{ text, action string }{
		{"card 4111 1111 1111 1111", ActionMask},
		{"AKIAIOSFODNN7EXAMPLE", ActionBlock},
		{"DE89 3704 0044 0532 0130 00", ActionAllow}, // disabled by default
		{"ana@example.com", ActionAllow},
		{"hello", ActionAllow},
	}
	for _, c := range cases {
		if got := e.Check(c.text).Action; got != c.action {
			t.Fatalf("Check(%q) = %s, want %s", c.text, got, c.action)
		}
	}
}

func TestExcerpt(t *testing.T) {
	text := strings.Repeat("a", 100) + " 4111111111111111 " + strings.Repeat("b", 100)
	e := mustCompile(t, detect("c", DetectCard, ActionFlag))
	r := e.Check(text)
	ex := Excerpt(text, r.Hits, 40)
	if strings.Contains(ex, "4111") || !strings.Contains(ex, "••••") || !strings.HasPrefix(ex, "…") || !strings.HasSuffix(ex, "…") {
		t.Fatalf("Excerpt = %q", ex)
	}
	if utf8.RuneCountInString(ex) != 42 {
		t.Fatalf("Excerpt has %d characters", utf8.RuneCountInString(ex))
	}
	if ex := Excerpt("short 4111111111111111", r.Hits[:0], 40); ex != "short 4111111111111111" {
		t.Fatalf("no hits: %q", ex)
	}
	if ex := Excerpt("x", []Hit{{Start: 0, End: 9}}, 10); ex != "x" {
		t.Fatalf("bad span: %q", ex)
	}
}

func TestConcurrentCheck(t *testing.T) {
	e := mustCompile(t, Defaults()...)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if e.Check("4111 1111 1111 1111").Action != ActionMask {
					t.Error("wrong action")
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkCheck(b *testing.B) {
	list := Defaults()
	for i := range list {
		list[i].Enabled = true
	}
	list = append(list, pattern("word", `\bconfidential\b`, ActionFlag))
	e, err := Compile(list)
	if err != nil {
		b.Fatal(err)
	}
	inputs := map[string]string{
		"chat-8k":  strings.Repeat("Hi Ana, the invoice for order 2024-0117 is attached, call me on 030 12345678. ", 100),
		"digits":   strings.Repeat("0 1 2 3 4 5 6 7 8 9 ", 400),
		"letters":  strings.Repeat("a.", 4000) + "@",
		"ibanlike": strings.Repeat("DE89 ", 1600),
	}
	for name, text := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				e.Check(text)
			}
		})
	}
}
