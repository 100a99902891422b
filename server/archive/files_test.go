package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tidwall/buntdb"
)

// keep stores bytes as an upload of ana's in channel.
func keep(t *testing.T, s *Store, channel string, data []byte) Upload {
	t.Helper()
	tmp, err := s.ReceiveFile()
	if err != nil {
		t.Fatal(err)
	}
	tmp.Write(data)
	sum := sha256.Sum256(data)
	u, err := s.KeepUpload(tmp, Upload{Channel: channel, By: "ana", File: File{SHA256: hex.EncodeToString(sum[:]), Name: "a.txt", Type: "text/plain; charset=utf-8", Size: int64(len(data))}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The sweep removes what no record names once the grace has passed, and
// cut-off uploads; it keeps every file a message names, and stays away
// from files it did not make.
func TestSweepKeepsWhatMessagesName(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddUser(User{Name: "ana", Role: RoleMember, Hash: "x"}); err != nil {
		t.Fatal(err)
	}
	ch, err := s.CreateGroupChannel(NewChannel{Name: "room", Private: true, Creator: "ana", Members: []string{"ana"}})
	if err != nil {
		t.Fatal(err)
	}
	named := keep(t, s, ch.ID, []byte("named by a message"))
	orphan := keep(t, s, ch.ID, []byte("never sent"))
	done := make(chan error, 1)
	s.Append(Post{Channel: ch.ID, From: "ana", ClientID: "m1", Text: "here", Files: []File{named.File}}, func(_ Message, _ bool, err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cut, _ := s.ReceiveFile()
	cut.Close()
	old := time.Now().Add(-2 * UploadTTL)
	os.Chtimes(cut.Name(), old, old)
	stranger := filepath.Join(s.Dir(), filesDir, "README")
	os.WriteFile(stranger, []byte("not ours"), 0o600)

	// Within the grace, and while its upload waits, nothing goes.
	if n, err := s.SweepFiles(time.Now()); err != nil || n != 1 {
		t.Fatalf("today: removed %d (%v), want only the cut-off upload", n, err)
	}
	if _, err := os.Stat(s.FilePath(orphan.SHA256)); err != nil {
		t.Fatal("a waiting upload's bytes were removed")
	}
	// Past the grace (the upload has expired by then): the orphan goes.
	later := time.Now().Add(sweepGrace + time.Hour)
	if err := s.db.Update(func(tx *buntdb.Tx) error { _, err := tx.Delete(uploadKey(orphan.ID)); return err }); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepFiles(later); err != nil || n != 1 {
		t.Fatalf("later: removed %d (%v), want the orphan", n, err)
	}
	if _, err := os.Stat(s.FilePath(orphan.SHA256)); !os.IsNotExist(err) {
		t.Fatal("the orphan is still there")
	}
	if _, err := os.Stat(s.FilePath(named.SHA256)); err != nil {
		t.Fatal("a file a message names was removed")
	}
	if _, err := os.Stat(stranger); err != nil {
		t.Fatal("the sweep removed a file it did not make")
	}
	// The references survive a restart.
	s.Close()
	s2, err := Open(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !s2.FileNamed(named.SHA256) || s2.FileNamed(orphan.SHA256) {
		t.Fatal("file references not rebuilt at open")
	}
	if rep := s2.Verify(); rep.Problem != "" || rep.Files != 1 {
		t.Fatalf("verify: %+v", rep)
	}
}
