package rules

import (
	"testing"
	"unicode/utf8"
)

// onBoundary reports whether byte offset i of s starts a character the way
// a range loop (and the regexp package) reads s: an invalid byte is one
// character of its own.
func onBoundary(s string, i int) bool {
	if i == 0 || i == len(s) {
		return true
	}
	for j := range s {
		if j == i {
			return true
		}
		if j > i {
			return false
		}
	}
	return false
}

func checkSpans(t *testing.T, what, text string, spans []Span, ordered bool) {
	t.Helper()
	last := 0
	for _, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
			t.Fatalf("%s(%q): span %v out of bounds or empty", what, text, s)
		}
		if !onBoundary(text, s.Start) || !onBoundary(text, s.End) {
			t.Fatalf("%s(%q): span %v splits a character", what, text, s)
		}
		if ordered && s.Start < last {
			t.Fatalf("%s(%q): spans overlap or are out of order: %v", what, text, spans)
		}
		last = s.End
	}
}

// fuzzEngine has every detector and a few patterns, with every action.
var fuzzEngine = func() *Engine {
	list := []Rule{
		pattern("allow-own", `DE89 ?3704`, ActionAllow),
		pattern("word", `geheim|confidential`, ActionFlag),
		pattern("pw", `pass(?:word|wort)\s*[:=]\s*\S+`, ActionMask),
		pattern("uni", `[äöü]+|😀`, ActionMask),
		pattern("dot", `.x.`, ActionMask),
	}
	for i, d := range detectorNames() {
		list = append(list, detect("d-"+d, d, Actions()[1+i%3]))
	}
	e, err := Compile(list)
	if err != nil {
		panic(err)
	}
	return e
}()

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "password: x", "\xff\xfe4111111111111111\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := fuzzEngine.Check(text)
		if strength(r.Action) == 0 {
			t.Fatalf("Check(%q): action %q", text, r.Action)
		}
		if utf8.RuneCountInString(r.Masked) != utf8.RuneCountInString(text) {
			t.Fatalf("Check(%q): masked %q has %d characters, the text %d", text, r.Masked, utf8.RuneCountInString(r.Masked), utf8.RuneCountInString(text))
		}
		strongest := ActionAllow
		spans := make([]Span, 0, len(r.Hits))
		masked := false
		for _, h := range r.Hits {
			if Stronger(h.Action, strongest) {
				strongest = h.Action
			}
			if h.Action == ActionAllow {
				t.Fatalf("Check(%q): allow hit %+v", text, h)
			}
			masked = masked || h.Action == ActionMask
			spans = append(spans, Span{h.Start, h.End})
		}
		checkSpans(t, "Check", text, spans, false)
		if strongest != r.Action {
			t.Fatalf("Check(%q): action %s, strongest hit %s", text, r.Action, strongest)
		}
		if !masked && r.Masked != text {
			t.Fatalf("Check(%q): masked %q without a mask hit", text, r.Masked)
		}
		// Character by character, the masked text keeps the text or has a
		// mask; every character of a mask hit is masked.
		covered := map[int]bool{}
		for _, h := range r.Hits {
			if h.Action == ActionMask {
				for i := h.Start; i < h.End; i++ {
					covered[i] = true
				}
			}
		}
		for i, j := 0, 0; i < len(text); {
			_, n := utf8.DecodeRuneInString(text[i:])
			mr, m := utf8.DecodeRuneInString(r.Masked[j:])
			if text[i:i+n] != r.Masked[j:j+m] && mr != MaskRune || covered[i] && mr != MaskRune {
				t.Fatalf("Check(%q): masked %q differs at byte %d", text, r.Masked, i)
			}
			i, j = i+n, j+m
		}
		ex := Excerpt(text, r.Hits, 50)
		if utf8.RuneCountInString(ex) > 52 {
			t.Fatalf("Excerpt too long: %q", ex)
		}
	})
}

func fuzzDetector(f *testing.F, name string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		spans, _ := Detect(name, text)
		checkSpans(t, name, text, spans, true)
	})
}

func FuzzCard(f *testing.F) {
	fuzzDetector(f, DetectCard, "4111 1111 1111 1111 12/27", "378282246310005", "1 2 3 4 5 6 7 8 9 0 1 2 3 4")
}

func FuzzIBAN(f *testing.F) {
	fuzzDetector(f, DetectIBAN, "GB82 WEST 1234 5698 7654 32", "de89370400440532013000", "LC55HEMM000100010012001200023015")
}

func FuzzPhone(f *testing.F) {
	fuzzDetector(f, DetectPhone, "+1 (555) 010-9999", "(0171) 123-4567", "01.02.2024 10:00")
}

func FuzzEmailSecret(f *testing.F) {
	f.Add("ana@example.com -----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY----- AKIAIOSFODNN7EXAMPLE")
	f.Fuzz(func(t *testing.T, text string) {
		for _, name := range []string{DetectEmail, DetectSecret} {
			spans, _ := Detect(name, text)
			checkSpans(t, name, text, spans, true)
		}
	})
}
