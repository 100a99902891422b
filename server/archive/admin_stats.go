package archive

import (
	"time"
)

// DayCount is the number of messages stored on one local calendar day.
type DayCount struct {
	Day   time.Time // local midnight
	Count int
}

const dayLayout = "2006-01-02"

// MessagesPerDay counts the messages of the days local days ending with
// the day of now, oldest first. It walks the search index's timestamps
// (edits and deletes are not messages), so counting costs no write per
// message and reads no message text.
func (s *Store) MessagesPerDay(days int, now time.Time) ([]DayCount, error) {
	now = now.Local()
	first := time.Date(now.Year(), now.Month(), now.Day()-days+1, 0, 0, 0, 0, time.Local)
	out := make([]DayCount, days)
	for i := range out {
		out[i].Day = time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, time.Local)
	}
	s.index.eachSince(first.Unix(), func(d doc) {
		if d.ref != 0 {
			return
		}
		t := time.Unix(int64(d.ts)+tsBase, 0).Local()
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.Local)
		// Days are not all 24 hours long (daylight saving): find by date.
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].Day.Equal(day) {
				out[i].Count++
				return
			}
			if out[i].Day.Before(day) {
				return
			}
		}
	})
	return out, nil
}
