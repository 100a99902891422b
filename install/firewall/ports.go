package firewall

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// PortRange is an inclusive range of destination ports.
type PortRange struct{ Lo, Hi uint16 }

// ParsePortRange reads "N" or "N-M" with 1 <= N <= M <= 65535.
func ParsePortRange(s string) (PortRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := parsePort(lo)
	if err != nil {
		return PortRange{}, err
	}
	b := a
	if isRange {
		if b, err = parsePort(hi); err != nil {
			return PortRange{}, err
		}
		if b < a {
			return PortRange{}, errors.New("range runs backwards")
		}
	}
	return PortRange{a, b}, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 || s != strconv.FormatUint(n, 10) {
		return 0, fmt.Errorf("%q is not a port number 1-65535", s)
	}
	return uint16(n), nil
}

// protectedPorts must never be blocked, whatever a catalog says.
var protectedPorts = []struct {
	r   PortRange
	why string
}{
	{PortRange{53, 53}, "DNS"},
	{PortRange{80, 80}, "the web (HTTP)"},
	{PortRange{443, 443}, "the web (HTTPS); block the messenger's ranges or domains instead"},
	{PortRange{5223, 5223}, "Apple push notifications (APNs)"},
	{PortRange{5228, 5230}, "Android/Firebase push notifications"},
}

func (r PortRange) protected() string {
	for _, p := range protectedPorts {
		if r.Lo <= p.r.Hi && p.r.Lo <= r.Hi {
			return fmt.Sprintf("includes %s, used by %s", p.r, p.why)
		}
	}
	return ""
}

// String gives "N" or "N-M".
func (r PortRange) String() string { return r.Format("-") }

// Format writes the range with sep between the ends ("-" or ":").
func (r PortRange) Format(sep string) string {
	if r.Lo == r.Hi {
		return strconv.Itoa(int(r.Lo))
	}
	return strconv.Itoa(int(r.Lo)) + sep + strconv.Itoa(int(r.Hi))
}

// mergePorts sorts ranges and joins overlapping or adjacent ones.
func mergePorts(in []PortRange) []PortRange {
	rs := slices.Clone(in)
	slices.SortFunc(rs, func(a, b PortRange) int { return int(a.Lo) - int(b.Lo) })
	var out []PortRange
	for _, r := range rs {
		if n := len(out); n > 0 && int(r.Lo) <= int(out[n-1].Hi)+1 {
			out[n-1].Hi = max(out[n-1].Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// chunkPorts splits ranges into groups whose cost (1 per port, 2 per range)
// stays within limit: iptables multiport and RouterOS take 15.
func chunkPorts(rs []PortRange, limit int) [][]PortRange {
	var out [][]PortRange
	var cur []PortRange
	cost := 0
	for _, r := range rs {
		c := 1
		if r.Lo != r.Hi {
			c = 2
		}
		if cost+c > limit {
			out = append(out, cur)
			cur, cost = nil, 0
		}
		cur = append(cur, r)
		cost += c
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func joinPorts(rs []PortRange, sep, rangeSep string) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.Format(rangeSep)
	}
	return strings.Join(s, sep)
}
