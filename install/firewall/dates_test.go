package firewall

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// datedCatalog is a one-entry catalog with the given dates.
func datedCatalog(sourceDate, compared string) string {
	return fmt.Sprintf(`{"entries": [{
 "id": "dated", "name": "Dated", "category": "messenger",
 "domains": ["example.com"], "ranges": ["198.51.99.0/24"], "ports": {"tcp": ["1863"]},
 "note": "n", "sources": ["test"], "source_date": %q, "compared": %q
}]}`, sourceDate, compared)
}

// headOf returns the header comment of a rendered file (up to "Remove:"),
// failing if any of its lines is not a comment.
func headOf(t *testing.T, format, out string) string {
	t.Helper()
	c := formats[format].comment
	i := strings.Index(out, c+" Remove:")
	if i < 0 {
		t.Fatalf("%s: no header:\n%s", format, out)
	}
	head := out[:i]
	for _, l := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
		if !strings.HasPrefix(l, c) {
			t.Fatalf("%s: header line %q is not a comment", format, l)
		}
	}
	return head
}

// At 7 months after the catalog's newest source data every file says it is
// old, with the date; at 5 months none does. The clock is the renderer's
// argument, not the system's.
func TestStaleWarningAt7Months(t *testing.T) {
	cat := mustLoad(t)
	date, err := time.Parse(time.DateOnly, cat.Date())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats() {
		old := headOf(t, f, renderAt(t, f, cat, date.AddDate(0, 7, 0), "telegram", "doh"))
		flat := strings.Join(strings.Fields(strings.ReplaceAll(old, "\n"+formats[f].comment, " ")), " ")
		if !strings.Contains(flat, "WARNING: The catalog's newest source data is from "+cat.Date()+", more than 6 months ago") {
			t.Fatalf("%s: no age warning at 7 months:\n%s", f, old)
		}
		if fresh := headOf(t, f, renderAt(t, f, cat, date.AddDate(0, 5, 0), "telegram", "doh")); strings.Contains(fresh, "WARNING") {
			t.Fatalf("%s: age warning at 5 months:\n%s", f, fresh)
		}
	}
}

// The command warns on stderr (and in the file) when the catalog is old,
// says nothing when it is fresh, and refuses dates in the future (exit 2).
func TestMainDates(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC()
	day := func(d time.Time) string { return d.Format(time.DateOnly) }
	sevenMonths := day(now.AddDate(0, -7, 0))
	oldFile := writeFile(t, filepath.Join(dir, "old.json"), datedCatalog(sevenMonths, day(now.AddDate(0, 0, -3))))
	freshFile := writeFile(t, filepath.Join(dir, "fresh.json"), datedCatalog(day(now.AddDate(0, -1, 0)), day(now)))
	futureSource := writeFile(t, filepath.Join(dir, "future1.json"), datedCatalog(day(now.AddDate(0, 1, 0)), day(now.AddDate(0, 1, 0))))
	futureCompared := writeFile(t, filepath.Join(dir, "future2.json"), datedCatalog(day(now), day(now.AddDate(1, 0, 0))))

	for _, f := range Formats() {
		code, out, stderr := runMain("--format", f, "--catalog", oldFile)
		if code != 0 || !strings.Contains(stderr, "warning: The catalog's newest source data is from "+sevenMonths) || strings.Count(stderr, "\n") != 1 {
			t.Fatalf("%s, catalog 7 months old: exit %d, stderr %q", f, code, stderr)
		}
		if !strings.Contains(headOf(t, f, out), "WARNING:") {
			t.Fatalf("%s, catalog 7 months old: the header has no warning:\n%s", f, out)
		}
		code, out, stderr = runMain("--format", f, "--catalog", freshFile)
		if code != 0 || stderr != "" || strings.Contains(out, "WARNING") {
			t.Fatalf("%s, fresh catalog: exit %d, stderr %q", f, code, stderr)
		}
	}
	for _, tc := range []struct{ file, want string }{
		{futureSource, "source_date " + day(now.AddDate(0, 1, 0)) + " is in the future"},
		{futureCompared, "compared " + day(now.AddDate(1, 0, 0)) + " is in the future"},
	} {
		for _, args := range [][]string{{"--format", "nftables"}, {"--list"}} {
			code, out, stderr := runMain(append(args, "--catalog", tc.file)...)
			if code != 2 || out != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("%v %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, tc.file, code, out, stderr, tc.want)
			}
		}
	}
}
