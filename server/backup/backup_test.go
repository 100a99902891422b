package backup

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"inhouse/server/archive"
)

// office makes a data folder with one member and a message, and a backup
// of it; it returns the folder (closed) and the backup's path.
func office(t *testing.T) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	st, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddUser(archive.User{Name: "ana", Role: archive.RoleMember, Hash: "x"}); err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateChannel("general", false, "ana", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	st.Append(archive.Post{Channel: c.ID, From: "ana", ClientID: "1", Text: "the invoice is out"}, func(_ archive.Message, _ bool, err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(t.TempDir(), "office.backup")
	if _, err := WriteFile(st, file); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return dir, file
}

// rewrite makes a new backup from file with each payload file passed
// through edit, its checksum recomputed, and signed by sign (nil: an
// unsigned version 1 header), as a forger would.
func rewrite(t *testing.T, file string, edit func(name string, data []byte) []byte, sign func(sha string) (key, sig string)) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, payload, err := open(f)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tr, tw := tar.NewReader(payload), tar.NewWriter(&out)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		data = edit(hdr.Name, data)
		hdr.Size = int64(len(data))
		tw.WriteHeader(hdr)
		tw.Write(data)
	}
	tw.Close()
	sum := sha256.Sum256(out.Bytes())
	sha := hex.EncodeToString(sum[:])
	var head string
	if sign == nil {
		head = fmt.Sprintf(headerV1, out.Len(), sha)
	} else {
		key, sig := sign(sha)
		head = fmt.Sprintf(headerV2, out.Len(), sha, key, sig)
	}
	path := filepath.Join(t.TempDir(), "forged.backup")
	os.WriteFile(path, append([]byte(head), out.Bytes()...), 0o600)
	return path
}

// plantAdmin adds an admin account to a database file, as a line BuntDB
// reads back.
func plantAdmin(name string, data []byte) []byte {
	if name != "inhouse.db" {
		return data
	}
	v := `{"name":"mallory","display":"Mallory","role":"admin","hash":"x","created":"2026-01-01T00:00:00Z"}`
	return fmt.Appendf(data, "*3\r\n$3\r\nset\r\n$12\r\nuser:mallory\r\n$%d\r\n%s\r\n", len(v), v)
}

// signer signs like the archive in dir.
func signer(t *testing.T, dir string) func(string) (string, string) {
	return func(sha string) (string, string) {
		st, err := archive.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		key, sig, err := st.Sign(signedText(sha))
		if err != nil {
			t.Fatal(err)
		}
		return key, sig
	}
}

func TestRestoreRefusesABackupTheOfficeDidNotSign(t *testing.T) {
	dir, file := office(t)
	key, _ := archive.PublicKeyIn(dir)
	other := t.TempDir() // another archive, with a key of its own
	cases := []struct {
		name string
		file string
		want error
	}{
		{"an admin planted, the checksum recomputed, the old signature kept", rewrite(t, file, plantAdmin, func(string) (string, string) {
			f, _ := os.Open(file)
			defer f.Close()
			info, _, _ := open(f)
			return info.Key, info.Sig
		}), ErrDamaged},
		{"an admin planted and signed by another archive's key", rewrite(t, file, plantAdmin, signer(t, other)), ErrUntrusted},
		{"an admin planted and the signature dropped", rewrite(t, file, plantAdmin, nil), ErrUntrusted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Into an empty folder, even when the office names its key.
			target := filepath.Join(t.TempDir(), "new")
			if _, _, err := Restore(c.file, target, false, key); !errors.Is(err, c.want) {
				t.Fatalf("restore into an empty folder: %v, want %v", err, c.want)
			}
			// Over the office's own folder, with --force.
			before, _ := os.ReadFile(filepath.Join(dir, "inhouse.db"))
			if _, _, err := Restore(c.file, dir, true, ""); !errors.Is(err, c.want) {
				t.Fatalf("restore over the office: %v, want %v", err, c.want)
			}
			after, _ := os.ReadFile(filepath.Join(dir, "inhouse.db"))
			if !bytes.Equal(before, after) {
				t.Fatal("a refused restore changed the office's database")
			}
		})
	}
	// The office's own backup restores into an empty folder once its key
	// is named, and over its folder without naming it.
	if _, _, err := Restore(file, filepath.Join(t.TempDir(), "new"), false, ""); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "--trust "+key) {
		t.Fatalf("own backup, key not named: %v", err)
	}
	if _, _, err := Restore(file, filepath.Join(t.TempDir(), "new"), false, key); err != nil {
		t.Fatalf("own backup, key named: %v", err)
	}
	if _, _, err := Restore(file, dir, true, ""); err != nil {
		t.Fatalf("own backup over its folder: %v", err)
	}
	// An unsigned backup the office says is its own.
	plain := rewrite(t, file, func(_ string, d []byte) []byte { return d }, nil)
	if _, _, err := Restore(plain, filepath.Join(t.TempDir(), "new"), false, Unsigned); err != nil {
		t.Fatalf("unsigned backup, trusted explicitly: %v", err)
	}
}

// A backup that is the office's but does not verify (an archive changed
// before it was backed up, say) leaves the folder it was to replace as it
// was: it is verified in a staging folder first.
func TestARefusedRestoreMovesNothing(t *testing.T) {
	dir, file := office(t)
	changed := rewrite(t, file, func(name string, d []byte) []byte {
		if name == "inhouse.db" {
			return bytes.Replace(d, []byte("the invoice is out"), []byte("the invoice is in!"), 1)
		}
		return d
	}, signer(t, dir))
	entries := func() []string {
		var names []string
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	before := entries()
	db, _ := os.ReadFile(filepath.Join(dir, "inhouse.db"))
	_, _, err := Restore(changed, dir, true, "")
	if err == nil || !strings.Contains(err.Error(), "does not verify") || !strings.Contains(err.Error(), "nothing in") {
		t.Fatalf("restore of a changed archive: %v", err)
	}
	if after := entries(); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("the folder changed: %v, was %v", after, before)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "inhouse.db")); !bytes.Equal(now, db) {
		t.Fatal("the database changed")
	}
}
