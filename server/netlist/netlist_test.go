package netlist

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParsePrefix(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want: the prefix, or "" for an error
		why            string // part of the error's reason
	}{
		{"IPv4 network", "192.168.1.0/24", "192.168.1.0/24", ""},
		{"IPv4 address is a /32", "192.168.1.20", "192.168.1.20/32", ""},
		{"IPv6 network", "fd00:1::/48", "fd00:1::/48", ""},
		{"IPv6 address is a /128", "2001:db8::7", "2001:db8::7/128", ""},
		{"host bits are kept", "192.168.1.20/24", "192.168.1.20/24", ""},
		{"everything", "0.0.0.0/0", "0.0.0.0/0", ""},
		{"length too long", "10.0.0.0/33", "", "from 0 to 32"},
		{"IPv6 length too long", "fd00::/129", "", "from 0 to 128"},
		{"no length after slash", "10.0.0.0/", "", "from 0 to 32"},
		{"length with a sign", "10.0.0.0/+8", "", "from 0 to 32"},
		{"not an address", "not-a-net", "", "such as 192.168.1.0/24"},
		{"octet too big", "10.0.0.256", "", "such as 192.168.1.20"},
		{"short IPv4", "10.0.0", "", "such as 192.168.1.20"},
		{"a host name", "example.com", "", "such as 192.168.1.20"},
		{"empty", "", "", "empty"},
		{"blanks are not trimmed", " 10.0.0.0/8", "", "such as"},
		{"zone on an address", "fe80::1%eth0", "", "zone (%eth0)"},
		{"zone on a network", "fe80::%eth0/64", "", "zone (%eth0)"},
		{"IPv4-mapped address", "::ffff:192.168.1.5", "", "write IPv4 addresses as IPv4 (192.168.1.5)"},
		{"IPv4-mapped network", "::ffff:10.0.0.0/104", "", "write IPv4 addresses as IPv4 (10.0.0.0/8)"},
		{"IPv4-mapped, wide", "::ffff:0:0/80", "", "write IPv4 addresses as IPv4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePrefix(tc.in)
			if tc.want != "" {
				if err != nil || p.String() != tc.want {
					t.Fatalf("ParsePrefix(%q) = %v, %v; want %s", tc.in, p, err, tc.want)
				}
				return
			}
			var ne *Error
			if !errors.As(err, &ne) || ne.Entry != tc.in || !strings.Contains(ne.Reason, tc.why) {
				t.Fatalf("ParsePrefix(%q) = %v, %v; want an error about %q", tc.in, p, err, tc.why)
			}
			if want := `"` + tc.in + `" is not a network: `; !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("error %q does not start with %q", err, want)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // the prefixes joined by spaces
		fails    bool
		bad      string // the entry the error names
	}{
		{name: "empty", in: ""},
		{name: "blank", in: "  "},
		{name: "one", in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{name: "blanks around entries", in: " 10.0.0.0/8 , 192.168.1.7 ", want: "10.0.0.0/8 192.168.1.7/32"},
		{name: "both families", in: "10.0.0.0/8,fd00::/8", want: "10.0.0.0/8 fd00::/8"},
		{name: "host bits are masked", in: "192.168.1.20/24", want: "192.168.1.0/24"},
		{name: "order and repeats kept", in: "10.0.0.0/8,10.0.0.0/8,1.2.3.4", want: "10.0.0.0/8 10.0.0.0/8 1.2.3.4/32"},
		{name: "bad entry named", in: "10.0.0.0/8,10.0.0.0/33", fails: true, bad: "10.0.0.0/33"},
		{name: "trailing comma", in: "10.0.0.0/8,", fails: true, bad: ""},
		{name: "empty entry", in: "10.0.0.0/8, ,fd00::/8", fails: true, bad: ""},
		{name: "spaces do not separate", in: "10.0.0.0/8 fd00::/8", fails: true, bad: "10.0.0.0/8 fd00::/8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := ParsePrefixes(tc.in)
			if tc.fails {
				var ne *Error
				if !errors.As(err, &ne) || ne.Entry != tc.bad || ps != nil {
					t.Fatalf("ParsePrefixes(%q) = %v, %v; want an error naming %q", tc.in, ps, err, tc.bad)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePrefixes(%q): %v", tc.in, err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("ParsePrefixes(%q) = %v; want %s", tc.in, got, tc.want)
			}
			if tc.want == "" && ps != nil {
				t.Fatalf("ParsePrefixes(%q) = %#v; want nil", tc.in, ps)
			}
		})
	}
}

// Every prefix the parser returns is valid and usable for matching.
func TestParsedPrefixesMatch(t *testing.T) {
	ps, err := ParsePrefixes("192.168.1.20/24, 2001:db8::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		addr string
		in   bool
	}{
		{"192.168.1.200", true},
		{"192.168.2.1", false},
		{"2001:db8::1", true},
		{"2001:db8::2", false},
	} {
		a := netip.MustParseAddr(tc.addr)
		if got := ps[0].Contains(a) || ps[1].Contains(a); got != tc.in {
			t.Errorf("%s in list = %v, want %v", tc.addr, got, tc.in)
		}
	}
}
