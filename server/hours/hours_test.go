package hours

import (
	"strings"
	"testing"
	"time"
)

// hm is one day's hours as stored.
func hm(from, to string) *[2]string { return &[2]string{from, to} }

// weekdays is Monday to Friday, from–to.
func weekdays(from, to string) [7]*[2]string {
	var d [7]*[2]string
	for i := range 5 {
		d[i] = hm(from, to)
	}
	return d
}

func parse(t *testing.T, tz string, days [7]*[2]string, quiet bool) Week {
	t.Helper()
	w, err := Parse(tz, days, quiet)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return w
}

// at is an instant written in RFC 3339 (offsets as the zone has them).
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func checkWorking(t *testing.T, w Week, cases map[string]bool) {
	t.Helper()
	for s, want := range cases {
		if got := w.Working(at(t, s)); got != want {
			t.Errorf("Working(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	days := weekdays("08:00", "17:00")
	days[5] = hm("22:00", "06:00") // Saturday night
	days[6] = hm("00:00", "24:00") // all Sunday
	w := parse(t, "Europe/Berlin", days, true)
	if w.Loc.String() != "Europe/Berlin" || !w.Quiet {
		t.Fatalf("zone %v quiet %v", w.Loc, w.Quiet)
	}
	want := [7]*Span{{480, 1020}, {480, 1020}, {480, 1020}, {480, 1020}, {480, 1020}, {1320, 360}, {0, 1440}}
	for i := range w.Days {
		if *w.Days[i] != *want[i] {
			t.Errorf("day %d: %v, want %v", i, *w.Days[i], *want[i])
		}
	}
	// A zone is read once.
	if again := parse(t, "Europe/Berlin", days, true); again.Loc != w.Loc {
		t.Error("Europe/Berlin read twice")
	}
	// Nil days are days off; none at all is allowed.
	w = parse(t, "UTC", [7]*[2]string{}, true)
	for i, d := range w.Days {
		if d != nil {
			t.Errorf("day %d: %v", i, *d)
		}
	}
}

// Every refusal is a sentence for the person, naming what is wrong.
func TestParseRefuses(t *testing.T) {
	ok := weekdays("08:00", "17:00")
	for _, tz := range []string{"", "Mars/Olympus_Mons", "Local", "../etc/passwd", "Europe/Berlin "} {
		_, err := Parse(tz, ok, true)
		if err == nil || !strings.HasPrefix(err.Error(), "Time zone: ") || !strings.HasSuffix(err.Error(), ".") {
			t.Errorf("zone %q: %v", tz, err)
		}
		if err != nil && tz != "" && strings.Contains(err.Error(), tz) {
			t.Errorf("zone %q: the sentence repeats what was sent: %v", tz, err)
		}
	}
	for _, c := range []struct {
		from, to string
		want     string
	}{
		{"8:00", "17:00", "Tuesday: use times like 08:00 to 17:00."},
		{"08:00", "17:0", "Tuesday: use times like 08:00 to 17:00."},
		{"08.00", "17:00", "Tuesday: use times like 08:00 to 17:00."},
		{"08:00", "24:01", "Tuesday: use times like 08:00 to 17:00."},
		{"08:00", "25:00", "Tuesday: use times like 08:00 to 17:00."},
		{"12:60", "17:00", "Tuesday: use times like 08:00 to 17:00."},
		{"24:00", "08:00", "Tuesday: use times like 08:00 to 17:00."}, // 24:00 only ends a day
		{"-1:00", "17:00", "Tuesday: use times like 08:00 to 17:00."},
		{"", "", "Tuesday: use times like 08:00 to 17:00."},
		{"０８:00", "17:00", "Tuesday: use times like 08:00 to 17:00."}, // full-width digits
		{"09:00", "09:00", "Tuesday: the start and the end are the same time; a whole day is 00:00 to 24:00."},
		{"00:00", "00:00", "Tuesday: the start and the end are the same time; a whole day is 00:00 to 24:00."},
	} {
		days := ok
		days[1] = hm(c.from, c.to)
		if _, err := Parse("Europe/Berlin", days, true); err == nil || err.Error() != c.want {
			t.Errorf("%q–%q: %v, want %q", c.from, c.to, err, c.want)
		}
	}
	// Each day is named as people know it.
	for i, name := range []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"} {
		var days [7]*[2]string
		days[i] = hm("9", "17")
		if _, err := Parse("UTC", days, false); err == nil || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("day %d: %v", i, err)
		}
	}
}

// A plain office week: Monday to Friday, 08:00 to 17:00, the end excluded.
func TestWorkingPlainWeek(t *testing.T) {
	w := parse(t, "Europe/Berlin", weekdays("08:00", "17:00"), true)
	checkWorking(t, w, map[string]bool{
		"2026-06-01T07:59:59+02:00": false, // Monday
		"2026-06-01T08:00:00+02:00": true,
		"2026-06-01T06:30:00Z":      true, // the same, told in UTC
		"2026-06-01T16:59:59+02:00": true,
		"2026-06-01T17:00:00+02:00": false,
		"2026-06-01T23:00:00-04:00": false, // Tuesday 05:00 in Berlin
		"2026-06-05T12:00:00+02:00": true,  // Friday
		"2026-06-06T12:00:00+02:00": false, // Saturday
		"2026-06-07T12:00:00+02:00": false, // Sunday
	})
}

// A night shift runs past midnight: Friday night counts on Saturday
// morning, also when the night crosses into a new month and year.
func TestWorkingNightShift(t *testing.T) {
	var days [7]*[2]string
	days[4] = hm("22:00", "06:00") // Friday night only
	w := parse(t, "Europe/Berlin", days, true)
	checkWorking(t, w, map[string]bool{
		"2026-07-30T23:00:00+02:00": false, // Thursday night: no shift
		"2026-07-31T03:00:00+02:00": false, // Friday morning: Thursday had none
		"2026-07-31T21:59:00+02:00": false,
		"2026-07-31T22:00:00+02:00": true,
		"2026-08-01T00:00:00+02:00": true, // Saturday, a new month
		"2026-08-01T03:00:00+02:00": true,
		"2026-08-01T05:59:59+02:00": true,
		"2026-08-01T06:00:00+02:00": false,
		"2026-08-01T22:30:00+02:00": false, // Saturday night: none
	})
	days = [7]*[2]string{}
	days[3] = hm("20:00", "04:00") // Thursday 2026-12-31 into 2027
	w = parse(t, "Europe/Berlin", days, true)
	checkWorking(t, w, map[string]bool{
		"2027-01-01T03:59:00+01:00": true,
		"2027-01-01T04:00:00+01:00": false,
	})
	// An end written 00:00 is midnight, like 24:00.
	for _, end := range []string{"00:00", "24:00"} {
		days = [7]*[2]string{hm("17:00", end)}
		w = parse(t, "UTC", days, false)
		checkWorking(t, w, map[string]bool{
			"2026-06-01T16:59:00Z": false,
			"2026-06-01T23:59:59Z": true,
			"2026-06-02T00:00:00Z": false,
		})
	}
}

func TestQuietAt(t *testing.T) {
	w := parse(t, "Europe/Berlin", weekdays("08:00", "17:00"), true)
	for _, c := range []struct {
		at, until string // until "": not quiet
	}{
		{"2026-06-01T07:00:00+02:00", "2026-06-01T08:00:00+02:00"}, // Monday early
		{"2026-06-01T12:00:00+02:00", ""},                          // at work
		{"2026-06-01T17:00:00+02:00", "2026-06-02T08:00:00+02:00"}, // evening
		{"2026-06-05T17:00:00+02:00", "2026-06-08T08:00:00+02:00"}, // Friday evening: Monday
		{"2026-06-06T12:00:00+02:00", "2026-06-08T08:00:00+02:00"}, // Saturday
		{"2026-06-07T23:59:00+02:00", "2026-06-08T08:00:00+02:00"}, // Sunday night
		{"2026-07-31T18:00:00+02:00", "2026-08-03T08:00:00+02:00"}, // over a month's end
	} {
		until, quiet := w.QuietAt(at(t, c.at))
		if c.until == "" {
			if quiet {
				t.Errorf("QuietAt(%s) = quiet until %v", c.at, until)
			}
			continue
		}
		if !quiet || !until.Equal(at(t, c.until)) {
			t.Errorf("QuietAt(%s) = %v %v, want until %s", c.at, until, quiet, c.until)
		}
		if until.Location() != w.Loc {
			t.Errorf("QuietAt(%s): until in %v, want the person's zone", c.at, until.Location())
		}
	}

	// One working day a week: after it, the same day next week.
	days := [7]*[2]string{hm("09:00", "12:00")}
	w = parse(t, "Europe/Berlin", days, true)
	if until, quiet := w.QuietAt(at(t, "2026-06-01T12:00:00+02:00")); !quiet || !until.Equal(at(t, "2026-06-08T09:00:00+02:00")) {
		t.Errorf("one day a week: %v %v", until, quiet)
	}

	// Quiet hours off: never quiet.
	w = parse(t, "Europe/Berlin", weekdays("08:00", "17:00"), false)
	if _, quiet := w.QuietAt(at(t, "2026-06-06T12:00:00+02:00")); quiet {
		t.Error("quiet with quiet hours off")
	}
	// No working day at all: never quiet (nobody meant to silence the week).
	w = parse(t, "Europe/Berlin", [7]*[2]string{}, true)
	for _, s := range []string{"2026-06-01T12:00:00+02:00", "2026-06-06T03:00:00+02:00"} {
		if w.Working(at(t, s)) {
			t.Errorf("working at %s without working days", s)
		}
		if _, quiet := w.QuietAt(at(t, s)); quiet {
			t.Errorf("quiet at %s without working days", s)
		}
	}
	// Working all the time: never quiet, quiet hours never begin.
	var always [7]*[2]string
	for i := range always {
		always[i] = hm("00:00", "24:00")
	}
	w = parse(t, "Europe/Berlin", always, true)
	if _, quiet := w.QuietAt(at(t, "2026-06-06T03:00:00+02:00")); quiet {
		t.Error("quiet while always working")
	}
	if next, ok := w.NextQuiet(at(t, "2026-06-06T03:00:00+02:00")); ok {
		t.Errorf("always working: quiet from %v", next)
	}
	// A zero Week (no zone) answers in UTC rather than panicking.
	var zero Week
	zero.Days[0] = &Span{From: 0, To: 60}
	zero.Quiet = true
	if !zero.Working(at(t, "2026-06-01T00:30:00Z")) {
		t.Error("zero Week: not working in UTC")
	}
}

func TestNextQuiet(t *testing.T) {
	night := weekdays("08:00", "17:00")
	night[4] = hm("22:00", "06:00") // Friday: a night shift
	w := parse(t, "Europe/Berlin", night, true)
	for _, c := range []struct {
		at, next string // next "": false
	}{
		{"2026-06-01T12:00:00+02:00", "2026-06-01T17:00:00+02:00"},
		{"2026-06-01T08:00:00+02:00", "2026-06-01T17:00:00+02:00"},
		{"2026-06-01T17:00:00+02:00", ""}, // already quiet
		{"2026-06-05T23:00:00+02:00", "2026-06-06T06:00:00+02:00"},
		{"2026-06-06T03:00:00+02:00", "2026-06-06T06:00:00+02:00"},
		{"2026-06-06T12:00:00+02:00", ""},
	} {
		next, ok := w.NextQuiet(at(t, c.at))
		if c.next == "" {
			if ok {
				t.Errorf("NextQuiet(%s) = %v", c.at, next)
			}
			continue
		}
		if !ok || !next.Equal(at(t, c.next)) {
			t.Errorf("NextQuiet(%s) = %v %v, want %s", c.at, next, ok, c.next)
		}
	}
	// Quiet hours off: they never begin.
	w.Quiet = false
	if next, ok := w.NextQuiet(at(t, "2026-06-01T12:00:00+02:00")); ok {
		t.Errorf("quiet hours off: %v", next)
	}

	// Spans that follow one another without a gap are one stretch of work.
	whole := weekdays("00:00", "24:00")
	w = parse(t, "Europe/Berlin", whole, true)
	if next, ok := w.NextQuiet(at(t, "2026-06-01T10:00:00+02:00")); !ok || !next.Equal(at(t, "2026-06-06T00:00:00+02:00")) {
		t.Errorf("whole weekdays: %v %v, want Saturday 00:00", next, ok)
	}
	var overlap [7]*[2]string
	overlap[0] = hm("22:00", "06:00") // Monday night
	overlap[1] = hm("04:00", "12:00") // and an early Tuesday
	w = parse(t, "Europe/Berlin", overlap, true)
	if next, ok := w.NextQuiet(at(t, "2026-06-01T23:00:00+02:00")); !ok || !next.Equal(at(t, "2026-06-02T12:00:00+02:00")) {
		t.Errorf("overlapping spans: %v %v, want Tuesday 12:00", next, ok)
	}
}

// Europe/Berlin moves its clocks on 2026-03-29 (02:00 CET becomes 03:00
// CEST) and on 2026-10-25 (03:00 CEST becomes 02:00 CET). Hours stay on
// the wall clock; a night across the change is an hour shorter or longer.
func TestBerlinDaylightSaving(t *testing.T) {
	var days [7]*[2]string
	days[5] = hm("22:00", "06:00") // Saturday night into Sunday
	days[6] = hm("08:00", "17:00") // and Sunday
	w := parse(t, "Europe/Berlin", days, true)

	// Spring: Saturday 22:00 CET (21:00Z) to Sunday 06:00 CEST (04:00Z), 7 hours.
	checkWorking(t, w, map[string]bool{
		"2026-03-28T20:59:59Z": false,
		"2026-03-28T21:00:00Z": true,
		"2026-03-29T00:59:59Z": true, // 01:59:59 CET, the last second before the change
		"2026-03-29T01:00:00Z": true, // 03:00 CEST
		"2026-03-29T03:59:59Z": true,
		"2026-03-29T04:00:00Z": false, // 06:00 CEST
		"2026-03-29T05:59:59Z": false,
		"2026-03-29T06:00:00Z": true, // 08:00 CEST
		"2026-03-29T14:59:59Z": true,
		"2026-03-29T15:00:00Z": false, // 17:00 CEST
	})
	if next, ok := w.NextQuiet(at(t, "2026-03-28T23:00:00+01:00")); !ok || !next.Equal(at(t, "2026-03-29T06:00:00+02:00")) ||
		next.Sub(at(t, "2026-03-28T22:00:00+01:00")) != 7*time.Hour {
		t.Errorf("spring night: quiet from %v %v", next, ok)
	}
	if until, quiet := w.QuietAt(at(t, "2026-03-29T04:30:00Z")); !quiet || !until.Equal(at(t, "2026-03-29T08:00:00+02:00")) {
		t.Errorf("spring morning: until %v %v", until, quiet)
	}

	// Autumn: Saturday 22:00 CEST (20:00Z) to Sunday 06:00 CET (05:00Z), 9 hours.
	checkWorking(t, w, map[string]bool{
		"2026-10-24T19:59:59Z": false,
		"2026-10-24T20:00:00Z": true,
		"2026-10-25T00:30:00Z": true, // 02:30 CEST, the first time
		"2026-10-25T01:30:00Z": true, // 02:30 CET, the second time
		"2026-10-25T04:59:59Z": true,
		"2026-10-25T05:00:00Z": false, // 06:00 CET
		"2026-10-25T07:00:00Z": true,  // 08:00 CET
		"2026-10-25T16:00:00Z": false, // 17:00 CET
	})
	if next, ok := w.NextQuiet(at(t, "2026-10-24T23:00:00+02:00")); !ok || !next.Equal(at(t, "2026-10-25T06:00:00+01:00")) ||
		next.Sub(at(t, "2026-10-24T22:00:00+02:00")) != 9*time.Hour {
		t.Errorf("autumn night: quiet from %v %v", next, ok)
	}

	// Times the change skips or repeats follow time.Date: 02:30 on the
	// spring Sunday is 03:30 CEST (01:30Z); on the autumn Sunday it is
	// the second 02:30, in CET (01:30Z too).
	days = [7]*[2]string{}
	days[6] = hm("02:30", "05:00")
	w = parse(t, "Europe/Berlin", days, true)
	checkWorking(t, w, map[string]bool{
		"2026-03-29T01:29:59Z": false,
		"2026-03-29T01:30:00Z": true,
		"2026-10-25T00:45:00Z": false, // the first 02:45
		"2026-10-25T01:30:00Z": true,
		"2026-10-25T03:59:59Z": true, // 04:59:59 CET
		"2026-10-25T04:00:00Z": false,
	})
	if until, quiet := w.QuietAt(at(t, "2026-03-28T12:00:00Z")); !quiet || !until.Equal(at(t, "2026-03-29T01:30:00Z")) {
		t.Errorf("a skipped start: until %v %v", until, quiet)
	}
	// A span wholly inside the skipped hour moves an hour later with
	// both ends; one from a skipped time to 03:00 is empty: no work that
	// day, and quiet until the same span a week later.
	days[6] = hm("02:10", "02:50")
	w = parse(t, "Europe/Berlin", days, true)
	checkWorking(t, w, map[string]bool{
		"2026-03-29T01:09:59Z": false,
		"2026-03-29T01:10:00Z": true, // 03:10 CEST
		"2026-03-29T01:49:59Z": true,
		"2026-03-29T01:50:00Z": false,
	})
	days[6] = hm("02:30", "03:00")
	w = parse(t, "Europe/Berlin", days, true)
	for _, s := range []string{"2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"} {
		if w.Working(at(t, s)) {
			t.Errorf("working at %s in an emptied span", s)
		}
	}
	if until, quiet := w.QuietAt(at(t, "2026-03-28T12:00:00Z")); !quiet || !until.Equal(at(t, "2026-04-05T02:30:00+02:00")) {
		t.Errorf("an emptied span: until %v %v", until, quiet)
	}
}

// America/New_York moves on 2026-03-08 (02:00 EST becomes 03:00 EDT) and
// 2026-11-01 (02:00 EDT becomes 01:00 EST): a weekend's quiet hours end at
// Monday's 09:00 on the new clock.
func TestNewYorkDaylightSaving(t *testing.T) {
	w := parse(t, "America/New_York", weekdays("09:00", "17:00"), true)
	for _, c := range []struct{ at, until string }{
		{"2026-03-06T18:00:00-05:00", "2026-03-09T13:00:00Z"}, // 09:00 EDT
		{"2026-03-02T08:00:00-05:00", "2026-03-02T14:00:00Z"}, // 09:00 EST, the week before
		{"2026-10-30T18:00:00-04:00", "2026-11-02T14:00:00Z"}, // 09:00 EST
	} {
		if until, quiet := w.QuietAt(at(t, c.at)); !quiet || !until.Equal(at(t, c.until)) {
			t.Errorf("QuietAt(%s) = %v %v, want %s", c.at, until, quiet, c.until)
		}
	}
	checkWorking(t, w, map[string]bool{
		"2026-03-09T12:59:59Z": false,
		"2026-03-09T13:00:00Z": true,
		"2026-03-09T20:59:59Z": true, // 16:59:59 EDT
		"2026-03-09T21:00:00Z": false,
		"2026-11-02T13:30:00Z": false, // 08:30 EST
		"2026-11-02T14:00:00Z": true,
	})

	// A Saturday night shift 22:00–06:00 over the autumn change is 9 hours.
	var days [7]*[2]string
	days[5] = hm("22:00", "06:00")
	w = parse(t, "America/New_York", days, true)
	start := at(t, "2026-10-31T22:00:00-04:00")
	if next, ok := w.NextQuiet(start); !ok || next.Sub(start) != 9*time.Hour {
		t.Errorf("autumn night: quiet from %v %v", next, ok)
	}
	start = at(t, "2026-03-07T22:00:00-05:00")
	if next, ok := w.NextQuiet(start); !ok || next.Sub(start) != 7*time.Hour {
		t.Errorf("spring night: quiet from %v %v", next, ok)
	}
}
