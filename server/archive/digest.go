package archive

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
	"github.com/tidwall/gjson"
)

// keyFile holds the archive's ed25519 signing key, made on first start.
// Digests and retention checkpoints are signed with it, so a copy of a
// digest filed elsewhere witnesses the archive's state on that day.
const keyFile = "archive.key"

func (s *Store) signingKey() (ed25519.PrivateKey, error) {
	s.keyOnce.Do(func() {
		path := filepath.Join(s.dir, keyFile)
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			seed := make([]byte, ed25519.SeedSize)
			rand.Read(seed)
			data = []byte(hex.EncodeToString(seed) + "\n")
			err = os.WriteFile(path, data, 0o600)
		}
		if err != nil {
			s.keyErr = fmt.Errorf("archive key: %w", err)
			return
		}
		seed, err := hex.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(seed) != ed25519.SeedSize {
			s.keyErr = fmt.Errorf("archive key %s is damaged", path)
			return
		}
		s.key = ed25519.NewKeyFromSeed(seed)
	})
	return s.key, s.keyErr
}

// PublicKey is the archive key's public half, hex, for printing.
func (s *Store) PublicKey() string {
	k, err := s.signingKey()
	if err != nil {
		return ""
	}
	return hex.EncodeToString(k.Public().(ed25519.PublicKey))
}

// Head is where one chain stands.
type Head struct {
	Chain string `json:"chain"` // msg:<channel>, evt, reads
	Seq   uint64 `json:"seq"`
	H     string `json:"h"`
}

// Digest is the archive's state at a moment, signed: every chain's head and
// one root hash over them all. Printed and filed elsewhere, it lets anyone
// later show that records before it were not changed or removed.
type Digest struct {
	Date  string `json:"date"`
	At    int64  `json:"at"`
	Heads []Head `json:"heads"`
	Root  string `json:"root"`
	Key   string `json:"key"` // the public key, hex
	Sig   string `json:"sig"`
}

// CurrentDigest computes and signs the archive's state now.
func (s *Store) CurrentDigest() (Digest, error) {
	key, err := s.signingKey()
	if err != nil {
		return Digest{}, err
	}
	now := time.Now().UTC()
	d := Digest{Date: now.Format("2006-01-02"), At: now.UnixMilli(), Key: s.PublicKey()}
	err = s.db.View(func(tx *buntdb.Tx) error {
		d.Heads = heads(tx)
		return nil
	})
	if err != nil {
		return Digest{}, err
	}
	d.Root = rootOf(d.Heads)
	d.Sig = base64.RawStdEncoding.EncodeToString(ed25519.Sign(key, []byte(d.Root)))
	return d, nil
}

// heads reads every chain's last record: one step back from each chain's
// end, never a walk over the messages (this runs at every start).
func heads(tx *buntdb.Tx) []Head {
	var chains []string
	tx.AscendKeys(prefixChannel+"*", func(k, _ string) bool {
		chains = append(chains, msgChain(strings.TrimPrefix(k, prefixChannel)))
		return true
	})
	chains = append(chains, chainEvents, chainReadLog)
	var out []Head
	for _, chain := range chains {
		first, past := rangeOf(chain)
		tx.DescendRange("", past, first, func(k, v string) bool {
			n, _ := strconv.ParseUint(k[strings.LastIndexByte(k, ':')+1:], 10, 64)
			out = append(out, Head{Chain: chain, Seq: n, H: gjson.Get(v, "h").String()})
			return false
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Chain < out[j].Chain })
	return out
}

func rootOf(hs []Head) string {
	h := sha256.New()
	for _, x := range hs {
		fmt.Fprintf(h, "%s %d %s\n", x.Chain, x.Seq, x.H)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SaveDailyDigest stores today's digest unless one exists.
func (s *Store) SaveDailyDigest() (Digest, error) {
	d, err := s.CurrentDigest()
	if err != nil {
		return d, err
	}
	data, _ := json.Marshal(d)
	err = s.write(func(tx *buntdb.Tx) error {
		if _, err := tx.Get(digestKey(d.Date)); err == nil {
			return nil
		}
		_, _, err := tx.Set(digestKey(d.Date), string(data), nil)
		return err
	}, nil)
	return d, err
}

// Digests lists the stored daily digests, newest first, at most limit.
func (s *Store) Digests(limit int) []Digest {
	var out []Digest
	s.db.View(func(tx *buntdb.Tx) error {
		return tx.DescendKeys(prefixDigest+"*", func(k, v string) bool {
			var d Digest
			if json.Unmarshal([]byte(v), &d) == nil {
				out = append(out, d)
			}
			return len(out) < limit
		})
	})
	return out
}

// verifyDigests checks every stored digest: signed by this archive's key,
// and every head it names still in place (or purged behind a checkpoint).
func (s *Store) verifyDigests(tx *buntdb.Tx) string {
	key, err := s.signingKey()
	if err != nil {
		return err.Error()
	}
	pub := key.Public().(ed25519.PublicKey)
	problem := ""
	tx.AscendKeys(prefixDigest+"*", func(k, v string) bool {
		var d Digest
		if err := json.Unmarshal([]byte(v), &d); err != nil {
			problem = fmt.Sprintf("digest %s: unreadable", k)
			return false
		}
		sig, _ := base64.RawStdEncoding.DecodeString(d.Sig)
		if rootOf(d.Heads) != d.Root || !ed25519.Verify(pub, []byte(d.Root), sig) {
			problem = fmt.Sprintf("digest of %s: changed (its signature does not match)", d.Date)
			return false
		}
		for _, h := range d.Heads {
			if p := headStillThere(tx, h); p != "" {
				problem = fmt.Sprintf("%s (named in the digest of %s)", p, d.Date)
				return false
			}
		}
		return true
	})
	return problem
}

func headStillThere(tx *buntdb.Tx, h Head) string {
	var key string
	var cp Checkpoint
	var purged bool
	if ch, ok := strings.CutPrefix(h.Chain, prefixMsg); ok {
		key = msgKey(ch, h.Seq)
		cp, purged = checkpoint(tx, h.Chain)
	} else {
		key = seqKey(h.Chain, h.Seq)
		cp, purged = checkpoint(tx, h.Chain)
	}
	if purged && h.Seq <= cp.Seq {
		return ""
	}
	v, err := tx.Get(key)
	if err != nil {
		return fmt.Sprintf("%s record %d: removed", h.Chain, h.Seq)
	}
	var r struct{ H string }
	json.Unmarshal([]byte(v), &r)
	if r.H != h.H {
		return fmt.Sprintf("%s record %d: changed", h.Chain, h.Seq)
	}
	return ""
}

// signCheckpoint signs a checkpoint with the archive key.
func (s *Store) signCheckpoint(c *Checkpoint) error {
	key, err := s.signingKey()
	if err != nil {
		return err
	}
	c.Sig = base64.RawStdEncoding.EncodeToString(ed25519.Sign(key, checkpointBytes(*c)))
	return nil
}

func (s *Store) checkpointSigned(c Checkpoint) bool {
	key, err := s.signingKey()
	if err != nil {
		return false
	}
	sig, _ := base64.RawStdEncoding.DecodeString(c.Sig)
	return ed25519.Verify(key.Public().(ed25519.PublicKey), checkpointBytes(c), sig)
}

func checkpointBytes(c Checkpoint) []byte {
	return []byte(fmt.Sprintf("%s %d %s %d", c.Chain, c.Seq, c.H, c.At))
}

// Sign signs data with the archive key: a backup's checksum, so a restore
// can tell the office's own backups from a changed one. It returns the
// public key and the signature, both hex.
func (s *Store) Sign(data []byte) (pub, sig string, err error) {
	k, err := s.signingKey()
	if err != nil {
		return "", "", err
	}
	return hex.EncodeToString(k.Public().(ed25519.PublicKey)), hex.EncodeToString(ed25519.Sign(k, data)), nil
}

// VerifySignature checks a signature made by Sign.
func VerifySignature(pub string, data []byte, sig string) bool {
	p, err1 := hex.DecodeString(pub)
	s, err2 := hex.DecodeString(sig)
	return err1 == nil && err2 == nil && len(p) == ed25519.PublicKeySize && ed25519.Verify(p, data, s)
}

// PublicKeyIn reads the public half of the archive key in data folder dir
// without opening the archive.
func PublicKeyIn(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, keyFile))
	if err != nil {
		return "", err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return "", fmt.Errorf("archive key %s is damaged", filepath.Join(dir, keyFile))
	}
	return hex.EncodeToString(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)), nil
}
