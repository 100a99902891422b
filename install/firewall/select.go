package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"
)

// ErrUnknownID is returned for a --block id the catalog does not have.
var ErrUnknownID = errors.New("unknown messenger")

// Select resolves ids to entries in catalog order. "all" stands for every
// entry of category messenger; doh and stun must be named (they break more
// than messengers). An empty list means "all".
func (c *Catalog) Select(ids []string) ([]*Entry, error) {
	if len(ids) == 0 {
		ids = []string{"all"}
	}
	want := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		switch {
		case id == "all":
			for _, e := range c.Entries {
				if e.Category == CategoryMessenger {
					want[e.ID] = true
				}
			}
		case c.Entry(id) != nil:
			want[id] = true
		default:
			return nil, fmt.Errorf("%w %q (see --list)", ErrUnknownID, id)
		}
	}
	var out []*Entry
	for _, e := range c.Entries {
		if want[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// plan is what every renderer needs: the merged, sorted facts of a selection.
type plan struct {
	Entries  []*Entry
	Date     string // the catalog's newest source data (Catalog.Date)
	Compared string // when it was last compared with the sources (Catalog.Compared)
	Stale    string // at the time of rendering: the warning that the catalog is old, or ""
	V4, V6   []netip.Prefix
	TCP, UDP []PortRange
	// Both and FwdOnly split V4…UDP for the formats that tell traffic a
	// gateway forwards from the LAN apart from the gateway's own: the doh
	// category's facts go to forwarded traffic only (FwdOnly, less what
	// Both has anyway), so blocking DoH never cuts the gateway's own
	// resolver off from its upstream (1.1.1.1, 8.8.8.8, DoT on 853).
	Both, FwdOnly rules
	Domains       []string // minimal: no name covered by another
	Names         []string // every domain and host, for formats without wildcards
}

// rules are the address ranges and ports of one scope.
type rules struct {
	V4, V6   []netip.Prefix
	TCP, UDP []PortRange
}

func (r rules) empty() bool { return len(r.V4)+len(r.V6)+len(r.TCP)+len(r.UDP) == 0 }

func (r rules) ports() bool { return len(r.TCP)+len(r.UDP) > 0 }

func newPlan(cat *Catalog, entries []*Entry) *plan {
	p := &plan{Entries: entries, Date: cat.Date(), Compared: cat.Compared()}
	var all, both, doh []netip.Prefix
	var tcp, udp, bothTCP, bothUDP, dohTCP, dohUDP []PortRange
	var names []string
	for _, e := range entries {
		all = append(all, e.Prefixes...)
		tcp = append(tcp, e.TCP...)
		udp = append(udp, e.UDP...)
		if e.Category == CategoryDoH {
			doh = append(doh, e.Prefixes...)
			dohTCP = append(dohTCP, e.TCP...)
			dohUDP = append(dohUDP, e.UDP...)
		} else {
			both = append(both, e.Prefixes...)
			bothTCP = append(bothTCP, e.TCP...)
			bothUDP = append(bothUDP, e.UDP...)
		}
		names = append(names, e.Domains...)
		names = append(names, e.Hosts...)
	}
	p.V4, p.V6 = splitFamilies(mergePrefixes(all))
	p.TCP, p.UDP = mergePorts(tcp), mergePorts(udp)
	p.Both.V4, p.Both.V6 = splitFamilies(mergePrefixes(both))
	p.Both.TCP, p.Both.UDP = mergePorts(bothTCP), mergePorts(bothUDP)
	p.FwdOnly.V4, p.FwdOnly.V6 = splitFamilies(subtractPrefixes(doh, both))
	p.FwdOnly.TCP, p.FwdOnly.UDP = subtractPorts(dohTCP, bothTCP), subtractPorts(dohUDP, bothUDP)
	slices.Sort(names)
	p.Names = slices.Compact(names)
	p.Domains = minimalDomains(p.Names)
	return p
}

// subtractPrefixes returns the merged prefixes covering in but not out.
func subtractPrefixes(in, out []netip.Prefix) []netip.Prefix {
	var b netipx.IPSetBuilder
	for _, p := range in {
		b.AddPrefix(p.Masked())
	}
	for _, p := range out {
		b.RemovePrefix(p.Masked())
	}
	set, _ := b.IPSet() // validation admits no invalid prefix
	return set.Prefixes()
}

// subtractPorts returns the merged ranges covering the ports of in that
// are not in out.
func subtractPorts(in, out []PortRange) []PortRange {
	var res []PortRange
	for _, r := range mergePorts(in) {
		lo := int(r.Lo)
		for _, o := range mergePorts(out) {
			if int(o.Hi) < lo || o.Lo > r.Hi {
				continue
			}
			if int(o.Lo) > lo {
				res = append(res, PortRange{uint16(lo), o.Lo - 1})
			}
			lo = int(o.Hi) + 1
		}
		if lo <= int(r.Hi) {
			res = append(res, PortRange{uint16(lo), r.Hi})
		}
	}
	return res
}

// minimalDomains drops names covered by a parent in the list, because every
// DNS format here blocks subdomains too.
func minimalDomains(sorted []string) []string {
	set := map[string]bool{}
	for _, d := range sorted {
		set[d] = true
	}
	var out []string
	for _, d := range sorted {
		covered := false
		for rest := d; ; {
			_, after, ok := strings.Cut(rest, ".")
			if !ok {
				break
			}
			if set[after] {
				covered = true
				break
			}
			rest = after
		}
		if !covered {
			out = append(out, d)
		}
	}
	return out
}

// names lists the selected entries' display names.
func (p *plan) names() string {
	s := make([]string, len(p.Entries))
	for i, e := range p.Entries {
		s[i] = e.Name
	}
	return strings.Join(s, ", ")
}

func (p *plan) prefixes() []netip.Prefix { return append(slices.Clone(p.V4), p.V6...) }
