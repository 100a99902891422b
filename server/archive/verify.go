package archive

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"
)

// VerifyReport is what verify found.
type VerifyReport struct {
	Records int    // records checked
	Chains  int    // chains walked
	Problem string // the first broken record, "" when the archive is intact
}

// Verify walks every chain and names the first record that was changed,
// removed or reordered.
func (s *Store) Verify() VerifyReport {
	var rep VerifyReport
	if err := s.SealNow(); err != nil && s.Healthy() == nil {
		rep.Problem = "the seal could not be written: " + err.Error()
		return rep
	}
	err := s.db.View(func(tx *buntdb.Tx) error {
		chans := map[string]bool{}
		tx.AscendKeys("chan:*", func(k, v string) bool {
			chans[strings.TrimPrefix(k, "chan:")] = true
			return true
		})
		tx.AscendKeys("msg:*", func(k, v string) bool {
			if i := strings.LastIndexByte(k, ':'); i > 4 {
				chans[k[4:i]] = true
			}
			return true
		})
		ids := make([]string, 0, len(chans))
		for id := range chans {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if p := s.verifyChannel(tx, id, &rep); p != "" {
				rep.Problem = p
				return nil
			}
		}
		for _, prefix := range []string{"evt", "reads"} {
			newRec := func() chained { return &Event{} }
			if prefix == "reads" {
				newRec = func() chained { return &ReadEntry{} }
			}
			if p := verifyLog(tx, prefix, newRec, &rep); p != "" {
				rep.Problem = p
				return nil
			}
		}
		if p := verifyHeads(tx); p != "" {
			rep.Problem = p
			return nil
		}
		if p := s.verifySeal(tx); p != "" {
			rep.Problem = p
			return nil
		}
		rep.Problem = s.verifyDigests(tx)
		return nil
	})
	if err != nil && rep.Problem == "" {
		rep.Problem = "the database could not be read: " + err.Error()
	}
	return rep
}

// verifyChannel checks one channel's messages, from its checkpoint on.
func (s *Store) verifyChannel(tx *buntdb.Tx, id string, rep *VerifyReport) string {
	rep.Chains++
	var next uint64 = 1
	prev := ""
	if cp, ok := checkpoint(tx, "msg:"+id); ok {
		if !s.checkpointSigned(cp) {
			return fmt.Sprintf("channel %s: the retention checkpoint at message %d is not signed by this archive's key", id, cp.Seq)
		}
		next, prev = cp.Seq+1, cp.H
	}
	problem := ""
	tx.AscendRange("", "msg:"+id+":", "msg:"+id+";", func(k, v string) bool {
		rep.Records++
		m, err := parseMsg(k, v)
		if err != nil {
			problem = fmt.Sprintf("channel %s, record %s: unreadable (%v)", id, k, err)
			return false
		}
		if m.Seq < next {
			problem = fmt.Sprintf("channel %s, message %d: stands before the retention checkpoint (re-inserted)", id, m.Seq)
			return false
		}
		if m.Seq > next {
			problem = fmt.Sprintf("channel %s, message %d: removed (message %d follows message %d)", id, next, m.Seq, next-1)
			return false
		}
		if !check(prev, k, &m) {
			problem = fmt.Sprintf("channel %s, message %d: changed or moved (its hash does not match)", id, m.Seq)
			return false
		}
		prev = m.H
		next++
		return true
	})
	return problem
}

// verifyLog checks the event or audit chain.
func verifyLog(tx *buntdb.Tx, prefix string, newRec func() chained, rep *VerifyReport) string {
	rep.Chains++
	var next uint64 = 1
	prev := ""
	if cp, ok := checkpoint(tx, prefix); ok {
		next, prev = cp.Seq+1, cp.H
	}
	problem := ""
	tx.AscendRange("", prefix+":", prefix+";", func(k, v string) bool {
		rep.Records++
		n, err := strconv.ParseUint(strings.TrimPrefix(k, prefix+":"), 10, 64)
		rec := newRec()
		if err == nil {
			err = json.Unmarshal([]byte(v), rec)
		}
		if err != nil {
			problem = fmt.Sprintf("%s record %s: unreadable", prefix, k)
			return false
		}
		if n != next {
			problem = fmt.Sprintf("%s record %d: removed (record %d follows record %d)", prefix, next, n, next-1)
			return false
		}
		if !check(prev, k, rec) {
			problem = fmt.Sprintf("%s record %d: changed or moved (its hash does not match)", prefix, n)
			return false
		}
		prev = rec.getHash()
		next++
		return true
	})
	return problem
}
