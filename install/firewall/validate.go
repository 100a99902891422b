package firewall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"inhouse/server/netlist"
)

// ErrInvalidCatalog marks every catalog validation error.
var ErrInvalidCatalog = errors.New("invalid catalog")

// CatalogError names the file, line, entry and value that failed.
type CatalogError struct {
	File  string
	Line  int    // 0 when unknown
	Entry string // entry id, if any
	Msg   string
}

func (e *CatalogError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Entry != "" {
		fmt.Fprintf(&b, ": entry %q", e.Entry)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

func (e *CatalogError) Unwrap() error { return ErrInvalidCatalog }

// Parse decodes and validates a catalog; name is used in error messages.
func Parse(data []byte, name string) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a typo in a field name must not silently drop facts
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		ce := &CatalogError{File: name, Msg: err.Error()}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			ce.Line = lineAt(data, int(se.Offset))
		case errors.As(err, &te):
			ce.Line = lineAt(data, int(te.Offset))
		}
		return nil, ce
	}
	if len(c.Entries) == 0 {
		return nil, &CatalogError{File: name, Msg: "no entries"}
	}
	v := validator{data: data, file: name, seen: map[string]bool{}}
	for i, e := range c.Entries {
		if e == nil {
			return nil, &CatalogError{File: name, Msg: fmt.Sprintf("entry %d is null", i+1)}
		}
		if err := v.entry(e); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

type validator struct {
	data []byte
	file string
	seen map[string]bool
}

// fail reports msg for entry e, locating the line of the quoted value.
func (v *validator) fail(e *Entry, value, format string, args ...any) error {
	line := 0
	if value != "" {
		if q, err := json.Marshal(value); err == nil {
			line = v.lineOf(e.ID, q)
		}
	}
	return &CatalogError{File: v.file, Line: line, Entry: e.ID, Msg: fmt.Sprintf(format, args...)}
}

// lineOf finds value after the entry's id in the file, so the same value in
// two entries is reported at the right one.
func (v *validator) lineOf(id string, value []byte) int {
	start := 0
	if q, err := json.Marshal(id); err == nil {
		if i := bytes.Index(v.data, append([]byte(`"id": `), q...)); i >= 0 {
			start = i
		}
	}
	if i := bytes.Index(v.data[start:], value); i >= 0 {
		return lineAt(v.data, start+i)
	}
	return 0
}

func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

var idRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

func (v *validator) entry(e *Entry) error {
	if !idRE.MatchString(e.ID) || e.ID == "all" {
		return v.fail(e, e.ID, "bad id %q (lower-case letters, digits, - and _; not \"all\")", e.ID)
	}
	if v.seen[e.ID] {
		return v.fail(e, e.ID, "duplicate id %q", e.ID)
	}
	v.seen[e.ID] = true
	if strings.TrimSpace(e.Name) == "" || strings.ContainsAny(e.Name, "\t\n\r\"'`$") {
		return v.fail(e, e.Name, "bad or missing name %q", e.Name)
	}
	switch e.Category {
	case CategoryMessenger, CategoryBusiness, CategorySocial, CategoryDoH, CategorySTUN:
	default:
		return v.fail(e, e.Category, "bad category %q (messenger, business, social, doh or stun)", e.Category)
	}
	if len(e.Sources) == 0 {
		return v.fail(e, "", "no sources")
	}
	for _, s := range e.Sources {
		if strings.TrimSpace(s) == "" {
			return v.fail(e, "", "empty source")
		}
	}
	if e.Compared == "" && e.SourceDate == "" {
		e.Compared, e.SourceDate = e.Checked, e.Checked // a catalog from before the two dates
	}
	e.Checked = ""
	tomorrow := time.Now().UTC().Add(24 * time.Hour)
	for _, d := range []struct{ name, value string }{{"source_date", e.SourceDate}, {"compared", e.Compared}} {
		t, err := time.Parse(time.DateOnly, d.value)
		if err != nil {
			return v.fail(e, d.value, "bad %s %q (want YYYY-MM-DD)", d.name, d.value)
		}
		if t.After(tomorrow) {
			return v.fail(e, d.value, "%s %s is in the future", d.name, d.value)
		}
	}
	if e.SourceDate > e.Compared {
		return v.fail(e, e.SourceDate, "source_date %s is after compared %s: data cannot be compared before it exists", e.SourceDate, e.Compared)
	}
	for _, d := range append(append([]string{}, e.Domains...), e.Hosts...) {
		if err := checkDomain(d); err != nil {
			return v.fail(e, d, "bad domain %q: %v", d, err)
		}
	}
	e.Prefixes = nil
	for _, r := range e.Ranges {
		p, err := parseRange(r)
		if err != nil {
			return v.fail(e, r, "bad range %q: %v", r, err)
		}
		e.Prefixes = append(e.Prefixes, p)
	}
	var err error
	if e.TCP, err = v.ports(e, e.Ports.TCP, "tcp"); err != nil {
		return err
	}
	if e.UDP, err = v.ports(e, e.Ports.UDP, "udp"); err != nil {
		return err
	}
	if len(e.Domains)+len(e.Hosts)+len(e.Ranges)+len(e.TCP)+len(e.UDP) == 0 {
		return v.fail(e, "", "blocks nothing (no domains, hosts, ranges or ports)")
	}
	return nil
}

func (v *validator) ports(e *Entry, list []string, proto string) ([]PortRange, error) {
	var out []PortRange
	for _, s := range list {
		r, err := ParsePortRange(s)
		if err != nil {
			return nil, v.fail(e, s, "bad %s port %q: %v", proto, s, err)
		}
		if why := r.protected(); why != "" {
			return nil, v.fail(e, s, "%s port %q must never be blocked: %s", proto, s, why)
		}
		out = append(out, r)
	}
	return out, nil
}

// parseRange accepts a CIDR prefix (or a single address) of a public network.
func parseRange(s string) (netip.Prefix, error) {
	p, err := netlist.ParsePrefix(s)
	if err != nil {
		var ne *netlist.Error
		if errors.As(err, &ne) {
			return p, errors.New(ne.Reason) // the caller names the range
		}
		return p, err
	}
	a := p.Addr()
	switch {
	case p.Masked() != p:
		return p, fmt.Errorf("host bits set (the network is %s)", p.Masked())
	case a.Is4() && p.Bits() < 8, a.Is6() && p.Bits() < 16:
		return p, errors.New("too broad")
	case !a.IsGlobalUnicast() || a.IsPrivate() || isSpecial(p):
		return p, errors.New("not a public unicast network")
	}
	return p, nil
}

// special networks that must never end up in a block list: they would cut the
// office off from itself or from documentation/test ranges used in tests.
var specials = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("192.0.2.0/24"), // documentation
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

func isSpecial(p netip.Prefix) bool {
	for _, s := range specials {
		if s.Overlaps(p) {
			return true
		}
	}
	return false
}

// checkDomain accepts a lower-case, ASCII (IDNA/punycode) host name with at
// least two labels; no wildcards, no trailing dot, no IP addresses.
func checkDomain(d string) error {
	if d == "" {
		return errors.New("empty")
	}
	if len(d) > 253 {
		return errors.New("longer than 253 characters")
	}
	if d != strings.ToLower(d) {
		return errors.New("must be lower case")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return errors.New("needs at least two labels")
	}
	for _, l := range labels {
		if l == "" {
			return errors.New("empty label")
		}
		if len(l) > 63 {
			return fmt.Errorf("label %q longer than 63 characters", l)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with '-'", l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("character %q not allowed (use punycode for IDNs)", c)
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return errors.New("top-level label is numeric")
	}
	return nil
}
