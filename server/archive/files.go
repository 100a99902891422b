package archive

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"

	"inhouse/server/atomicfile"
	"inhouse/server/jsonstr"
)

// The bytes of shared files never live in the database: each content is
// one file in the data folder's files/ folder, named by its SHA-256
// (files/ab/ab12…), written once and never changed. The database holds
// what a message says of it (File, inside the message's chained record)
// and, between upload and message, an Upload record.

// filesDir is the content store's folder in the data folder; tmpDir, in
// it, holds uploads being received.
const (
	filesDir = "files"
	tmpDir   = "tmp"
)

// UploadTTL is how long an upload waits for the message that names it.
const UploadTTL = 24 * time.Hour

// sweepGrace keeps a stored file no record names for this long after it
// was last uploaded: an upload that is still valid always protects its
// bytes, whatever the clock of the sweep.
const sweepGrace = 2 * UploadTTL

// File is one file a message carries, as its chained record holds it.
type File struct {
	SHA256 string `json:"sha256"` // lower-case hex
	Name   string `json:"name"`
	Type   string `json:"type"` // decided from the content
	Size   int64  `json:"size"`
	W      int    `json:"w,omitempty"` // pictures: pixels as shown
	H      int    `json:"h,omitempty"`
}

// AppendFiles appends files as a JSON array, each file as encoding/json
// writes a File: with its SHA-256 for the chained record, without for
// members' frames (what the browser shows and asks for).
func AppendFiles(b []byte, files []File, withHash bool) []byte {
	b = append(b, '[')
	for i := range files {
		if i > 0 {
			b = append(b, ',')
		}
		f := &files[i]
		b = append(b, '{')
		if withHash {
			b = append(b, `"sha256":`...)
			b = jsonstr.Append(b, f.SHA256)
			b = append(b, ',')
		}
		b = append(b, `"name":`...)
		b = jsonstr.Append(b, f.Name)
		b = append(b, `,"type":`...)
		b = jsonstr.Append(b, f.Type)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, f.Size, 10)
		if f.W != 0 {
			b = append(b, `,"w":`...)
			b = strconv.AppendInt(b, int64(f.W), 10)
		}
		if f.H != 0 {
			b = append(b, `,"h":`...)
			b = strconv.AppendInt(b, int64(f.H), 10)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// Upload is a received file waiting, at most UploadTTL, for its sender's
// message in its channel.
type Upload struct {
	ID      string `json:"id"`
	Channel string `json:"channel"`
	By      string `json:"by"`
	At      int64  `json:"at"` // Unix milliseconds
	File
}

// ValidSHA256 reports whether s is a file's name in the content store.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// FilePath is where the bytes of the file with that SHA-256 are kept.
func (s *Store) FilePath(sha string) string {
	return filepath.Join(s.dir, filesDir, sha[:2], sha)
}

// previewsDir, in the content store, holds the previews of pictures
// (preview package), made again if lost.
const previewsDir = "previews"

// PreviewPath is where the preview of the picture with that SHA-256 is
// kept; its folder exists.
func (s *Store) PreviewPath(sha string) (string, error) {
	dir := filepath.Join(s.dir, filesDir, previewsDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(dir, sha+".jpg"), nil
}

// ReceiveFile makes the temporary file an upload is streamed into. The
// caller removes it if the upload goes wrong; KeepUpload moves it.
func (s *Store) ReceiveFile() (*os.File, error) {
	dir := filepath.Join(s.dir, filesDir, tmpDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, "upload-*")
}

// KeepUpload makes a received file durable and records the upload: the
// temporary file (whose bytes hash to u.SHA256) is synced and moved into
// the content store, the folder synced, and the Upload written. Bytes
// already stored are kept once; the copy is removed. It returns u with
// its id and time.
func (s *Store) KeepUpload(tmp *os.File, u Upload) (Upload, error) {
	if !ValidSHA256(u.SHA256) {
		return u, fmt.Errorf("upload: bad sha256 %q", u.SHA256)
	}
	if err := tmp.Sync(); err != nil {
		return u, err
	}
	if err := tmp.Close(); err != nil {
		return u, err
	}
	dest := s.FilePath(u.SHA256)
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return u, err
	}
	if _, err := os.Stat(dest); err == nil {
		os.Remove(tmp.Name())
		// Fresh again: the sweep keeps what was uploaded lately.
		now := time.Now()
		if err := os.Chtimes(dest, now, now); err != nil {
			return u, err
		}
	} else {
		if err := os.Rename(tmp.Name(), dest); err != nil {
			return u, err
		}
		if err := atomicfile.SyncDir(filepath.Dir(dest)); err != nil {
			return u, err
		}
	}
	u.ID = "u" + rand.Text()[:20]
	u.At = time.Now().UnixMilli()
	data, err := json.Marshal(u)
	if err != nil {
		return u, err
	}
	err = s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(uploadKey(u.ID), string(data), &buntdb.SetOptions{Expires: true, TTL: UploadTTL})
		return err
	}, nil)
	return u, err
}

// Upload is the upload with that id, while it waits for its message.
func (s *Store) Upload(id string) (Upload, error) {
	var u Upload
	err := s.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(uploadKey(id))
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(v), &u)
	})
	if errors.Is(err, buntdb.ErrNotFound) {
		err = ErrNotFound
	}
	return u, err
}

// sharedBytes is what one message shared, for the reports.
type sharedBytes struct {
	channel, from string
	ts, bytes     int64
	files         int
}

// noteFiles counts the records that name each stored file, and what each
// message shared. s.mu is held.
func (s *Store) noteFiles(m *Message) {
	if len(m.Files) == 0 {
		return
	}
	sb := sharedBytes{channel: m.Channel, from: m.From, ts: m.TS, files: len(m.Files)}
	for i := range m.Files {
		f := &m.Files[i]
		if s.fileRefs[f.SHA256] == 0 {
			s.filesBytes += f.Size // each content counts once
		}
		s.fileRefs[f.SHA256]++
		sb.bytes += f.Size
	}
	s.shared = append(s.shared, sb)
}

// FileNamed reports whether a record names the file.
func (s *Store) FileNamed(sha string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.fileRefs[sha] > 0
}

// FilesStats is the content store's size: what the records name, once
// per content (from the records, not the disk: asked at every upload).
func (s *Store) FilesStats() (files int, bytes int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.fileRefs), s.filesBytes
}

// SweepFiles removes what no one will ever ask for: uploads that were
// being received when the server stopped (anything in tmp/ older than a
// day), and stored files no record and no waiting upload names, once
// sweepGrace has passed since they were last uploaded. It returns how
// many files it removed.
func (s *Store) SweepFiles(now time.Time) (int, error) {
	root := filepath.Join(s.dir, filesDir)
	waiting := map[string]bool{}
	err := s.db.View(func(tx *buntdb.Tx) error {
		return tx.AscendKeys(prefixUpload+"*", func(k, v string) bool {
			var u Upload
			// By now's clock, like everything else here: an upload past
			// its day no longer protects its bytes, whatever BuntDB's
			// expiry has done yet.
			if json.Unmarshal([]byte(v), &u) == nil && now.Sub(time.UnixMilli(u.At)) < UploadTTL {
				waiting[u.SHA256] = true
			}
			return true
		})
	})
	if err != nil {
		return 0, err
	}
	removed := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // gone meanwhile
		}
		name := d.Name()
		switch {
		case filepath.Base(filepath.Dir(path)) == tmpDir:
			if now.Sub(fi.ModTime()) < UploadTTL {
				return nil
			}
		case ValidSHA256(name):
			if waiting[name] || s.FileNamed(name) || now.Sub(fi.ModTime()) < sweepGrace {
				return nil
			}
		case filepath.Base(filepath.Dir(path)) == previewsDir:
			// A preview goes with its picture.
			if sha := strings.TrimSuffix(name, ".jpg"); !ValidSHA256(sha) || s.FileNamed(sha) || waiting[sha] {
				return nil
			}
		default:
			return nil // not ours: leave it
		}
		if os.Remove(path) == nil {
			removed++
		}
		return nil
	})
	return removed, err
}

// clearReceiving removes uploads cut off by the last stop: at open, none
// is being received.
func (s *Store) clearReceiving() {
	dir := filepath.Join(s.dir, filesDir, tmpDir)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "upload-") {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// ChannelFile is one file of a conversation, as its members see it.
type ChannelFile struct {
	Seq   uint64
	Index int
	From  string
	TS    int64
	File
}

// maxFileScan bounds the records one page of a conversation's files reads.
const maxFileScan = 50_000

// ChannelFiles lists a conversation's files, newest first, from messages
// before seq before (0: the newest), leaving out those of deleted
// messages. It stops at the message that brings the list to limit.
func (s *Store) ChannelFiles(channel string, before uint64, limit int) ([]ChannelFile, error) {
	var out []ChannelFile
	var bad error
	first, past := rangeOf(msgChain(channel))
	if before > 0 {
		past = msgKey(channel, before)
	}
	scanned := 0
	err := s.db.View(func(tx *buntdb.Tx) error {
		return tx.DescendRange("", past, first, func(k, v string) bool {
			if k == past {
				return true // DescendRange includes its start
			}
			scanned++
			if scanned > maxFileScan {
				return false
			}
			if !strings.Contains(v, `"files":[`) {
				return true
			}
			m, err := parseMsg(k, v)
			if err != nil {
				bad = err
				return false
			}
			if m.Kind != KindMessage || len(m.Files) == 0 {
				return true
			}
			for i := len(m.Files) - 1; i >= 0; i-- {
				out = append(out, ChannelFile{Seq: m.Seq, Index: i, From: m.From, TS: m.TS, File: m.Files[i]})
			}
			return len(out) < limit
		})
	})
	if err == nil {
		err = bad
	}
	// Deleted messages show no files to members.
	s.mu.RLock()
	kept := out[:0]
	for _, f := range out {
		if c, ok := s.cur[curKey(channel, f.Seq)]; !ok || !c.deleted {
			kept = append(kept, f)
		}
	}
	s.mu.RUnlock()
	// A page ends with a whole message (up to MaxFiles past limit), so
	// the next one starts before its seq.
	return kept, err
}

// checkFile hashes a stored file and says what is wrong with it ("" if
// nothing): missing, or its bytes changed.
func (s *Store) checkFile(sha string) string {
	if !ValidSHA256(sha) {
		return "is not named by a SHA-256"
	}
	got, err := hashFile(s.FilePath(sha))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "is missing"
	case err != nil:
		return "cannot be read (" + err.Error() + ")"
	case got != sha:
		return "has changed (its SHA-256 does not match)"
	}
	return ""
}

// hashFile is the lower-case hex SHA-256 of a file's bytes.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
