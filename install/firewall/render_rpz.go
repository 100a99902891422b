package firewall

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"strings"
	"time"
)

// rpz: a BIND response-policy zone. Names answer NXDOMAIN ("CNAME ."), and
// rpz-ip triggers turn any answer pointing into a blocked range into NXDOMAIN
// too, which also catches names the catalog does not know.
var rpzFormat = format{
	comment: ";",
	dns:     true,
	apply: []string{
		`save as /etc/bind/db.rpz.inhouse (check with: named-checkzone rpz.inhouse FILE); in named.conf:`,
		`  options { response-policy { zone "rpz.inhouse"; }; };`,
		`  zone "rpz.inhouse" { type primary; file "/etc/bind/db.rpz.inhouse"; allow-query { none; }; };`,
		`then: rndc reload   (a new file replaces the old zone; secondaries copy it when the serial changes:`,
		`  a newer catalog raises it; another --block on the same catalog date may lower it, then run`,
		`  rndc retransfer rpz.inhouse on each secondary)`,
	},
	remove: []string{`remove the two named.conf lines above, then: rndc reconfig`},
	body: func(w *writer, p *plan) {
		var records []string
		for _, d := range p.Domains {
			records = append(records, d+" CNAME .", "*."+d+" CNAME .")
		}
		for _, pr := range p.prefixes() {
			records = append(records, rpzIP(pr)+" CNAME .")
		}
		ids := make([]string, len(p.Entries))
		for i, e := range p.Entries {
			ids[i] = e.ID
		}
		serial, days, hash := rpzSerial(p.Date, append(ids, records...))
		w.line("$TTL 300")
		w.f("; serial = %d + 10000 x %d days from %s to the catalog date + %04d, a hash of the", rpzSerialBase, days, rpzEpoch.Format(time.DateOnly), hash)
		w.line("; choice and the records: a newer catalog gives a higher serial, another --block a different one")
		w.f("@ IN SOA localhost. hostmaster.localhost. %d 3600 600 86400 300", serial)
		w.line("@ IN NS localhost.")
		for _, r := range records {
			w.line(r)
		}
	},
}

// The SOA serial must change whenever the choice of entries or the zone's
// records do (a secondary copies the zone only when the serial changes) and should grow with the
// catalog's date, as a 32-bit serial compared in RFC 1982 arithmetic.
// YYYYMMDDnn leaves two digits, a hash collision in 100; counting days
// leaves four. The base keeps every serial above the YYYYMMDD00 serials
// earlier versions wrote (up to 2099), so secondaries holding one of those
// still take the new zone; it stays below 2^32 for 600 years. Within one
// catalog date, another choice may give a lower serial: secondaries then
// need rndc retransfer (the header says so).
const rpzSerialBase = 2100000000

var rpzEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// rpzSerial hashes lines: the chosen ids, then the records.
func rpzSerial(date string, lines []string) (serial uint32, days, hash int) {
	if t, err := time.Parse(time.DateOnly, date); err == nil && t.After(rpzEpoch) {
		days = int(t.Sub(rpzEpoch).Hours() / 24)
	}
	h := fnv.New32a()
	for _, l := range lines {
		h.Write([]byte(l + "\n"))
	}
	hash = int(h.Sum32() % 10000)
	return uint32(rpzSerialBase + 10000*days + hash), days, hash
}

// rpzIP encodes a prefix as an rpz-ip owner name: the prefix length, then
// the address reversed (IPv4 octets; IPv6 16-bit words with the longest run
// of zero words written as "zz").
func rpzIP(p netip.Prefix) string {
	a := p.Addr()
	var parts []string
	if a.Is4() {
		b := a.As4()
		for i := 3; i >= 0; i-- {
			parts = append(parts, fmt.Sprint(b[i]))
		}
	} else {
		b := a.As16()
		var words [8]uint16
		for i := range words {
			words[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		// longest run of zero words, at least two long
		bestAt, bestLen := -1, 1
		for i := 0; i < 8; {
			j := i
			for j < 8 && words[j] == 0 {
				j++
			}
			if j-i > bestLen {
				bestAt, bestLen = i, j-i
			}
			i = max(j, i+1)
		}
		for i := 7; i >= 0; i-- {
			switch {
			case bestAt >= 0 && i >= bestAt && i < bestAt+bestLen:
				if i == bestAt {
					parts = append(parts, "zz")
				}
			default:
				parts = append(parts, fmt.Sprintf("%x", words[i]))
			}
		}
	}
	return fmt.Sprintf("%d.%s.rpz-ip", p.Bits(), strings.Join(parts, "."))
}
