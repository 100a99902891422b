// Package hours reads a person's working hours and says, for a moment,
// whether they are working, whether their quiet hours keep notifications
// from them, and until when.
//
// Every time is wall-clock time in the person's own time zone: a span is
// placed on a day by time.Date in that zone, so a day of 08:00 to 17:00
// keeps its wall-clock ends across a daylight-saving change (its length in
// real time changes by the hour the clocks moved). A wall-clock time that
// does not exist (02:30 on a spring-forward night in Europe) is taken as
// time.Date normalises it: the same distance past the change, 03:30 in
// summer time. One that happens twice (02:30 on a fall-back night) is
// taken as time.Date picks it: the second one, in standard time.
//
// The package reads the data the archive stores (archive.WorkHours) but
// does not import it: the archive is storage, this is arithmetic.
package hours

import (
	"errors"
	"sync"
	"time"

	// Every zone built in: the binary is static and may run on a machine
	// without zoneinfo files, and a person's zone is anywhere in the world.
	_ "time/tzdata"
)

// A Span is one day's working time in minutes after midnight. A To at or
// before From runs past midnight and ends on the next day.
type Span struct{ From, To int }

// A Week is a person's working hours, Monday first (nil: not working that
// day), in their time zone; with Quiet, they are not notified outside them.
type Week struct {
	Loc   *time.Location
	Days  [7]*Span
	Quiet bool
}

const day = 24 * 60 // minutes

// Parse reads working hours as stored: an IANA time zone, seven days
// Monday first, each nil or a start and an end written "HH:MM" (00:00 to
// 23:59; the end may also be 24:00). The error is a sentence for the
// person, naming the day.
func Parse(tz string, days [7]*[2]string, quiet bool) (Week, error) {
	if tz == "" {
		return Week{}, problem("Time zone: choose one, such as Europe/Berlin.")
	}
	// "Local" would be the server's zone, not the person's. The name is
	// not repeated back: it may be anything.
	loc, err := zone(tz)
	if err != nil || tz == "Local" {
		return Week{}, problem("Time zone: not one we know; choose one such as Europe/Berlin.")
	}
	w := Week{Loc: loc, Quiet: quiet}
	for i, d := range days {
		if d == nil {
			continue
		}
		name := weekday(i)
		from, ok1 := clock(d[0], false)
		to, ok2 := clock(d[1], true)
		if !ok1 || !ok2 {
			return Week{}, problem(name + ": use times like 08:00 to 17:00.")
		}
		// Equal ends could mean no time or the whole day: the whole day
		// is written 00:00 to 24:00.
		if from == to {
			return Week{}, problem(name + ": the start and the end are the same time; a whole day is 00:00 to 24:00.")
		}
		w.Days[i] = &Span{From: from, To: to}
	}
	return w, nil
}

// zones keeps the zones read: a list of people parses everyone's hours,
// and reading a zone opens and parses a file. Only real zones are kept,
// so it holds at most the few hundred there are.
var zones sync.Map // name → *time.Location

func zone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// problem is Parse's error: a sentence shown to the person as it is.
func problem(sentence string) error {
	return errors.New(sentence)
}

// clock reads "HH:MM" as minutes after midnight; "24:00" only as an end.
func clock(s string, end bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	switch {
	case end && h == 24 && m == 0:
		return day, true
	case h > 23 || m > 59:
		return 0, false
	}
	return h*60 + m, true
}

// weekday names day i of a Week (0 is Monday).
func weekday(i int) string { return time.Weekday((i + 1) % 7).String() }

func (w Week) loc() *time.Location {
	if w.Loc == nil { // a zero Week: UTC rather than a panic
		return time.UTC
	}
	return w.Loc
}

// span is the working time that starts on the calendar day y-m-d (d may
// be out of range: time.Date normalises it), if that day is a working day.
func (w Week) span(y int, m time.Month, d int) (start, end time.Time, ok bool) {
	// The weekday is the calendar's, whatever the zone does at midnight.
	wd := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
	s := w.Days[(int(wd)+6)%7]
	if s == nil {
		return time.Time{}, time.Time{}, false
	}
	to := s.To
	if to <= s.From {
		to += day
	}
	loc := w.loc()
	// Minutes past 59 are normalised by time.Date in wall-clock time, so
	// both ends are wall-clock times of the zone (see the package comment).
	start = time.Date(y, m, d, 0, s.From, 0, 0, loc)
	end = time.Date(y, m, d, 0, to, 0, 0, loc)
	return start, end, true
}

// spanEnd is the latest end of the spans that t is inside: one that began
// yesterday and runs past midnight, or today's. A span is at most a day
// (and an hour of daylight saving) long, so no other day can hold t.
func (w Week) spanEnd(t time.Time) (time.Time, bool) {
	y, m, d := t.In(w.loc()).Date()
	var latest time.Time
	found := false
	for _, dd := range []int{d - 1, d} {
		start, end, ok := w.span(y, m, dd)
		if ok && !t.Before(start) && t.Before(end) && (!found || end.After(latest)) {
			latest, found = end, true
		}
	}
	return latest, found
}

// Working says whether t is inside working hours.
func (w Week) Working(t time.Time) bool {
	_, ok := w.spanEnd(t)
	return ok
}

// QuietAt says whether quiet hours keep notifications from the person at
// t (quiet hours are on, t is outside working hours, and there are working
// hours at all), and until when: the start of the next working span.
func (w Week) QuietAt(t time.Time) (until time.Time, quiet bool) {
	if !w.Quiet || w.Working(t) {
		return time.Time{}, false
	}
	y, m, d := t.In(w.loc()).Date()
	// Today's span may be still to come; the same weekday next week is 7
	// days ahead; one more day covers a span emptied by a clock change.
	for i := range 9 {
		start, end, ok := w.span(y, m, d+i)
		if ok && start.After(t) && end.After(start) {
			return start, true
		}
	}
	// No working day at all: quiet hours never begin.
	return time.Time{}, false
}

// NextQuiet is when quiet hours next begin, for someone working at t with
// quiet hours on: the end of the current span, or of the spans that follow
// it without a gap (days of 00:00 to 24:00, a night shift followed by an
// early start). False when not working at t, with quiet hours off, or when
// the spans never leave a gap.
func (w Week) NextQuiet(t time.Time) (time.Time, bool) {
	if !w.Quiet {
		return time.Time{}, false
	}
	end, ok := w.spanEnd(t)
	if !ok {
		return time.Time{}, false
	}
	// Each step reaches the end of a later span, at most two a day (last
	// night's and today's): 16 steps are more than a week.
	for range 16 {
		next, ok := w.spanEnd(end)
		if !ok {
			return end, true
		}
		end = next
	}
	return time.Time{}, false
}
