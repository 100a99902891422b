package archive

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/buntdb"
)

// archiveWith makes a data folder with n messages in one channel, some
// membership events and one read record, and returns it closed.
func archiveWith(t *testing.T, n int) (dir, channel string) {
	t.Helper()
	s, dir, c := setup(t)
	for i := 1; i <= n; i++ {
		if _, _, err := appendWait(s, c.ID, "ana", fmt.Sprint("m", i), fmt.Sprintf("hello number %03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ChangeMembers(c.ID, nil, []string{"ben"}, "ana"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRead(ReadEntry{By: "aud", Role: RoleAuditor, Action: "search", Query: "hello", Results: n}); err != nil {
		t.Fatal(err)
	}
	if rep := s.Verify(); rep.Problem != "" {
		t.Fatalf("fresh archive: %s", rep.Problem)
	}
	s.Close()
	return dir, c.ID
}

func verifyDir(t *testing.T, dir string) VerifyReport {
	t.Helper()
	s := open(t, dir)
	defer s.Close()
	return s.Verify()
}

// rawEdit changes the database file with BuntDB directly, as someone
// editing it by hand would.
func rawEdit(t *testing.T, dir string, fn func(tx *buntdb.Tx) error) {
	t.Helper()
	db, err := buntdb.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestVerifyPassesOnACleanArchive(t *testing.T) {
	dir, _ := archiveWith(t, 20)
	rep := verifyDir(t, dir)
	if rep.Problem != "" || rep.Records < 20+2 {
		t.Fatalf("clean archive: %+v", rep)
	}
}

func TestVerifyNamesAChangedByte(t *testing.T) {
	dir, ch := archiveWith(t, 20)
	path := filepath.Join(dir, dbFile)
	data, _ := os.ReadFile(path)
	i := bytes.Index(data, []byte("hello number 007"))
	if i < 0 {
		t.Fatal("message not found in the file")
	}
	data[i] = 'j' // one byte, same length: the file still loads
	os.WriteFile(path, data, 0o600)
	rep := verifyDir(t, dir)
	if want := fmt.Sprintf("channel %s, message 7: changed", ch); !strings.Contains(rep.Problem, want) {
		t.Fatalf("problem %q, want it to name %q", rep.Problem, want)
	}
}

func TestVerifyNamesARemovedRecord(t *testing.T) {
	dir, ch := archiveWith(t, 20)
	rawEdit(t, dir, func(tx *buntdb.Tx) error {
		_, err := tx.Delete(msgKey(ch, 12))
		return err
	})
	rep := verifyDir(t, dir)
	if want := fmt.Sprintf("channel %s, message 12: removed", ch); !strings.Contains(rep.Problem, want) {
		t.Fatalf("problem %q, want %q", rep.Problem, want)
	}
}

func TestVerifyNamesARemovedLastRecord(t *testing.T) {
	dir, ch := archiveWith(t, 20)
	rawEdit(t, dir, func(tx *buntdb.Tx) error {
		_, err := tx.Delete(msgKey(ch, 20))
		return err
	})
	if rep := verifyDir(t, dir); !strings.Contains(rep.Problem, "message 20: removed") {
		t.Fatalf("problem %q", rep.Problem)
	}
}

func TestVerifyNamesSwappedRecords(t *testing.T) {
	dir, ch := archiveWith(t, 20)
	rawEdit(t, dir, func(tx *buntdb.Tx) error {
		a, _ := tx.Get(msgKey(ch, 5))
		b, _ := tx.Get(msgKey(ch, 6))
		tx.Set(msgKey(ch, 5), b, nil)
		_, _, err := tx.Set(msgKey(ch, 6), a, nil)
		return err
	})
	if rep := verifyDir(t, dir); !strings.Contains(rep.Problem, "message 5: changed or moved") {
		t.Fatalf("problem %q", rep.Problem)
	}
}

func TestVerifyCoversEventsAndReads(t *testing.T) {
	dir, _ := archiveWith(t, 3)
	rawEdit(t, dir, func(tx *buntdb.Tx) error {
		v, _ := tx.Get(seqKey("evt", 2))
		_, _, err := tx.Set(seqKey("evt", 2), strings.Replace(v, `"removed":["ben"]`, `"removed":["eve"]`, 1), nil)
		return err
	})
	if rep := verifyDir(t, dir); !strings.Contains(rep.Problem, "evt record 2: changed") {
		t.Fatalf("changed event: %q", rep.Problem)
	}
	dir, _ = archiveWith(t, 3)
	rawEdit(t, dir, func(tx *buntdb.Tx) error {
		v, _ := tx.Get(seqKey("reads", 1))
		_, _, err := tx.Set(seqKey("reads", 1), strings.Replace(v, `"results":3`, `"results":0`, 1), nil)
		return err
	})
	if rep := verifyDir(t, dir); !strings.Contains(rep.Problem, "reads record 1: changed") {
		t.Fatalf("changed read record: %q", rep.Problem)
	}
}

func TestVerifyPassesAfterRetentionPurge(t *testing.T) {
	s, dir, c := setup(t)
	for i := 1; i <= 10; i++ {
		appendWait(s, c.ID, "ana", fmt.Sprint("old", i), "old news")
	}
	appendWait(s, c.ID, "ben", "held", "ben is on legal hold")
	for i := 1; i <= 5; i++ {
		appendWait(s, c.ID, "ana", fmt.Sprint("new", i), "recent")
	}
	if _, err := s.SaveDailyDigest(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRetention(Retention{Days: 30, HoldUsers: []string{"ben"}}); err != nil {
		t.Fatal(err)
	}
	// Everything is "old" when the purge runs 31 days from now.
	rep, err := s.Purge(time.Now().Add(31 * 24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 10 {
		t.Fatalf("purged %d records, want the 10 before ben's held message", rep.Records)
	}
	if v := s.Verify(); v.Problem != "" {
		t.Fatalf("after purge: %s", v.Problem)
	}
	// New messages continue the chain after the checkpoint.
	if m, _, err := appendWait(s, c.ID, "ana", "after", "after the purge"); err != nil || m.Seq != 17 {
		t.Fatalf("append after purge: %+v %v", m, err)
	}
	s.Close()
	if v := verifyDir(t, dir); v.Problem != "" {
		t.Fatalf("after purge and reopen: %s", v.Problem)
	}
	s = open(t, dir)
	defer s.Close()
	if hits, _ := s.Search(Query{Words: "old news"}); len(hits) != 0 {
		t.Fatalf("purged messages still found: %v", hits)
	}
	if hits, _ := s.Search(Query{Words: "legal hold"}); len(hits) != 1 {
		t.Fatalf("held message: %v", hits)
	}
}
