package firewall

import (
	"path/filepath"
	"strings"
	"testing"
)

// What --export-catalog writes, --catalog reads back to the same rules in
// every format, and exporting that again changes nothing.
func TestExportCatalogRoundTrip(t *testing.T) {
	cat := mustLoad(t)
	code, exported, stderr := runMain("--export-catalog")
	if code != 0 || !strings.HasSuffix(exported, "}\n") {
		t.Fatalf("--export-catalog: exit %d, stderr %q", code, stderr)
	}
	file := writeFile(t, filepath.Join(t.TempDir(), "exported.json"), exported)
	var ids []string
	for _, e := range cat.Entries {
		ids = append(ids, e.ID)
	}
	for _, block := range []string{"all", strings.Join(ids, ",")} {
		for _, f := range Formats() {
			_, builtIn, _ := runMain("--format", f, "--block", block)
			code, fromFile, stderr := runMain("--format", f, "--block", block, "--catalog", file)
			if code != 0 || fromFile != builtIn {
				t.Fatalf("%s --block %s: the exported catalog renders differently (exit %d, %s)", f, block, code, stderr)
			}
		}
	}
	_, listed, _ := runMain("--list")
	if _, fromFile, _ := runMain("--list", "--catalog", file); fromFile != listed {
		t.Fatalf("--list differs:\n%s\n%s", listed, fromFile)
	}
	if _, again, _ := runMain("--export-catalog", "--catalog", file); again != exported {
		t.Fatal("exporting the exported catalog changed it")
	}
}

// A catalog from before the two dates were apart comes out with both, and
// without "checked".
func TestExportCatalogWritesBothDates(t *testing.T) {
	old := writeFile(t, filepath.Join(t.TempDir(), "old.json"), testCatalog("", ""))
	code, out, _ := runMain("--export-catalog", "--catalog", old)
	if code != 0 || strings.Contains(out, `"checked"`) ||
		!strings.Contains(out, `"source_date": "2026-01-02"`) || !strings.Contains(out, `"compared": "2026-01-02"`) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	cat, err := Parse([]byte(out), "exported.json")
	if err != nil || cat.Entry("bad").SourceDate != "2026-01-02" {
		t.Fatalf("the export does not read back: %v", err)
	}
}

func TestExportCatalogRefusesRules(t *testing.T) {
	for _, args := range [][]string{
		{"--export-catalog", "--format", "nftables"},
		{"--export-catalog", "--list"},
	} {
		code, out, stderr := runMain(args...)
		if code != 2 || out != "" || !strings.Contains(stderr, "--export-catalog writes the catalog only") {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	bad := writeFile(t, filepath.Join(t.TempDir(), "bad.json"), testCatalog("ranges", `["1.2.3.4/33"]`))
	if code, out, _ := runMain("--export-catalog", "--catalog", bad); code != 2 || out != "" {
		t.Fatalf("a bad catalog exported: exit %d", code)
	}
}
