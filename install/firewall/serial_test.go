package firewall

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

var soaRE = regexp.MustCompile(`(?m)^@ IN SOA localhost\. hostmaster\.localhost\. (\d+) `)

func rpzSerialOf(t *testing.T, cat *Catalog, ids ...string) uint32 {
	t.Helper()
	m := soaRE.FindStringSubmatch(render(t, "rpz", cat, ids...))
	if m == nil {
		t.Fatalf("rpz %v: no SOA", ids)
	}
	n, err := strconv.ParseUint(m[1], 10, 32) // a 32-bit serial
	if err != nil {
		t.Fatalf("rpz %v: serial %s: %v", ids, m[1], err)
	}
	return uint32(n)
}

// newer says whether serial a is after b in RFC 1982 arithmetic, as a
// secondary compares them.
func newer(a, b uint32) bool { return a != b && a-b < 1<<31 }

// The RPZ serial is the same for the same file, differs whenever the
// choice differs on the same catalog date (stun, which adds nothing to the
// zone, too), and grows with the catalog date
// (also past the YYYYMMDD00 serials earlier versions wrote).
func TestRpzSerial(t *testing.T) {
	cat := mustLoad(t)
	seen := map[uint32]string{}
	for _, ids := range [][]string{{"all"}, {"all", "doh"}, everything, {"telegram"}, {"telegram", "signal"}, {"signal"}, {"doh"}, {"whatsapp"}} {
		s := rpzSerialOf(t, cat, ids...)
		if again := rpzSerialOf(t, cat, ids...); again != s {
			t.Fatalf("%v: serial %d then %d", ids, s, again)
		}
		if other, ok := seen[s]; ok {
			t.Fatalf("%v: serial %d also given to %s", ids, s, other)
		}
		seen[s] = fmt.Sprint(ids)
		if old := uint32(20261121_00); !newer(s, old) {
			t.Fatalf("%v: serial %d is not after %d (an earlier version's)", ids, s, old)
		}
	}

	// a change of the data on the same date changes the serial too
	parse := func(js string) *Catalog {
		c, err := Parse([]byte(js), "test.json")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := rpzSerialOf(t, parse(datedCatalog("2026-03-01", "2026-03-02")), "all")
	b := rpzSerialOf(t, parse(regexp.MustCompile(`example\.com`).ReplaceAllString(datedCatalog("2026-03-01", "2026-03-02"), "example.net")), "all")
	if a == b {
		t.Fatalf("same date, other records: serial %d both times", a)
	}
	// a newer catalog date gives a later serial, whatever the choice, for
	// centuries (the function itself: dates in the future are refused)
	prev := a
	for _, later := range []string{"2026-03-02", "2026-09-01", "2027-03-01", "2040-12-31", "2099-12-31", "2400-01-01"} {
		for _, lines := range [][]string{nil, {"x"}, {"y", "z"}} {
			c, _, _ := rpzSerial(later, lines)
			if !newer(c, prev) || c < prev {
				t.Fatalf("catalog of %s: serial %d not after %d", later, c, prev)
			}
		}
		prev, _, _ = rpzSerial(later, []string{"x"})
	}
}
