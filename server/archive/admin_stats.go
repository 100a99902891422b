package archive

import (
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/buntdb"
)

// Messages per day. Append is meant to call countMessage in its
// transaction, which keeps one counter per local calendar day
// ("stat:msgday:2006-01-02"). Until the counters are live (the key
// statLive exists), MessagesPerDay counts by scanning the message records.
const (
	statDayPrefix = "stat:msgday:"
	statLive      = "stat:msgday-live"
	dayLayout     = "2006-01-02"
)

// DayCount is the number of messages stored on one local calendar day.
type DayCount struct {
	Day   time.Time // local midnight
	Count int
}

// countMessage adds one message with timestamp ts (Unix milliseconds) to its
// day's counter. Call it inside Append's transaction after the message
// record was set, for KindMessage records only (not edits or deletes). The first call counts every stored message once (the
// current one included) and from then on the counters are live.
func (s *Store) countMessage(tx *buntdb.Tx, ts int64) error {
	if _, err := tx.Get(statLive); err != nil {
		counts := map[string]int{}
		tx.AscendKeys("msg:*", func(k, v string) bool {
			if t, ok := messageTS(v); ok {
				counts[dayOf(t)]++
			}
			return true
		})
		for day, n := range counts {
			if _, _, err := tx.Set(statDayPrefix+day, strconv.Itoa(n), nil); err != nil {
				return err
			}
		}
		_, _, err := tx.Set(statLive, "1", nil)
		return err
	}
	key := statDayPrefix + dayOf(ts)
	n := 0
	if v, err := tx.Get(key); err == nil {
		n, _ = strconv.Atoi(v)
	}
	_, _, err := tx.Set(key, strconv.Itoa(n+1), nil)
	return err
}

// MessagesPerDay counts the messages of the days local days ending with
// the day of now, oldest first.
func (s *Store) MessagesPerDay(days int, now time.Time) ([]DayCount, error) {
	now = now.Local()
	first := time.Date(now.Year(), now.Month(), now.Day()-days+1, 0, 0, 0, 0, time.Local)
	out := make([]DayCount, days)
	index := map[string]int{}
	for i := range out {
		out[i].Day = time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, time.Local)
		index[out[i].Day.Format(dayLayout)] = i
	}
	err := s.db.View(func(tx *buntdb.Tx) error {
		if _, err := tx.Get(statLive); err == nil {
			for day, i := range index {
				if v, err := tx.Get(statDayPrefix + day); err == nil {
					out[i].Count, _ = strconv.Atoi(v)
				}
			}
			return nil
		}
		// No counters yet: count the records themselves.
		since := first.UnixMilli()
		return tx.AscendKeys("msg:*", func(k, v string) bool {
			if t, ok := messageTS(v); ok && t >= since {
				if i, ok := index[dayOf(t)]; ok {
					out[i].Count++
				}
			}
			return true
		})
	})
	return out, err
}

func dayOf(ts int64) string { return time.UnixMilli(ts).Local().Format(dayLayout) }

// messageTS reads a message record's timestamp without decoding its text.
// ok is false for edits and deletes (records of their own, not messages)
// and for anything unreadable. A record's text comes before "ts" and can
// hold no unescaped quote, so the first "ts": is the record's own.
func messageTS(v string) (ts int64, ok bool) {
	i := strings.Index(v, `"ts":`)
	if i < 0 {
		return 0, false
	}
	rest := v[i+5:]
	end := strings.IndexAny(rest, ",}")
	if end < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(rest[:end]), 10, 64)
	if err != nil || strings.Contains(rest[end:], `"kind":"`) && !strings.Contains(rest[end:], `"kind":""`) {
		return 0, false
	}
	return n, true
}
