package admin

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Formatting for people, not machines. Times are rendered in the server's
// zone in <time datetime=…>; console.js shows them in the browser's locale.

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2 Jan 2006 15:04")
}

func shortDate(t time.Time) string { return t.Local().Format("2 Jan 2006") }

// ago says how long ago t was, or how long until it, in words.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		return plural(int(d.Hours()), "hour")
	default:
		return plural(int(d.Hours()/24), "day")
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if word == "person" {
		return fmt.Sprintf("%d people", n)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func itoa(n int) string { return fmt.Sprint(n) }

func roleWord(role string) string {
	switch role {
	case "admin":
		return "Office manager (admin)"
	case "auditor":
		return "Auditor"
	default:
		return "Member"
	}
}

// contains is a case-insensitive substring test for table search.
func contains(q string, fields ...string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

func urlQuery(s string) string { return url.QueryEscape(s) }
