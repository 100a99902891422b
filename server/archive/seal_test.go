package archive

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/buntdb"
)

// lastKey is the newest record of a chain prefix ("evt", "reads").
func lastKey(t *testing.T, dir, prefix string) string {
	t.Helper()
	var key string
	db, err := buntdb.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *buntdb.Tx) error {
		return tx.DescendRange("", prefix+";", prefix+":", func(k, _ string) bool { key = k; return false })
	})
	db.Close()
	return key
}

// cutAt truncates the database file at the first byte of the command that
// holds marker, plus extra bytes.
func cutAt(t *testing.T, dir, marker string, extra int) {
	t.Helper()
	path := filepath.Join(dir, dbFile)
	data, _ := os.ReadFile(path)
	i := bytes.Index(data, []byte(marker))
	if i < 0 {
		t.Fatalf("%q is not in the file", marker)
	}
	start := bytes.LastIndex(data[:i], []byte("*3\r\n"))
	if err := os.Truncate(path, int64(start+extra)); err != nil {
		t.Fatal(err)
	}
}

// Records removed from the end of a chain leave it whole; the seal is what
// shows they are gone, and how many. Each of the five ways.
func TestVerifyNamesRecordsCutFromTheEnd(t *testing.T) {
	cases := []struct {
		name string
		cut  func(t *testing.T, dir, ch string)
		want string
	}{
		{"the file cut before the newest message", func(t *testing.T, dir, ch string) {
			cutAt(t, dir, "hello number 020", 0)
		}, "ends at record 19, the seal names record 20: 1 missing from the end"},
		{"the file cut in the middle of the newest message", func(t *testing.T, dir, ch string) {
			cutAt(t, dir, "hello number 020", 30)
		}, "ends at record 19, the seal names record 20: 1 missing from the end"},
		{"the newest message deleted with its head record", func(t *testing.T, dir, ch string) {
			rawEdit(t, dir, func(tx *buntdb.Tx) error {
				tx.Set(headKey(ch), "19", nil)
				_, err := tx.Delete(msgKey(ch, 20))
				return err
			})
		}, "ends at record 19, the seal names record 20: 1 missing from the end"},
		{"the newest read-log entry deleted", func(t *testing.T, dir, ch string) {
			key := lastKey(t, dir, "reads")
			rawEdit(t, dir, func(tx *buntdb.Tx) error { _, err := tx.Delete(key); return err })
		}, "the read log ends at record 0, the seal names record 1"},
		{"the newest membership event deleted", func(t *testing.T, dir, ch string) {
			key := lastKey(t, dir, "evt")
			rawEdit(t, dir, func(tx *buntdb.Tx) error { _, err := tx.Delete(key); return err })
		}, "the membership event chain ends at record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, ch := archiveWith(t, 20)
			c.cut(t, dir, ch)
			rep := verifyDir(t, dir)
			if !strings.Contains(rep.Problem, "behind its seal") || !strings.Contains(rep.Problem, c.want) {
				t.Fatalf("problem %q, want the seal to name %q", rep.Problem, c.want)
			}
			// Opening the archive again (a restarted server) must not
			// make the loss disappear behind a fresh seal.
			s := open(t, dir)
			if _, _, err := appendWait(s, ch, "ana", "later", "written after the cut"); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if rep := verifyDir(t, dir); !strings.Contains(rep.Problem, "behind its seal") {
				t.Fatalf("after a restart and a new message: %q", rep.Problem)
			}
			// The office acknowledges it (archive repair): verify passes.
			if names, err := AcknowledgeSeals(dir); err != nil || len(names) == 0 {
				t.Fatalf("acknowledge: %v %v", names, err)
			}
			if rep := verifyDir(t, dir); rep.Problem != "" {
				t.Fatalf("after acknowledging: %q", rep.Problem)
			}
		})
	}
}

func TestVerifyNamesAMissingOrForeignSeal(t *testing.T) {
	dir, _ := archiveWith(t, 3)
	os.Remove(filepath.Join(dir, sealFile))
	if rep := verifyDir(t, dir); !strings.Contains(rep.Problem, "seal file archive.seal was missing") {
		t.Fatalf("missing seal: %q", rep.Problem)
	}

	dir, _ = archiveWith(t, 3)
	other, _ := archiveWith(t, 3)
	data, _ := os.ReadFile(filepath.Join(other, sealFile))
	os.WriteFile(filepath.Join(dir, sealFile), data, 0o600)
	if rep := verifyDir(t, dir); !strings.Contains(rep.Problem, "not signed by this archive's key") {
		t.Fatalf("another archive's seal: %q", rep.Problem)
	}
}

// A live archive is sealed within a second of a write, and the seal never
// names more than is on disk.
func TestSealFollowsWrites(t *testing.T) {
	s, dir, c := setup(t)
	for i := 1; i <= 5; i++ {
		if _, _, err := appendWait(s, c.ID, "ana", fmt.Sprint("m", i), "hello"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SealNow(); err != nil {
		t.Fatal(err)
	}
	seal, err := s.readSeal(filepath.Join(dir, sealFile))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range seal.Heads {
		if h.Chain == "msg:"+c.ID && h.Seq == 5 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the seal does not name message 5: %+v", seal.Heads)
	}
	if rep := s.Verify(); rep.Problem != "" {
		t.Fatal(rep.Problem)
	}
}

// Every cell of a CSV export that a spreadsheet could run is neutralised:
// the client-chosen message id as well as the text, and texts starting
// with a tab or a carriage return before a formula.
func TestCSVExportNeutralisesEveryCell(t *testing.T) {
	s, _, c := setup(t)
	defer s.Close()
	for i, p := range []struct{ id, text string }{
		{"=HYPERLINK(\"x\")", "plain"},
		{"n2", "\t=1+1"},
		{"n3", "\r=cmd|' /C calc'!A0"},
		{"n4", "@SUM(A1)"},
	} {
		if _, _, err := appendWait(s, c.ID, "ana", p.id, p.text); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	var out bytes.Buffer
	if _, err := s.Export(&out, "csv", Query{}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{",=HYPERLINK", ",\"\t=1", ",\"\r=cmd", ",@SUM"} {
		if strings.Contains(out.String(), bad) {
			t.Fatalf("the export has a live cell %q:\n%s", bad, out.String())
		}
	}
	for _, good := range []string{"'=HYPERLINK", "'\t=1+1", "'@SUM"} {
		if !strings.Contains(out.String(), good) {
			t.Fatalf("the export lacks %q:\n%s", good, out.String())
		}
	}
}
