package archive

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Each channel's newest seq is also kept in a head record ("head:<id>").
// A removed last message leaves its channel's chain whole, so the head
// record is what names it. Head records trail the messages by at most
// headsLag and are brought up to date at every clean stop.
const headsLag = time.Second

// idemRef is the message a client id made. The client ids live in memory
// only, rebuilt from the messages at open: one record fewer per message.
type idemRef struct {
	channel string
	seq     uint64
}

// headsOp writes the head records of the channels that moved since the
// last time, alone in the writer goroutine: when the server is quiet (a
// busy one writes them with a batch of messages, under the same sync).
func (s *Store) headsOp() *op {
	return &op{exec: s.writeHeads, done: func(error) {}}
}

// writeHeads writes the lagging channels' head records. Writer only.
func (s *Store) writeHeads() error {
	err := s.db.Update(func(tx *buntdb.Tx) error {
		for ch := range s.lagging {
			if _, _, err := tx.Set(headKey(ch), strconv.FormatUint(s.nextSeq[ch], 10), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		clear(s.lagging)
	}
	return err
}

// verifyHeads catches a removed last message: each channel's head record
// names its newest seq, which must be stored or covered by a checkpoint.
func verifyHeads(tx *buntdb.Tx) string {
	problem := ""
	tx.AscendKeys(prefixHead+"*", func(k, v string) bool {
		ch := strings.TrimPrefix(k, prefixHead)
		seq, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			problem = fmt.Sprintf("channel %s: its head record is unreadable", ch)
			return false
		}
		if seq == 0 {
			return true
		}
		if _, err := tx.Get(msgKey(ch, seq)); err != nil {
			if cp, ok := checkpoint(tx, msgChain(ch)); ok && seq <= cp.Seq {
				return true
			}
			problem = fmt.Sprintf("channel %s, message %d: removed (its head record remains)", ch, seq)
			return false
		}
		return true
	})
	return problem
}

// dropIdemRecords is the migration to schema 2: one idempotency record per
// message gives way to the client ids in memory and a head record per
// channel.
func dropIdemRecords(tx *buntdb.Tx) error {
	var idem []string
	tx.AscendKeys(prefixLegacyIdem+"*", func(k, _ string) bool {
		idem = append(idem, k)
		return true
	})
	for _, k := range idem {
		if _, err := tx.Delete(k); err != nil {
			return err
		}
	}
	last := map[string]uint64{}
	tx.AscendKeys(prefixMsg+"*", func(k, _ string) bool {
		i := strings.LastIndexByte(k, ':')
		if seq, err := strconv.ParseUint(k[i+1:], 10, 64); err == nil && i > len(prefixMsg) {
			last[k[len(prefixMsg):i]] = seq // keys ascend: the last one wins
		}
		return true
	})
	for ch, seq := range last {
		if _, _, err := tx.Set(headKey(ch), strconv.FormatUint(seq, 10), nil); err != nil {
			return err
		}
	}
	return nil
}
