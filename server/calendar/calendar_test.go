package calendar

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST test must not depend on the machine's zone files
)

// local sets the local time zone for one test.
func local(t *testing.T, loc *time.Location) {
	old := time.Local
	time.Local = loc
	t.Cleanup(func() { time.Local = old })
}

func TestParseDay(t *testing.T) {
	local(t, time.FixedZone("office", 2*60*60))
	for _, tc := range []struct {
		name, in string
		want     string // RFC 3339, or "" for an error
	}{
		{"a day", "2026-03-14", "2026-03-14T00:00:00+02:00"},
		{"leap day", "2024-02-29", "2024-02-29T00:00:00+02:00"},
		{"first day of a year", "2027-01-01", "2027-01-01T00:00:00+02:00"},
		{"no leap day", "2026-02-29", ""},
		{"month 13", "2026-13-01", ""},
		{"single digits", "2026-3-14", ""},
		{"day first", "14.3.2026", ""},
		{"US order", "03/14/2026", ""},
		{"a time too", "2026-03-14T10:00:00Z", ""},
		{"blanks around", " 2026-03-14", ""},
		{"a word", "yesterday", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDay(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("ParseDay(%q) = %v, want an error", tc.in, got)
				}
				if want := `"` + tc.in + `" is not a date like 2026-03-14`; err.Error() != want {
					t.Fatalf("error %q, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDay(%q): %v", tc.in, err)
			}
			if got.Format(time.RFC3339) != tc.want || got.Location() != time.Local {
				t.Fatalf("ParseDay(%q) = %v, want %s in the local zone", tc.in, got, tc.want)
			}
		})
	}
}

// The next day starts at the next local midnight even when the clocks
// change in between.
func TestNextDayAcrossDaylightSaving(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local(t, loc)
	for _, tc := range []struct{ day, next string }{
		{"2026-03-29", "2026-03-30T00:00:00+02:00"}, // 23 hours long
		{"2026-10-25", "2026-10-26T00:00:00+01:00"}, // 25 hours long
	} {
		t.Run(tc.day, func(t *testing.T) {
			d, err := ParseDay(tc.day)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.AddDate(0, 0, 1).Format(time.RFC3339); got != tc.next {
				t.Fatalf("day after %s starts %s, want %s", tc.day, got, tc.next)
			}
			if !strings.HasPrefix(d.Format(time.RFC3339), tc.day+"T00:00:00") {
				t.Fatalf("%s starts %v", tc.day, d)
			}
		})
	}
}
