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
	Files   int    // stored files hashed
	Problem string // the first broken record, "" when the archive is intact
}

// Verify walks every chain and names the first record that was changed,
// removed or reordered, then hashes every stored file a record names and
// names the first that is missing or changed.
func (s *Store) Verify() VerifyReport {
	var rep VerifyReport
	var files []fileUse
	if err := s.SealNow(); err != nil && s.Healthy() == nil {
		rep.Problem = "the seal could not be written: " + err.Error()
		return rep
	}
	err := s.db.View(func(tx *buntdb.Tx) error {
		chans := map[string]bool{}
		tx.AscendKeys(prefixChannel+"*", func(k, v string) bool {
			chans[strings.TrimPrefix(k, prefixChannel)] = true
			return true
		})
		tx.AscendKeys(prefixMsg+"*", func(k, v string) bool {
			if i := strings.LastIndexByte(k, ':'); i > len(prefixMsg) {
				chans[k[len(prefixMsg):i]] = true
			}
			return true
		})
		ids := make([]string, 0, len(chans))
		for id := range chans {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if p := s.verifyChannel(tx, id, &rep, &files); p != "" {
				rep.Problem = p
				return nil
			}
		}
		for _, chain := range []string{chainEvents, chainReadLog} {
			newRec := func() chained { return &Event{} }
			if chain == chainReadLog {
				newRec = func() chained { return &ReadEntry{} }
			}
			if p := verifyNumberedChain(tx, chain, newRec, &rep); p != "" {
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
	if rep.Problem == "" {
		// Outside the read transaction: hashing files must not hold up writes.
		rep.Problem = s.verifyFiles(files, &rep)
	}
	return rep
}

// fileUse is a stored file as one record names it.
type fileUse struct {
	channel string
	seq     uint64
	name    string
	sha     string
}

// verifyFiles hashes each stored file once and names the first record
// whose file is missing or changed (a swapped file is a changed one).
func (s *Store) verifyFiles(files []fileUse, rep *VerifyReport) string {
	seen := map[string]string{}
	for _, f := range files {
		problem, ok := seen[f.sha]
		if !ok {
			problem = s.checkFile(f.sha)
			seen[f.sha] = problem
			rep.Files++
		}
		if problem != "" {
			return fmt.Sprintf("channel %s, message %d: the file %q %s", f.channel, f.seq, f.name, problem)
		}
	}
	return ""
}

// verifyChannel checks one channel's messages, from its checkpoint on.
func (s *Store) verifyChannel(tx *buntdb.Tx, id string, rep *VerifyReport, files *[]fileUse) string {
	rep.Chains++
	var next uint64 = 1
	prev := ""
	if cp, ok := checkpoint(tx, msgChain(id)); ok {
		if !s.checkpointSigned(cp) {
			return fmt.Sprintf("channel %s: the retention checkpoint at message %d is not signed by this archive's key", id, cp.Seq)
		}
		next, prev = cp.Seq+1, cp.H
	}
	problem := ""
	first, past := rangeOf(msgChain(id))
	tx.AscendRange("", first, past, func(k, v string) bool {
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
		for _, f := range m.Files {
			*files = append(*files, fileUse{id, m.Seq, f.Name, f.SHA256})
		}
		prev = m.H
		next++
		return true
	})
	return problem
}

// verifyNumberedChain checks the event chain or the read log.
func verifyNumberedChain(tx *buntdb.Tx, chain string, newRec func() chained, rep *VerifyReport) string {
	rep.Chains++
	var next uint64 = 1
	prev := ""
	if cp, ok := checkpoint(tx, chain); ok {
		next, prev = cp.Seq+1, cp.H
	}
	problem := ""
	first, past := rangeOf(chain)
	tx.AscendRange("", first, past, func(k, v string) bool {
		rep.Records++
		n, err := strconv.ParseUint(strings.TrimPrefix(k, first), 10, 64)
		rec := newRec()
		if err == nil {
			err = json.Unmarshal([]byte(v), rec)
		}
		if err != nil {
			problem = fmt.Sprintf("%s record %s: unreadable", chain, k)
			return false
		}
		if n != next {
			problem = fmt.Sprintf("%s record %d: removed (record %d follows record %d)", chain, next, n, next-1)
			return false
		}
		if !check(prev, k, rec) {
			problem = fmt.Sprintf("%s record %d: changed or moved (its hash does not match)", chain, n)
			return false
		}
		prev = rec.getHash()
		next++
		return true
	})
	return problem
}
