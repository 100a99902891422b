package archive

import (
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	for in, want := range map[string][]string{
		"Hello, hello WORLD! 42x":     {"hello", "world", "42x"},
		"Grüße aus Köln — ÄÖÜ straße": {"grüße", "aus", "köln", "äöü", "straße"},
		"":                            nil,
		"...":                         nil,
		"東京 tōkyō":                    {"東京", "tōkyō"},
		"a-b_c":                       {"a", "b", "c"},
	} {
		if got := tokens(in); !reflect.DeepEqual(got, want) {
			t.Errorf("tokens(%q) = %q, want %q", in, got, want)
		}
	}
}
