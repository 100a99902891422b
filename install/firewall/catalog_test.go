package firewall

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"go4.org/netipx"
)

func TestEmbeddedCatalog(t *testing.T) {
	cat := mustLoad(t)
	want := strings.Fields("whatsapp telegram signal messenger discord slack viber wechat line snapchat skype zoom matrix threema kik kakaotalk googlechat icq yahoo msn xmpp irc doh stun")
	for _, id := range want {
		if cat.Entry(id) == nil {
			t.Fatalf("catalog lacks %q", id)
		}
	}
	for _, e := range cat.Entries {
		if len(e.Sources) == 0 || e.SourceDate == "" || e.Compared == "" || e.Note == "" {
			t.Fatalf("%s: needs sources, their date, when they were compared and a note", e.ID)
		}
		for _, d := range append(append([]string{}, e.Domains...), e.Hosts...) {
			if err := checkDomain(d); err != nil {
				t.Fatalf("%s: domain %q: %v", e.ID, d, err)
			}
		}
		if len(e.Prefixes) != len(e.Ranges) {
			t.Fatalf("%s: %d ranges parsed of %d", e.ID, len(e.Prefixes), len(e.Ranges))
		}
		for _, r := range append(append([]PortRange{}, e.TCP...), e.UDP...) {
			if why := r.protected(); why != "" {
				t.Fatalf("%s: port %s: %s", e.ID, r, why)
			}
		}
	}
	if cat.Date() == "" {
		t.Fatal("catalog has no date")
	}
}

// The merged output of the whole catalog has no overlapping or adjacent
// prefixes, covers every input range and nothing more.
func TestMergedRangesDoNotOverlap(t *testing.T) {
	cat := mustLoad(t)
	entries, err := cat.Select(everything)
	if err != nil {
		t.Fatal(err)
	}
	p := newPlan(cat, entries)
	out := p.prefixes()
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[i].Overlaps(out[j]) {
				t.Fatalf("%s overlaps %s", out[i], out[j])
			}
		}
		if i > 0 && out[i-1].Addr().BitLen() == out[i].Addr().BitLen() && out[i-1].Addr().Compare(out[i].Addr()) >= 0 {
			t.Fatalf("not sorted: %s before %s", out[i-1], out[i])
		}
	}
	for _, e := range entries {
		for _, in := range e.Prefixes {
			if !covered(out, in.Addr()) || !covered(out, netipx.RangeOfPrefix(in).To()) {
				t.Fatalf("%s: %s lost in merge", e.ID, in)
			}
		}
	}
	// the rendered nft set must say the same
	nft := render(t, "nftables", cat, everything...)
	for _, pr := range out {
		if strings.Count(nft, "\t\t\t"+pr.String()+",")+strings.Count(nft, "\t\t\t"+pr.String()+"\n") != 1 {
			t.Fatalf("%s not exactly once in nft output", pr)
		}
	}
}

func covered(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func TestMergePrefixes(t *testing.T) {
	in := []netip.Prefix{
		netip.MustParsePrefix("91.108.4.0/22"),
		netip.MustParsePrefix("91.108.8.0/22"),
		netip.MustParsePrefix("91.108.12.0/22"),
		netip.MustParsePrefix("91.108.9.0/24"), // inside
		netip.MustParsePrefix("91.108.16.0/22"),
		netip.MustParsePrefix("10.0.0.1/32"),
		netip.MustParsePrefix("10.0.0.2/32"),
		netip.MustParsePrefix("2001:db8::/48"),
		netip.MustParsePrefix("2001:db8:1::/48"),
		netip.MustParsePrefix("255.255.255.255/32"),
		netip.MustParsePrefix("::/128"),          // must not join IPv4's last address
		netip.MustParsePrefix("2001:db8::5/128"), // inside
	}
	got := mergePrefixes(in)
	want := "10.0.0.1/32 10.0.0.2/32 91.108.4.0/22 91.108.8.0/21 91.108.16.0/22 255.255.255.255/32 ::/128 2001:db8::/47"
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	if strings.Join(s, " ") != want {
		t.Fatalf("merge = %v\nwant   %s", s, want)
	}
}

func TestPortsMergeAndProtect(t *testing.T) {
	got := mergePorts([]PortRange{{5000, 5010}, {5011, 5011}, {6000, 6000}, {5005, 5007}})
	if joinPorts(got, ",", "-") != "5000-5011,6000" {
		t.Fatalf("mergePorts = %v", got)
	}
	for _, s := range []string{"5223", "5228", "5230", "5220-5225", "5229-5300", "443", "80", "53"} {
		r, err := ParsePortRange(s)
		if err != nil || r.protected() == "" {
			t.Fatalf("%s should be protected (err %v)", s, err)
		}
	}
	for _, s := range []string{"0", "65536", "10-5", "x", "05222", "1-"} {
		if _, err := ParsePortRange(s); err == nil {
			t.Fatalf("%q should not parse", s)
		}
	}
	groups := chunkPorts([]PortRange{{1, 1}, {2, 3}, {4, 4}, {5, 6}, {7, 7}, {8, 9}, {10, 10}, {11, 12}, {13, 13}, {14, 15}, {16, 16}}, 15)
	for _, g := range groups {
		cost := 0
		for _, r := range g {
			cost++
			if r.Lo != r.Hi {
				cost++
			}
		}
		if cost > 15 {
			t.Fatalf("chunk costs %d > 15: %v", cost, g)
		}
	}
}

func TestNoRuleTouchesPushPorts(t *testing.T) {
	cat := mustLoad(t)
	entries, _ := cat.Select(everything)
	p := newPlan(cat, entries)
	for _, r := range append(append([]PortRange{}, p.TCP...), p.UDP...) {
		if r.Lo <= 5223 && 5223 <= r.Hi || r.Lo <= 5230 && 5228 <= r.Hi {
			t.Fatalf("port rule %s touches push-notification ports", r)
		}
	}
	for _, f := range Formats() {
		out := render(t, f, cat, everything...)
		for _, port := range []string{"5223", "5228", "5229", "5230"} {
			if strings.Contains(out, port) {
				t.Fatalf("%s output mentions port %s", f, port)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	cat := mustLoad(t)
	all, err := cat.Select([]string{"all"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.Category != CategoryMessenger {
			t.Fatalf("all includes %s (%s)", e.ID, e.Category)
		}
	}
	if len(all) != 26 {
		t.Fatalf("all = %d entries, want 26", len(all))
	}
	if _, err := cat.Select([]string{"telegram", "nosuch"}); !errors.Is(err, ErrUnknownID) || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("unknown id: %v", err)
	}
	if err := Render(new(strings.Builder), "nosuch", cat, nil); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("unknown format: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct{ field, value, want string }{
		{"ranges", `["1.2.3.4/33"]`, `bad range "1.2.3.4/33"`},
		{"ranges", `["91.108.4.1/22"]`, "host bits set"},
		{"ranges", `["10.0.0.0/8"]`, "not a public"},
		{"ranges", `["0.0.0.0/0"]`, "too broad"},
		{"domains", `["exa mple.com"]`, `bad domain "exa mple.com"`},
		{"domains", `["*.example.com"]`, `bad domain`},
		{"domains", `["Example.com"]`, "lower case"},
		{"domains", `["localhost"]`, "two labels"},
		{"ports", `{"tcp":["5222-5224"]}`, "must never be blocked"},
		{"ports", `{"udp":["5228"]}`, "must never be blocked"},
		{"ports", `{"tcp":["443"]}`, "must never be blocked"},
		{"sources", `[]`, "no sources"},
		{"checked", `"21.11.2026"`, "bad source_date"},
	} {
		_, err := Parse([]byte(testCatalog(tc.field, tc.value)), "x.json")
		if err == nil || !errors.Is(err, ErrInvalidCatalog) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `entry "bad"`) {
			t.Fatalf("%s=%s: err = %v, want %q naming entry bad", tc.field, tc.value, err, tc.want)
		}
	}
	// the line of the bad value is named
	_, err := Parse([]byte(testCatalog("ranges", `["1.2.3.4/33"]`)), "x.json")
	if !strings.HasPrefix(err.Error(), "x.json:13:") {
		t.Fatalf("want line 13 in %v", err)
	}
	if _, err := Parse([]byte(`{"entries": [ {"id": "a",}`), "y.json"); err == nil || !strings.HasPrefix(err.Error(), "y.json:1:") {
		t.Fatalf("syntax error: %v", err)
	}
	if _, err := Parse([]byte(`{"entries": [], "extra": 1}`), "z.json"); err == nil {
		t.Fatal("unknown field accepted")
	}
	if _, err := Parse([]byte(testCatalog("", "")), "ok.json"); err != nil {
		t.Fatalf("good catalog: %v", err)
	}
}

// testCatalog is a two-entry catalog; entry "bad" gets field set to value.
// Its "ranges" line is line 13.
func testCatalog(field, value string) string {
	f := map[string]string{
		"domains": `["example.com"]`,
		"ranges":  `["198.51.99.0/24"]`,
		"ports":   `{"tcp":["1863"]}`,
		"sources": `["test"]`,
		"checked": `"2026-01-02"`,
	}
	if field != "" {
		f[field] = value
	}
	return `{
 "entries": [
  {
   "id": "good", "name": "Good", "category": "messenger",
   "domains": ["example.org"], "ranges": ["198.51.98.0/24"], "ports": {},
   "note": "n", "sources": ["s"], "checked": "2026-01-01"
  },
  {
   "id": "bad",
   "name": "Bad",
   "category": "messenger",
   "domains": ` + f["domains"] + `,
   "ranges": ` + f["ranges"] + `,
   "ports": ` + f["ports"] + `,
   "note": "n",
   "sources": ` + f["sources"] + `,
   "checked": ` + f["checked"] + `
  }
 ]
}`
}
