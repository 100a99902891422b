package firewall

import (
	"net/netip"
	"slices"
)

// mergePrefixes returns the smallest sorted list of prefixes covering exactly
// the union of in: overlapping and adjacent networks are joined, so no two
// output prefixes overlap (nft intervals and ipset reject overlaps anyway).
func mergePrefixes(in []netip.Prefix) []netip.Prefix {
	type span struct{ lo, hi netip.Addr }
	spans := make([]span, 0, len(in))
	for _, p := range in {
		p = p.Masked()
		spans = append(spans, span{p.Addr(), lastAddr(p)})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.lo.Compare(b.lo) })
	var merged []span
	for _, s := range spans {
		if n := len(merged); n > 0 {
			last := &merged[n-1]
			next := last.hi.Next() // invalid after the family's last address
			if last.lo.BitLen() == s.lo.BitLen() && (s.lo.Compare(last.hi) <= 0 || next == s.lo) {
				if s.hi.Compare(last.hi) > 0 {
					last.hi = s.hi
				}
				continue
			}
		}
		merged = append(merged, s)
	}
	var out []netip.Prefix
	for _, s := range merged {
		out = append(out, spanPrefixes(s.lo, s.hi)...)
	}
	return out
}

// spanPrefixes splits [lo, hi] into the fewest aligned prefixes.
func spanPrefixes(lo, hi netip.Addr) []netip.Prefix {
	var out []netip.Prefix
	for {
		bits := lo.BitLen()
		// widen while lo stays the network address and the end stays <= hi
		for bits > 0 {
			p := netip.PrefixFrom(lo, bits-1).Masked()
			if p.Addr() != lo || lastAddr(p).Compare(hi) > 0 {
				break
			}
			bits--
		}
		p := netip.PrefixFrom(lo, bits)
		out = append(out, p)
		end := lastAddr(p)
		if end == hi {
			return out
		}
		lo = end.Next()
	}
}

// lastAddr is the highest address inside p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	b := a.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// splitFamilies returns the IPv4 and IPv6 prefixes of a merged list.
func splitFamilies(ps []netip.Prefix) (v4, v6 []netip.Prefix) {
	for _, p := range ps {
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	return v4, v6
}
