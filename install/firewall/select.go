package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
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
	Date     string
	V4, V6   []netip.Prefix
	TCP, UDP []PortRange
	Domains  []string // minimal: no name covered by another
	Names    []string // every domain and host, for formats without wildcards
}

func newPlan(cat *Catalog, entries []*Entry) *plan {
	p := &plan{Entries: entries, Date: cat.Date()}
	var prefixes []netip.Prefix
	var tcp, udp []PortRange
	var names []string
	for _, e := range entries {
		prefixes = append(prefixes, e.Prefixes...)
		tcp = append(tcp, e.TCP...)
		udp = append(udp, e.UDP...)
		names = append(names, e.Domains...)
		names = append(names, e.Hosts...)
	}
	p.V4, p.V6 = splitFamilies(mergePrefixes(prefixes))
	p.TCP, p.UDP = mergePorts(tcp), mergePorts(udp)
	slices.Sort(names)
	p.Names = slices.Compact(names)
	p.Domains = minimalDomains(p.Names)
	return p
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
