package firewall

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every format, rendered from the embedded catalog with everything chosen,
// must match testdata/FORMAT.golden (go test -run Golden -update rewrites).
// The catalog's age is judged on the day it was compared, so the files do
// not change as the calendar moves on (dates_test.go covers the warning).
func TestGolden(t *testing.T) {
	cat := mustLoad(t)
	now := comparedDay(t, cat)
	for _, f := range Formats() {
		got := renderAt(t, f, cat, now, everything...)
		if again := renderAt(t, f, cat, now, "stun", "doh", "all"); again != got {
			t.Fatalf("%s: output depends on --block order", f)
		}
		path := filepath.Join("testdata", f+".golden")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, got)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run Golden -update)", err)
		}
		if got != string(want) {
			t.Fatalf("%s differs from %s (run go test -run Golden -update and review the diff)", f, path)
		}
	}
}

// Each output starts with a comment naming what it blocks, the catalog's
// two dates and how to apply and remove it.
func TestHeaders(t *testing.T) {
	cat := mustLoad(t)
	for _, f := range Formats() {
		out := renderAt(t, f, cat, comparedDay(t, cat), "telegram", "signal")
		c := formats[f].comment
		head := out[:strings.Index(out, c+" Remove:")]
		for _, want := range []string{c + " Inhouse messenger block rules", "Telegram, Signal", c + " Catalog source data from: " + cat.Date() + " ", c + " Catalog compared with its sources on: " + cat.Compared() + " ", c + " Apply"} {
			if !strings.Contains(head, want) {
				t.Fatalf("%s header lacks %q:\n%s", f, want, head)
			}
		}
		for _, l := range strings.Split(head, "\n") {
			if l != "" && !strings.HasPrefix(l, c) {
				t.Fatalf("%s: header line %q is not a comment", f, l)
			}
		}
	}
}
