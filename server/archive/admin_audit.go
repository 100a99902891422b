package archive

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/buntdb"
)

// AuditEntry is one change an admin made, in the console, the admin API or
// the command line. Entries are append-only: the store has no method that
// changes or removes one.
type AuditEntry struct {
	Seq    uint64    `json:"-"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`            // the admin's user name
	Via    string    `json:"via"`              // "console", "api" or "cli"
	Action string    `json:"action"`           // e.g. "person.add"
	Target string    `json:"target,omitempty"` // what was changed (a user name, a channel id)
	Detail string    `json:"detail,omitempty"` // words for people
}

// Audit appends one entry to the admin audit log. Seqs count from 1 with no
// gaps; the writer goroutine hands them out, so they follow commit order.
func (s *Store) Audit(e AuditEntry) error {
	if e.Actor == "" || e.Action == "" {
		return userErr(errors.New("an audit entry needs an actor and an action"))
	}
	e.At = time.Now().UTC()
	e.Detail = clip(e.Detail, 2000)
	e.Target = clip(e.Target, 200)
	return s.write(func(tx *buntdb.Tx) error {
		seq := uint64(1)
		tx.DescendKeys(prefixAdminAudit+"*", func(k, _ string) bool {
			n, err := strconv.ParseUint(strings.TrimPrefix(k, prefixAdminAudit), 10, 64)
			if err == nil {
				seq = n + 1
			}
			return false
		})
		data, _ := json.Marshal(e)
		_, _, err := tx.Set(adminAuditKey(seq), string(data), nil)
		return err
	}, nil)
}

// AuditLog returns up to limit entries with seq below before (0: the
// newest), newest first, for which keep says yes (nil keeps all). more
// tells whether older matching entries remain.
func (s *Store) AuditLog(before uint64, limit int, keep func(AuditEntry) bool) (out []AuditEntry, more bool, err error) {
	top := prefixAdminAudit + "~" // above every padded number
	if before > 0 {
		top = adminAuditKey(before)
	}
	err = s.db.View(func(tx *buntdb.Tx) error {
		return tx.DescendLessOrEqual("", top, func(k, v string) bool {
			if !strings.HasPrefix(k, prefixAdminAudit) {
				return false
			}
			if k == top {
				return true
			}
			var e AuditEntry
			if json.Unmarshal([]byte(v), &e) != nil {
				return true
			}
			e.Seq, _ = strconv.ParseUint(strings.TrimPrefix(k, prefixAdminAudit), 10, 64)
			if keep != nil && !keep(e) {
				return true
			}
			if len(out) == limit {
				more = true
				return false
			}
			out = append(out, e)
			return true
		})
	})
	return out, more, err
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
