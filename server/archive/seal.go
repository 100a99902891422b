package archive

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"

	"inhouse/server/atomicfile"
)

// The seal proves where every chain ends. Each chain's records link to the
// one before, so a changed or removed record in the middle shows; but a
// record cut from the end (the file truncated, the newest message deleted
// with its head record, the newest read-log entry or membership event
// removed) leaves a shorter chain that is still whole. The seal names each
// chain's length and last hash, signed with the archive key, in a file
// beside the database (archive.seal) and in every backup. The writer
// renews it at most every sealEvery while anything changes, always from
// what is already synced, so it can trail the database but never lead it.
const (
	sealFile   = "archive.seal"
	sealBehind = "archive.seal.behind-" // a seal the database was found behind at open, kept until a repair
	sealEvery  = time.Second
)

// Seal is every chain's end at a moment, signed.
type Seal struct {
	At    time.Time `json:"at"`
	Heads []Head    `json:"heads"`
	Sig   string    `json:"sig"` // ed25519 over rootOf(Heads) and At
}

func sealBytes(at time.Time, hs []Head) []byte {
	return []byte(rootOf(hs) + " " + at.UTC().Format(time.RFC3339Nano))
}

// sealState reads every chain's end. Writer only, after a sync: the state
// it reads is on disk.
func (s *Store) sealState() Seal {
	var hs []Head
	s.db.View(func(tx *buntdb.Tx) error {
		hs = heads(tx)
		return nil
	})
	return Seal{At: time.Now().UTC(), Heads: hs}
}

// writeSeal signs seal and replaces the seal file with it.
func (s *Store) writeSeal(seal Seal) error {
	key, err := s.signingKey()
	if err != nil {
		return err
	}
	seal.Sig = base64.RawStdEncoding.EncodeToString(ed25519.Sign(key, sealBytes(seal.At, seal.Heads)))
	data, err := json.MarshalIndent(seal, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(s.dir, sealFile), append(data, '\n'))
}

// sealer writes the seals the writer hands it, the newest only, off the
// writer's path: signing and two syncs need not delay a commit.
func (s *Store) sealer() {
	defer close(s.sealDone)
	for seal := range s.seals {
		if err := s.writeSeal(seal); err != nil {
			s.sealErr.Store(&err)
		}
	}
}

// handSeal gives the sealer the newest state, replacing one not yet written.
func (s *Store) handSeal(seal Seal) {
	select {
	case <-s.seals:
	default:
	}
	s.seals <- seal
}

// readSeal reads a seal file and checks its signature.
func (s *Store) readSeal(path string) (Seal, error) {
	var seal Seal
	data, err := os.ReadFile(path)
	if err != nil {
		return seal, err
	}
	if err := json.Unmarshal(data, &seal); err != nil {
		return seal, fmt.Errorf("%s is unreadable", filepath.Base(path))
	}
	key, err := s.signingKey()
	if err != nil {
		return seal, err
	}
	sig, _ := base64.RawStdEncoding.DecodeString(seal.Sig)
	if !ed25519.Verify(key.Public().(ed25519.PublicKey), sealBytes(seal.At, seal.Heads), sig) {
		return seal, fmt.Errorf("%s is not signed by this archive's key (changed, or from another archive)", filepath.Base(path))
	}
	return seal, nil
}

// behindSeal compares the database with a seal: "" when every chain
// reaches at least as far as the seal says, with the same record there;
// otherwise which chains fall short, and by how many records.
func behindSeal(tx *buntdb.Tx, seal Seal) string {
	var short []string
	for _, h := range seal.Heads {
		if p := headStillThere(tx, h); p != "" {
			end := chainEnd(tx, h.Chain)
			if end < h.Seq {
				short = append(short, fmt.Sprintf("%s ends at record %d, the seal names record %d: %d missing from the end", chainName(h.Chain), end, h.Seq, h.Seq-end))
			} else {
				short = append(short, fmt.Sprintf("%s record %d differs from the one the seal names", chainName(h.Chain), h.Seq))
			}
		}
	}
	if len(short) == 0 {
		return ""
	}
	return fmt.Sprintf("the archive is behind its seal of %s: %s", seal.At.Format("2006-01-02 15:04:05 UTC"), strings.Join(short, "; "))
}

// chainEnd is the seq of a chain's last record, 0 when it has none.
func chainEnd(tx *buntdb.Tx, chain string) uint64 {
	var end uint64
	first, past := rangeOf(chain)
	tx.DescendRange("", past, first, func(k, _ string) bool {
		end, _ = strconv.ParseUint(k[strings.LastIndexByte(k, ':')+1:], 10, 64)
		return false
	})
	return end
}

// chainName is how a report names a chain.
func chainName(chain string) string {
	switch {
	case chain == chainEvents:
		return "the membership event chain"
	case chain == chainReadLog:
		return "the read log"
	default:
		return "channel " + strings.TrimPrefix(chain, prefixMsg)
	}
}

// checkSealAtOpen compares the database with its seal before anything is
// written. A database behind its seal keeps working (the office still
// needs its messenger), but the seal it fell behind is kept aside, and
// verify reports it until `inhouse archive repair` acknowledges it:
// otherwise the next seal would make the loss invisible.
func (s *Store) checkSealAtOpen() {
	path := filepath.Join(s.dir, sealFile)
	seal, err := s.readSeal(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if s.sealBegan() { // sealing began, and the seal is gone: say so for good
			note := filepath.Join(s.dir, sealBehind+time.Now().UTC().Format("20060102-150405.000000000")+"-missing")
			if os.WriteFile(note, []byte("archive.seal was missing when the archive was opened\n"), 0o600) == nil {
				atomicfile.SyncDir(s.dir)
			}
		}
		return
	case err == nil:
		var p string
		s.db.View(func(tx *buntdb.Tx) error {
			p = behindSeal(tx, seal)
			return nil
		})
		if p == "" {
			return
		}
	}
	// Kept aside, never overwritten: the first finding is the evidence.
	aside := filepath.Join(s.dir, sealBehind+time.Now().UTC().Format("20060102-150405.000000000"))
	if err := os.Rename(path, aside); err == nil {
		atomicfile.SyncDir(s.dir)
	}
}

// verifySeal reports a seal the database fell behind (now or when it was
// last opened), a seal that is not this archive's, or a missing one.
func (s *Store) verifySeal(tx *buntdb.Tx) string {
	aside, _ := filepath.Glob(filepath.Join(s.dir, sealBehind+"*"))
	sort.Strings(aside)
	for _, path := range aside {
		if strings.HasSuffix(path, ".acknowledged") {
			continue
		}
		if strings.HasSuffix(path, "-missing") {
			return "when the archive was opened, its seal file " + sealFile + " was missing (noted in " + filepath.Base(path) + ")"
		}
		seal, err := s.readSeal(path)
		if err != nil {
			return "when the archive was opened, its seal did not hold: " + err.Error() + " (kept as " + filepath.Base(path) + ")"
		}
		if p := behindSeal(tx, seal); p != "" {
			return "when the archive was opened, " + p + " (kept as " + filepath.Base(path) + ")"
		}
		return "when the archive was opened it was behind its seal (kept as " + filepath.Base(path) + "); the missing records were put back since"
	}
	seal, err := s.readSeal(filepath.Join(s.dir, sealFile))
	if errors.Is(err, os.ErrNotExist) {
		if _, err := tx.Get(keySealMarker); err == nil {
			return "the seal file " + sealFile + " is missing: the end of every chain cannot be proven"
		}
		return ""
	}
	if err != nil {
		return err.Error()
	}
	return behindSeal(tx, seal)
}

// AcknowledgeSeals marks the seals the database was found behind as seen
// by the office (after a repair or a restore the office chose): verify
// stops reporting them; the files stay as evidence. It returns their names.
func AcknowledgeSeals(dir string) ([]string, error) {
	aside, _ := filepath.Glob(filepath.Join(dir, sealBehind+"*"))
	var done []string
	for _, path := range aside {
		if strings.HasSuffix(path, ".acknowledged") {
			continue
		}
		if err := os.Rename(path, path+".acknowledged"); err != nil {
			return done, err
		}
		done = append(done, filepath.Base(path))
	}
	if len(done) > 0 {
		return done, atomicfile.SyncDir(dir)
	}
	return nil, nil
}

// SealFile is the path of the seal file, for backups.
func (s *Store) SealFile() string { return filepath.Join(s.dir, sealFile) }

// markSealed records in the database that sealing began, once: from then
// on a missing seal file is reported. The write also brings the first seal.
func (s *Store) markSealed() error {
	if s.sealBegan() {
		return nil
	}
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keySealMarker, "1", nil)
		return err
	}, nil)
}

// SealNow writes a seal of everything written so far and waits for it:
// verify calls it, so a live archive is checked against its very end.
func (s *Store) SealNow() error {
	ch := make(chan error, 1)
	s.submit(&op{exec: func() error {
		// Earlier writes of this batch are applied but not yet synced: the
		// seal must never name what a crash could lose.
		if err := s.syncf.Sync(); err != nil {
			return err
		}
		s.sealDirty.Store(false)
		return s.writeSeal(s.sealState())
	}, done: func(err error) { ch <- err }})
	return <-ch
}

// sealBegan says whether the database records that sealing began.
func (s *Store) sealBegan() bool {
	var marked bool
	s.db.View(func(tx *buntdb.Tx) error {
		_, err := tx.Get(keySealMarker)
		marked = err == nil
		return nil
	})
	return marked
}
