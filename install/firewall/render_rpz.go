package firewall

import (
	"fmt"
	"net/netip"
	"strings"
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
		`then: rndc reload   (a new file replaces the old zone; bump the serial if secondaries copy it)`,
	},
	remove: []string{`remove the two named.conf lines above, then: rndc reconfig`},
	body: func(w *writer, p *plan) {
		w.line("$TTL 300")
		w.f("@ IN SOA localhost. hostmaster.localhost. %s00 3600 600 86400 300", strings.ReplaceAll(p.Date, "-", ""))
		w.line("@ IN NS localhost.")
		for _, d := range p.Domains {
			w.f("%s CNAME .", d)
			w.f("*.%s CNAME .", d)
		}
		for _, pr := range p.prefixes() {
			w.f("%s CNAME .", rpzIP(pr))
		}
	},
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
