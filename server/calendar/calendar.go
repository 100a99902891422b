// Package calendar reads the days people type, such as 2026-03-14, as days
// of the office: the server's local time zone, the one its daily digests
// and per-day counts use.
package calendar

import (
	"fmt"
	"time"
)

// ParseDay reads a day written as 2026-03-14, nothing around it, and returns
// the day's first instant in the local time zone. The day after it starts at
// ParseDay(s).AddDate(0, 0, 1), which stays right across daylight saving.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2026-03-14", s)
	}
	return t, nil
}
