package jsonstr

import (
	"encoding/json"
	"testing"
)

func TestAppendMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "a \"quote\" and \\", "tab\tline\nret\r\b\f\x00\x1f",
		"<b>&amp;</b>", "line\u2028para\u2029", "bad \xff\xfe utf8", "ünïcödé ✓ 🎉", "\x7f"} {
		want, _ := json.Marshal(s)
		if got := Append(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

// FuzzAppend: every string is written exactly as encoding/json writes it.
func FuzzAppend(f *testing.F) {
	f.Add("hello \"world\"\n<&>\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := Append([]byte("x"), s); string(got[1:]) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got[1:], want)
		}
	})
}
