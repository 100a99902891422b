package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"

	"inhouse/server/jsonstr"
)

// The archive is tamper-evident: every record carries the SHA-256 of the
// previous record's hash, its own key and its content. Each channel's
// messages form one chain (by seq); membership and channel events form the
// event chain (evt:); every read of the archive by an auditor or admin forms
// the read log (reads:). The keys are in keys.go. Changing, removing or
// reordering a record breaks its chain, and `inhouse archive verify` names
// where.

// linkHash is the hash of a record: prev (the previous record's hash, or
// the chain's checkpoint) + key + the record's canonical JSON (without h).
func linkHash(prev, key string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{0})
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write(canonical)
	return base64.RawStdEncoding.EncodeToString(h.Sum(nil))
}

// chained is a record that carries its link.
type chained interface {
	setHash(string)
	getHash() string
}

// seal computes rec's hash after prev, stores it in rec and returns the
// record's final JSON. Messages, on every send's path, use sealMessage.
func seal(prev, key string, rec chained) (string, error) {
	rec.setHash("")
	canonical, err := encode(rec)
	if err != nil {
		return "", err
	}
	h := linkHash(prev, key, canonical)
	rec.setHash(h)
	// Every chained record ends with its "h": put the hash in place rather
	// than encode the record twice (this is on every message's path).
	const tail = `"h":""}`
	if bytes.HasSuffix(canonical, []byte(tail)) {
		out := make([]byte, 0, len(canonical)+len(h))
		out = append(out, canonical[:len(canonical)-2]...)
		out = append(out, h...)
		return string(append(out, `"}`...)), nil
	}
	data, err := json.Marshal(rec)
	return string(data), err
}

// hashLen is the length of a link as stored (unpadded base64 of SHA-256).
var hashLen = base64.RawStdEncoding.EncodedLen(sha256.Size)

// sealMessage is seal for a message, on every send's path, in one
// allocation: the hash's input (prev, key and the canonical JSON) is built
// in scratch, which the caller keeps for the next message, and the stored
// record is that JSON with the hash put in place of its empty "h".
func sealMessage(scratch *[]byte, prev, key string, m *Message) string {
	m.H = ""
	n := len(prev) + 1 + len(key) + 1
	buf := (*scratch)[:0]
	buf = append(buf, prev...)
	buf = append(buf, 0)
	buf = append(buf, key...)
	buf = append(buf, 0)
	buf = m.appendJSON(buf)
	sum := sha256.Sum256(buf)
	buf = buf[:len(buf)-2] // the JSON up to and with `"h":"`
	buf = base64.RawStdEncoding.AppendEncode(buf, sum[:])
	buf = append(buf, `"}`...)
	if cap(buf) <= maxScratch {
		*scratch = buf
	}
	rec := string(buf[n:])
	m.H = rec[len(rec)-2-hashLen : len(rec)-2]
	return rec
}

// maxScratch is the largest buffer kept for the next message's seal.
const maxScratch = 64 << 10

// check recomputes rec's hash after prev; rec was decoded from the store.
func check(prev, key string, rec chained) bool {
	want := rec.getHash()
	rec.setHash("")
	canonical, err := encode(rec)
	rec.setHash(want)
	return err == nil && linkHash(prev, key, canonical) == want
}

// encode is rec's JSON, as encoding/json writes it: the form the chain
// hashes. Messages, on every send's path, are written by hand.
func encode(rec chained) ([]byte, error) {
	if m, ok := rec.(*Message); ok {
		return m.appendJSON(make([]byte, 0, 64+len(m.ID)+len(m.From)+len(m.Text)+len(m.M)+len(m.H))), nil
	}
	return json.Marshal(rec)
}

// appendJSON appends m exactly as encoding/json writes it.
func (m *Message) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = jsonstr.Append(b, m.ID)
	b = append(b, `,"from":`...)
	b = jsonstr.Append(b, m.From)
	b = append(b, `,"text":`...)
	b = jsonstr.Append(b, m.Text)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, m.TS, 10)
	if m.Kind != "" {
		b = append(b, `,"kind":`...)
		b = jsonstr.Append(b, m.Kind)
	}
	if m.Ref != 0 {
		b = append(b, `,"ref":`...)
		b = strconv.AppendUint(b, m.Ref, 10)
	}
	if m.Parent != 0 {
		b = append(b, `,"parent":`...)
		b = strconv.AppendUint(b, m.Parent, 10)
	}
	if m.Also {
		b = append(b, `,"also":true`...)
	}
	if m.Confirm {
		b = append(b, `,"confirm":true`...)
	}
	if len(m.Files) > 0 {
		b = append(b, `,"files":`...)
		b = AppendFiles(b, m.Files, true)
	}
	if m.M != "" {
		b = append(b, `,"m":`...)
		b = jsonstr.Append(b, m.M)
	}
	b = append(b, `,"h":`...)
	b = jsonstr.Append(b, m.H)
	return append(b, '}')
}

func (m *Message) setHash(h string) { m.H = h }
func (m *Message) getHash() string  { return m.H }

// Event is a chained record of something that changed who can read what.
type Event struct {
	N       uint64   `json:"n"`
	Type    string   `json:"type"` // channel_created, members_changed, direct_opened
	Channel string   `json:"channel,omitempty"`
	Name    string   `json:"name,omitempty"`
	Kind    string   `json:"kind,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	By      string   `json:"by,omitempty"`
	TS      int64    `json:"ts"`
	H       string   `json:"h"`
}

func (e *Event) setHash(h string) { e.H = h }
func (e *Event) getHash() string  { return e.H }

// appendChained adds rec at the next number of the chain ("evt",
// "reads"), inside tx. It returns the number used.
func appendChained(tx *buntdb.Tx, chain string, rec interface {
	chained
	setN(uint64)
}) (uint64, error) {
	var n uint64
	prev := ""
	first, past := rangeOf(chain)
	tx.DescendRange("", past, first, func(k, v string) bool {
		n, _ = strconv.ParseUint(strings.TrimPrefix(k, first), 10, 64)
		var head struct{ H string }
		json.Unmarshal([]byte(v), &head)
		prev = head.H
		return false
	})
	if n == 0 {
		if cp, err := tx.Get(checkpointKey(chain)); err == nil {
			var c Checkpoint
			if json.Unmarshal([]byte(cp), &c) == nil {
				n, prev = c.Seq, c.H
			}
		}
	}
	n++
	rec.setN(n)
	key := seqKey(chain, n)
	data, err := seal(prev, key, rec)
	if err != nil {
		return 0, err
	}
	_, _, err = tx.Set(key, data, nil)
	return n, err
}

func (e *Event) setN(n uint64) { e.N = n }

// Checkpoint stands in for the purged start of a chain: the last purged
// record's number and hash, so verify can go on from there.
type Checkpoint struct {
	Chain string `json:"chain"`
	Seq   uint64 `json:"seq"`
	H     string `json:"h"`
	At    int64  `json:"at"`
	Sig   string `json:"sig"` // ed25519 over chain, seq and h, by the archive key
}
