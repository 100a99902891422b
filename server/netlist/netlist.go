// Package netlist reads the networks people write: one network, or a
// comma-separated list of them, as given on the command line, in the
// console's settings and in the firewall catalog.
package netlist

import (
	"fmt"
	"net/netip"
	"strings"
)

// Error names the entry that is not a network and why.
type Error struct {
	Entry  string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%q is not a network: %s", e.Entry, e.Reason)
}

// ParsePrefix reads one network: a CIDR prefix such as 192.168.1.0/24, or a
// single address, which stands for itself alone (/32 or /128), with nothing
// around it: callers reading what people type trim it first. Host bits are
// kept as written, so a caller can insist on a clean network; Masked drops
// them.
func ParsePrefix(s string) (netip.Prefix, error) {
	fail := func(reason string) (netip.Prefix, error) {
		return netip.Prefix{}, &Error{Entry: s, Reason: reason}
	}
	if s == "" {
		return fail("the entry is empty")
	}
	addr, _, hasBits := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return fail("write an address such as 192.168.1.20 or a network such as 192.168.1.0/24")
	}
	// A zone names an interface of one machine, never a network; netip
	// would drop it silently from a bare address.
	if a.Zone() != "" {
		return fail("an interface zone (%" + a.Zone() + ") cannot be part of a network")
	}
	p := netip.PrefixFrom(a, a.BitLen())
	if hasBits {
		if p, err = netip.ParsePrefix(s); err != nil {
			// The address is good, so the length is at fault.
			return fail(fmt.Sprintf("the length after / must be a number from 0 to %d", a.BitLen()))
		}
	}
	// The server compares client addresses unmapped and firewalls see IPv4
	// packets as IPv4, so a mapped entry would never match anything.
	if a.Is4In6() {
		switch {
		case !hasBits:
			return fail("write IPv4 addresses as IPv4 (" + a.Unmap().String() + ")")
		case p.Bits() >= 96:
			return fail("write IPv4 addresses as IPv4 (" + netip.PrefixFrom(a.Unmap(), p.Bits()-96).String() + ")")
		}
		return fail("write IPv4 addresses as IPv4")
	}
	return p, nil
}

// ParsePrefixes reads a comma-separated list of networks (ParsePrefix),
// ignoring blanks around each; a blank list means none. Each is masked to
// its network (192.168.1.20/24 is 192.168.1.0/24), as a list of allowed
// networks wants. An empty entry, as in "10.0.0.0/8,,", is an error.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		p, err := ParsePrefix(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
