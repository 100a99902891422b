package firewall

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// testdata/reference/ keeps what public lists say, so the tests need no
// network:
//
//   - ID.LIST.txt: the names list LIST (adguard, v2fly, ndpi, blackmatrix7,
//     or vendor: the service's own published configuration) gives for the
//     service that catalog entry ID blocks;
//   - cdn.NAME.txt: the published address ranges of a shared CDN or cloud;
//   - teams-work.microsoft.txt: what Teams for work needs (teams_test.go).
//
// Every file's first line is "# source: URL ... (commit or version, date)".
// A list's regular expressions, keywords and partial names are left out:
// they are kept as "# left out (why): entry" comment lines, so the files
// show what was skipped, and only plain host names count.

// coverage thresholds: a messenger or business tool must block this share of
// the names the lists give for it; doh of the public resolvers' names.
const (
	minCoverage    = 0.95
	minDoHCoverage = 0.80
)

var sourceLine = regexp.MustCompile(`^# source: .*https?://\S+.*\b(19|20)\d\d-\d\d-\d\d\b`)

// readRefLines returns the non-comment lines of a reference file, checking
// that its first line names the source and a date.
func readRefLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	first := true
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if first {
			if !sourceLine.MatchString(l) {
				t.Fatalf("%s: first line must be \"# source: URL ... date\", got %q", path, l)
			}
			first = false
		}
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no entries", path)
	}
	return out
}

// refList is one public list's names for one catalog entry.
type refList struct {
	entry, list string
	names       []string
}

func loadRefLists(t *testing.T, cat *Catalog) []refList {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "reference", "*.*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []refList
	for _, p := range paths {
		base := strings.TrimSuffix(filepath.Base(p), ".txt")
		id, list, _ := strings.Cut(base, ".")
		if id == "cdn" || id == "teams-work" {
			continue
		}
		if cat.Entry(id) == nil {
			t.Fatalf("%s: no catalog entry %q", p, id)
		}
		names := readRefLines(t, p)
		for _, n := range names {
			if err := checkDomain(n); err != nil {
				t.Fatalf("%s: %q is not a plain host name (%v): leave it out with a comment", p, n, err)
			}
		}
		out = append(out, refList{entry: id, list: list, names: names})
	}
	if len(out) < 40 {
		t.Fatalf("only %d reference lists", len(out))
	}
	return out
}

// coveredBy says whether name equals or lies below one of domains.
func coveredBy(domains []string, name string) bool {
	for _, d := range domains {
		if under(name, d) {
			return true
		}
	}
	return false
}

type coverageRow struct {
	id, name, lists  string
	names, kept, hit int
}

func (r coverageRow) share() float64 {
	if r.names-r.kept == 0 {
		return 1
	}
	return float64(r.hit) / float64(r.names-r.kept)
}

// coverage computes, per entry, the union of the names its lists give, the
// names left open for Teams for work, and how many of the rest the entry's
// domains cover.
func coverage(t *testing.T, cat *Catalog) []coverageRow {
	t.Helper()
	tw := loadTeamsWork(t)
	byEntry := map[string]map[string]bool{}
	lists := map[string][]string{}
	for _, rl := range loadRefLists(t, cat) {
		if byEntry[rl.entry] == nil {
			byEntry[rl.entry] = map[string]bool{}
		}
		for _, n := range rl.names {
			byEntry[rl.entry][n] = true
		}
		lists[rl.entry] = append(lists[rl.entry], rl.list)
	}
	var rows []coverageRow
	for _, e := range cat.Entries {
		names := byEntry[e.ID]
		if names == nil {
			continue
		}
		r := coverageRow{id: e.ID, name: e.Name, lists: strings.Join(lists[e.ID], ", "), names: len(names)}
		for n := range names {
			if why := keepsTeamsOpen(tw, n); why != "" {
				r.kept++
				if coveredBy(append(append([]string{}, e.Domains...), e.Hosts...), n) {
					t.Errorf("%s blocks %s: %s", e.ID, n, why)
				}
				continue
			}
			if coveredBy(e.Domains, n) {
				r.hit++
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// Every messenger and business tool blocks at least 95% of the names the
// public lists give for it (names Teams for work needs aside), the doh
// entry at least 80% of the public resolvers' names.
func TestCoverage(t *testing.T) {
	cat := mustLoad(t)
	rows := coverage(t, cat)
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.id] = true
		e := cat.Entry(r.id)
		min := minCoverage
		if e.Category == CategoryDoH {
			min = minDoHCoverage
		}
		if r.share() < min {
			var miss []string
			tw := loadTeamsWork(t)
			for _, rl := range loadRefLists(t, cat) {
				for _, n := range rl.names {
					if rl.entry == r.id && keepsTeamsOpen(tw, n) == "" && !coveredBy(e.Domains, n) && !slices.Contains(miss, n) {
						miss = append(miss, n)
					}
				}
			}
			sort.Strings(miss)
			t.Errorf("%s covers %d of %d names (%.1f%%, want %.0f%%); missing %v", r.id, r.hit, r.names-r.kept, 100*r.share(), 100*min, miss)
		}
	}
	// the entries the issue asked for all have lists
	for _, id := range strings.Fields("whatsapp telegram signal messenger discord viber wechat line snapchat matrix kik kakaotalk icq irc vk max tamtam imo keybase botim zalo wire slack skype zoom googlechat instagram doh") {
		if !seen[id] {
			t.Errorf("no reference list for %s", id)
		}
	}
	if testing.Verbose() {
		var b strings.Builder
		b.WriteString("| entry | lists | names | left open | covered | share |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s (`%s`) | %s | %d | %d | %d | %.0f%% |\n", r.name, r.id, r.lists, r.names, r.kept, r.hit, 100*r.share())
		}
		t.Log("\n" + b.String())
	}
}

// The hosts format lists every host name the lists and the vendors name
// below an entry's domains, because a hosts file has no wildcards.
func TestHostsListKnownHostNames(t *testing.T) {
	cat := mustLoad(t)
	ids := append(append([]string{}, everything...), businessIDs(cat)...)
	out := render(t, "hosts", cat, ids...)
	lines := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		lines[l] = true
	}
	has := func(name string) bool { return lines["0.0.0.0 "+name] && lines[":: "+name] }
	for _, n := range []string{"gateway.discord.gg", "cdn3.signal.org", "chat.signal.org", "g.whatsapp.net", "web.telegram.org", "teams.live.com", "prod-nginz-https.wire.com"} {
		if !has(n) {
			t.Errorf("hosts output lacks %s", n)
		}
	}
	for _, rl := range loadRefLists(t, cat) {
		e := cat.Entry(rl.entry)
		for _, n := range rl.names {
			below := false
			for _, d := range e.Domains {
				below = below || (n != d && under(n, d))
			}
			if below && !has(n) {
				t.Errorf("%s (%s list): host name %s is not in the hosts output", e.ID, rl.list, n)
			}
		}
	}
}

// cdnExempt are single addresses inside a CDN's published ranges that serve
// one thing only, named by their operator: blocking them touches nothing else.
var cdnExempt = map[string]string{
	"8.8.8.8/32":               "Google Public DNS",
	"8.8.4.4/32":               "Google Public DNS",
	"2001:4860:4860::8888/128": "Google Public DNS",
	"2001:4860:4860::8844/128": "Google Public DNS",
	"2606:4700:4700::1111/128": "Cloudflare's 1.1.1.1 resolver",
	"2606:4700:4700::1001/128": "Cloudflare's 1.1.1.1 resolver",
}

// No catalog range lies in a shared CDN's or cloud's published ranges
// (Amazon CloudFront, Cloudflare, Google, Fastly, Akamai): blocking it would
// cut unrelated sites. Such services are blocked by name.
func TestNoRangeInSharedCDN(t *testing.T) {
	cat := mustLoad(t)
	paths, err := filepath.Glob(filepath.Join("testdata", "reference", "cdn.*.txt"))
	if err != nil || len(paths) < 5 {
		t.Fatalf("CDN reference files: %v %v", paths, err)
	}
	type cdn struct {
		name string
		p    netip.Prefix
	}
	var cdns []cdn
	for _, p := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "cdn."), ".txt")
		n := 0
		for _, l := range readRefLines(t, p) {
			pr, err := netip.ParsePrefix(l)
			if err != nil {
				t.Fatalf("%s: %q: %v", p, l, err)
			}
			cdns = append(cdns, cdn{name, pr.Masked()})
			n++
		}
		if n < 5 {
			t.Fatalf("%s: only %d ranges", p, n)
		}
	}
	// the reference must catch the case the issue found
	zoomCase := netip.MustParsePrefix("2600:9000:2600::/48")
	caught := false
	for _, c := range cdns {
		caught = caught || (c.name == "cloudfront" && c.p.Overlaps(zoomCase))
	}
	if !caught {
		t.Fatal("cdn.cloudfront.txt does not contain 2600:9000:2600::/48")
	}
	for _, e := range cat.Entries {
		for _, p := range e.Prefixes {
			if cdnExempt[p.String()] != "" {
				continue
			}
			for _, c := range cdns {
				if p.Overlaps(c.p) {
					t.Errorf("%s: range %s overlaps %s's %s", e.ID, p, c.name, c.p)
				}
			}
		}
	}
	for s := range cdnExempt {
		p := netip.MustParsePrefix(s)
		if !slices.Contains(cat.Entry("doh").Prefixes, p) || (p.Addr().Is4() && p.Bits() != 32) || (p.Addr().Is6() && p.Bits() != 128) {
			t.Errorf("exemption %s must be a single address of the doh entry", s)
		}
	}
}

// Every entry names where its facts come from, and when: the entries the
// issue added exist with the categories it asked for.
func TestNewEntries(t *testing.T) {
	cat := mustLoad(t)
	for id, cat2 := range map[string]string{
		"vk": CategoryMessenger, "max": CategoryMessenger, "tamtam": CategoryMessenger, "imo": CategoryMessenger,
		"keybase": CategoryMessenger, "botim": CategoryMessenger, "zalo": CategoryMessenger, "wire": CategoryMessenger,
		"instagram": CategorySocial, "slack": CategoryBusiness, "zoom": CategoryBusiness, "googlechat": CategoryBusiness, "skype": CategoryBusiness,
	} {
		e := cat.Entry(id)
		if e == nil {
			t.Errorf("no entry %s", id)
			continue
		}
		if e.Category != cat2 {
			t.Errorf("%s is %s, want %s", id, e.Category, cat2)
		}
		if len(e.Sources) == 0 || e.SourceDate == "" || e.Compared == "" || len(e.Note) < 40 {
			t.Errorf("%s: needs sources, dates and a note", id)
		}
	}
	if !strings.Contains(cat.Entry("instagram").Note, "ALL of Instagram") {
		t.Error("the instagram entry must say that it blocks all of Instagram")
	}
	w := cat.Entry("whatsapp")
	for _, p := range w.Prefixes {
		if p.Addr().Is6() {
			t.Errorf("whatsapp lists IPv6 range %s: check the note", p)
		}
	}
	if !strings.Contains(w.Note, "IPv6") || !strings.Contains(w.Note, "DNS format") {
		t.Error("the whatsapp note must say that IPv6 needs a DNS format")
	}
}
