package firewall

import (
	"net/netip"

	"go4.org/netipx"
)

// mergePrefixes returns the smallest sorted list of prefixes covering exactly
// the union of in: overlapping and adjacent networks are joined, so no two
// output prefixes overlap (nft intervals and ipset reject overlaps anyway).
// IPv4 sorts before IPv6.
func mergePrefixes(in []netip.Prefix) []netip.Prefix {
	var b netipx.IPSetBuilder
	for _, p := range in {
		b.AddPrefix(p.Masked())
	}
	// The only error is an invalid prefix, and validation admits none.
	set, _ := b.IPSet()
	return set.Prefixes()
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
