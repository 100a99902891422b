package firewall

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func runMain(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return code, o.String(), e.String()
}

func TestMainExitCodes(t *testing.T) {
	dir := t.TempDir()
	badRange := writeFile(t, filepath.Join(dir, "range.json"), testCatalog("ranges", `["1.2.3.4/33"]`))
	badDomain := writeFile(t, filepath.Join(dir, "domain.json"), testCatalog("domains", `["bad_domain.com"]`))
	badPort := writeFile(t, filepath.Join(dir, "port.json"), testCatalog("ports", `{"tcp":["5223"]}`))
	good := writeFile(t, filepath.Join(dir, "good.json"), testCatalog("", ""))
	for _, tc := range []struct {
		args    []string
		code    int
		errWant string // in stderr
	}{
		{[]string{"--format", "nosuch"}, 2, `unknown format "nosuch"`},
		{[]string{"--format", "nftables", "--block", "telegram,nosuch"}, 2, `unknown messenger "nosuch"`},
		{[]string{"--bogus"}, 2, "bogus"},
		{[]string{}, 2, "missing --format"},
		{[]string{"--block", "telegram"}, 2, "missing --format"},
		{[]string{"--format", "nftables", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--format", "nftables", "--block", ","}, 2, "--block"},
		{[]string{"--format", "nftables", "--catalog", badRange}, 2, `entry "bad": bad range "1.2.3.4/33"`},
		{[]string{"--list", "--catalog", badDomain}, 2, `entry "bad": bad domain "bad_domain.com"`},
		{[]string{"--format", "hosts", "--catalog", badPort}, 2, `port "5223" must never be blocked`},
		{[]string{"--format", "hosts", "--catalog", filepath.Join(dir, "missing.json")}, 1, "not found"},
		{[]string{"--block", "signal", "--format", "hosts"}, 0, ""},
		{[]string{"--format=unbound", "--catalog", good, "--block", "bad"}, 0, ""},
		{[]string{"--list"}, 0, ""},
	} {
		code, _, stderr := runMain(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.errWant) {
			t.Fatalf("%v: exit %d stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.errWant)
		}
		if code != 0 && strings.Count(stderr, "\n") != 1 {
			t.Fatalf("%v: stderr must be one line, got %q", tc.args, stderr)
		}
	}
}

func TestMainList(t *testing.T) {
	code, out, _ := runMain("--list")
	cat := mustLoad(t)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != len(cat.Entries) {
		t.Fatalf("--list: exit %d, %d lines", code, len(lines))
	}
	for i, l := range lines {
		f := strings.Split(l, "\t")
		e := cat.Entries[i]
		// ID, name, when compared (the contract's third column), then the
		// source data's date.
		if len(f) != 4 || f[0] != e.ID || f[1] != e.Name || f[2] != e.Compared || f[3] != e.SourceDate {
			t.Fatalf("--list line %q", l)
		}
	}
}

// Main's output equals Render's, and "all" is the default for --block.
func TestMainMatchesRender(t *testing.T) {
	cat := mustLoad(t)
	_, out, _ := runMain("--format", "nftables")
	if out != render(t, "nftables", cat, "all") {
		t.Fatal("default --block is not all")
	}
	_, out, _ = runMain("--block", "telegram,zoom", "--format", "pf")
	if out != render(t, "pf", cat, "telegram", "zoom") {
		t.Fatal("Main output differs from Render")
	}
}
