// Package backup writes and restores backup files: a consistent snapshot of
// the data folder behind a fixed-size header that carries the payload's
// length and SHA-256, so a damaged or cut-off file is refused before
// anything is restored.
package backup

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"inhouse/server/archive"
)

// The header is fixed-width so it can be written after the payload. Since
// version 2 it carries the archive key's signature of the checksum: the
// payload holds people, roles, password hashes and settings, and a restore
// must not take a changed one for the office's own.
const (
	headerV1 = "INHOUSE-BACKUP 1 size=%020d sha256=%64s\n"
	headerV2 = "INHOUSE-BACKUP 2 size=%020d sha256=%64s key=%64s sig=%128s\n"
)

var (
	headerLen   = len(fmt.Sprintf(headerV1, 0, strings.Repeat("0", 64)))
	headerV2Len = len(fmt.Sprintf(headerV2, 0, strings.Repeat("0", 64), strings.Repeat("0", 64), strings.Repeat("0", 128)))
)

// ErrDamaged is a backup whose checksum or structure does not hold.
var ErrDamaged = errors.New("the backup file is damaged")

// ErrUntrusted is a backup not signed by a key the office trusts.
var ErrUntrusted = errors.New("the backup is not known to be this office's")

// Unsigned is what Restore's trust takes for an unsigned (version 1) backup
// the office says is its own.
const Unsigned = "unsigned"

// Info describes a backup.
type Info struct {
	Size   int64
	SHA256 string
	Key    string // the archive key that signed it, hex; "" for version 1
	Sig    string
	Files  []string
}

// signedText is what a backup's signature covers.
func signedText(sha string) []byte { return []byte("inhouse-backup sha256=" + sha) }

// Write writes a backup of st to w: header, then a tar of the database
// snapshot, the archive key and the office CA. It buffers the payload in a
// temporary file in tmpDir.
func Write(st *archive.Store, w io.Writer, tmpDir string) (Info, error) {
	var info Info
	tmp, err := os.CreateTemp(tmpDir, ".backup-*")
	if err != nil {
		return info, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(tmp, h))

	snap, err := os.CreateTemp(tmpDir, ".snapshot-*")
	if err != nil {
		return info, err
	}
	defer os.Remove(snap.Name())
	defer snap.Close()
	// The seal is read before the snapshot is taken: it then names no more
	// than the snapshot holds (a seal that trails is fine, one that leads
	// would make the restored archive look cut).
	if err := st.SealNow(); err != nil {
		return info, fmt.Errorf("seal the archive: %w", err)
	}
	seal, sealErr := os.ReadFile(st.SealFile())
	if err := st.Snapshot(snap); err != nil {
		return info, fmt.Errorf("snapshot: %w", err)
	}
	files := map[string]string{"inhouse.db": snap.Name()}
	if k, err := st.KeyFile(); err == nil {
		files["archive.key"] = k
	}
	for _, f := range []string{"ca.pem", "ca-key.pem"} {
		p := filepath.Join(st.Dir(), "tls", f)
		if fileExists(p) {
			files["tls/"+f] = p
		}
	}
	// The messenger catalog the office imported (server/office/firewall.go):
	// the office's choice of what its network blocks, as the audit log in
	// the snapshot records it. Written whole, so never half of one.
	if p := filepath.Join(st.Dir(), catalogFile); fileExists(p) {
		files[catalogFile] = p
	}
	for _, name := range []string{"inhouse.db", "archive.key", "tls/ca.pem", "tls/ca-key.pem", catalogFile} {
		src, ok := files[name]
		if !ok {
			continue
		}
		if err := addFile(tw, name, src); err != nil {
			return info, err
		}
		info.Files = append(info.Files, name)
	}
	// Shared files: written before any record names them and never
	// changed, so all those the snapshot names are there now.
	stored, err := storedFiles(st.Dir())
	if err != nil {
		return info, fmt.Errorf("list the shared files: %w", err)
	}
	for _, name := range stored {
		if err := addFile(tw, name, filepath.Join(st.Dir(), filepath.FromSlash(name))); err != nil {
			return info, err
		}
	}
	if len(stored) > 0 {
		info.Files = append(info.Files, fmt.Sprintf("files/ (%d)", len(stored)))
	}
	if sealErr == nil {
		if err := addBytes(tw, "archive.seal", seal); err != nil {
			return info, err
		}
		info.Files = append(info.Files, "archive.seal")
	}
	if err := tw.Close(); err != nil {
		return info, err
	}
	info.Size, _ = tmp.Seek(0, io.SeekCurrent)
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	if info.Key, info.Sig, err = st.Sign(signedText(info.SHA256)); err != nil {
		return info, err
	}
	if _, err := fmt.Fprintf(w, headerV2, info.Size, info.SHA256, info.Key, info.Sig); err != nil {
		return info, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return info, err
	}
	_, err = io.Copy(w, tmp)
	return info, err
}

// catalogFile is office.CatalogFile: an imported messenger catalog.
const catalogFile = "firewall-catalog.json"

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// storedFiles lists the content store's files (files/ab/ab12…), as the
// backup names them.
func storedFiles(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(filepath.Join(dir, "files"), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && archive.ValidSHA256(d.Name()) && filepath.Base(filepath.Dir(path)) == d.Name()[:2] {
			names = append(names, "files/"+d.Name()[:2]+"/"+d.Name())
		}
		return nil
	})
	return names, err
}

// storedFileName reports whether a backup's entry is a shared file, and
// its SHA-256: files/<first two>/<sha256 hex>, nothing else.
func storedFileName(name string) (string, bool) {
	dir, sha, ok := strings.Cut(strings.TrimPrefix(name, "files/"), "/")
	if !strings.HasPrefix(name, "files/") || !ok || !archive.ValidSHA256(sha) || dir != sha[:2] {
		return "", false
	}
	return sha, true
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

func addBytes(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// WriteFile writes a backup of st to path, atomically (temp file, sync,
// rename).
func WriteFile(st *archive.Store, path string) (Info, error) {
	return SaveStream(path, func(w io.Writer) (Info, error) { return Write(st, w, filepath.Dir(path)) })
}

// SaveStream writes what fill produces to path atomically.
func SaveStream(path string, fill func(io.Writer) (Info, error)) (Info, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".inhouse-backup-*")
	if err != nil {
		return Info{}, err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	info, err := fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return info, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return info, err
	}
	return info, nil
}

// Check reads a whole backup and verifies its checksum.
func Check(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	info, payload, err := open(f)
	if err != nil {
		return info, err
	}
	h := sha256.New()
	n, err := io.Copy(h, payload)
	if err != nil {
		return info, err
	}
	if n != info.Size || hex.EncodeToString(h.Sum(nil)) != info.SHA256 {
		return info, fmt.Errorf("%w: its checksum does not match (cut off or changed)", ErrDamaged)
	}
	return info, nil
}

func open(r io.Reader) (Info, io.Reader, error) {
	var info Info
	head := make([]byte, headerLen)
	if _, err := io.ReadFull(r, head); err != nil {
		return info, nil, fmt.Errorf("%w: it is too short to be an Inhouse backup", ErrDamaged)
	}
	if strings.HasPrefix(string(head), "INHOUSE-BACKUP 2 ") {
		rest := make([]byte, headerV2Len-headerLen)
		if _, err := io.ReadFull(r, rest); err != nil {
			return info, nil, fmt.Errorf("%w: it is too short to be an Inhouse backup", ErrDamaged)
		}
		if _, err := fmt.Sscanf(string(head)+string(rest), headerV2, &info.Size, &info.SHA256, &info.Key, &info.Sig); err != nil {
			return info, nil, fmt.Errorf("%w: it does not start like an Inhouse backup", ErrDamaged)
		}
	} else if _, err := fmt.Sscanf(string(head), headerV1, &info.Size, &info.SHA256); err != nil {
		return info, nil, fmt.Errorf("%w: it does not start like an Inhouse backup", ErrDamaged)
	}
	return info, io.LimitReader(r, info.Size+1), nil
}

// trusted says whether the office has said a backup is its own: signed by
// the archive key of the folder it replaces, or by the key the manager
// names (trust), or unsigned and trust is Unsigned. The key inside the
// backup proves nothing: whoever changes the payload can change it too.
func trusted(info Info, dir, trust string) error {
	if info.Key == "" {
		if trust == Unsigned {
			return nil
		}
		return fmt.Errorf("%w: it is not signed (made before signed backups); if it is the office's own, restore with --trust %s", ErrUntrusted, Unsigned)
	}
	if !archive.VerifySignature(info.Key, signedText(info.SHA256), info.Sig) {
		return fmt.Errorf("%w: its signature does not match its contents (changed)", ErrDamaged)
	}
	if trust == info.Key {
		return nil
	}
	local, err := archive.PublicKeyIn(dir)
	if err == nil && local == info.Key {
		return nil
	}
	if err == nil {
		return fmt.Errorf("%w: it is signed by archive key %s, and this data folder's key is %s; if the backup is yours, restore with --trust %s", ErrUntrusted, info.Key, local, info.Key)
	}
	return fmt.Errorf("%w: it is signed by archive key %s. The office's key is printed by `inhouse backup` and shown on the console's Backups page; if it is this one, restore with --trust %s", ErrUntrusted, info.Key, info.Key)
}

// Restore fills the data folder dir from a backup. The backup must be the
// office's own (see trusted). It is unpacked and verified in a staging
// folder first: nothing in dir moves until the restored archive opens and
// verifies. A folder that holds anything is refused unless force; then its
// old contents are moved aside into a dated folder, never deleted.
func Restore(path, dir string, force bool, trust string) (Info, archive.VerifyReport, error) {
	var rep archive.VerifyReport
	info, err := Check(path)
	if err != nil {
		return info, rep, err
	}
	if err := trusted(info, dir, trust); err != nil {
		return info, rep, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return info, rep, err
	}
	lock, err := archive.LockDir(dir)
	if err != nil {
		return info, rep, err
	}
	defer lock.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return info, rep, err
	}
	var old []string
	for _, e := range entries {
		if e.Name() != "inhouse.lock" && !strings.HasPrefix(e.Name(), "replaced-") && e.Name() != stageName {
			old = append(old, e.Name())
		}
	}
	if len(old) > 0 && !force {
		return info, rep, fmt.Errorf("the data folder %s is not empty: restore into an empty folder, or add --force to move what is there aside", dir)
	}
	stage := filepath.Join(dir, stageName)
	os.RemoveAll(stage)
	defer os.RemoveAll(stage)
	if err := extract(path, stage); err != nil {
		return info, rep, err
	}
	if rep, err = verifyStaged(stage); err != nil {
		return info, rep, fmt.Errorf("%w; nothing in %s was changed", err, dir)
	}
	if len(old) > 0 {
		aside := filepath.Join(dir, "replaced-"+time.Now().UTC().Format("20060102-150405"))
		if err := os.MkdirAll(aside, 0o700); err != nil {
			return info, rep, err
		}
		for _, n := range old {
			if err := os.Rename(filepath.Join(dir, n), filepath.Join(aside, n)); err != nil {
				return info, rep, err
			}
		}
	}
	staged, _ := os.ReadDir(stage)
	for _, e := range staged {
		if e.Name() == "inhouse.lock" {
			continue
		}
		if err := os.Rename(filepath.Join(stage, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			return info, rep, err
		}
	}
	return info, rep, nil
}

// stageName is the folder inside the data folder a restore unpacks into.
const stageName = ".restore"

// verifyStaged opens the unpacked archive where it lies and verifies it.
func verifyStaged(stage string) (archive.VerifyReport, error) {
	var rep archive.VerifyReport
	st, err := archive.Open(stage)
	if err != nil {
		return rep, fmt.Errorf("the restored database does not open: %w", err)
	}
	rep = st.Verify()
	if err := st.Close(); err != nil {
		return rep, err
	}
	if rep.Problem != "" {
		return rep, fmt.Errorf("the restored archive does not verify: %s", rep.Problem)
	}
	return rep, nil
}

func extract(path, stage string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, payload, err := open(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(payload)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		sha, shared := storedFileName(hdr.Name)
		switch hdr.Name {
		case "inhouse.db", "archive.key", "archive.seal", "tls/ca.pem", "tls/ca-key.pem", catalogFile:
		default:
			if !shared {
				return fmt.Errorf("%w: unexpected file %q inside", ErrDamaged, hdr.Name)
			}
		}
		dst := filepath.Join(stage, filepath.FromSlash(hdr.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(io.MultiWriter(out, h), tr)
		if err == nil {
			err = out.Sync()
		}
		out.Close()
		if err != nil {
			return err
		}
		if shared && hex.EncodeToString(h.Sum(nil)) != sha {
			return fmt.Errorf("%w: the shared file %s does not match its SHA-256", ErrDamaged, sha)
		}
	}
}
