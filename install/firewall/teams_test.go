package firewall

import (
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Teams for work and school must keep working whatever an office blocks:
// testdata/reference/teams-work.microsoft.txt holds what Microsoft's
// endpoint list marks as needed for Teams (names and address ranges, with
// the list's version in its first line).

// teamsKeepOpen are names the public lists give for Skype and Teams that
// the catalog leaves open, because Teams for work depends on them although
// Microsoft's list does not name them: CNAME targets and edge names of the
// names Teams needs (RPZ applies its policy along CNAME chains, so blocking
// them could cut Teams for work), Teams for work's own short links and
// government cloud, and its marketing sites.
var teamsKeepOpen = map[string]string{
	"edge-skype-com.s-0001.s-msedge.net": "Microsoft edge name of *.skype.com",
	"skype-edf.akadns.net":               "Akamai traffic manager name of *.skype.com",
	"skypedata.akadns.net":               "Akamai traffic manager name of *.skype.com",
	"e4593.dspg.akamaiedge.net":          "Akamai edge host serving Skype and Teams",
	"e4593.g.akamaiedge.net":             "Akamai edge host serving Skype and Teams",
	"e7768.b.akamaiedge.net":             "Akamai edge host serving Skype and Teams",
	"teams.trafficmanager.net":           "Azure Traffic Manager name of teams.microsoft.com",
	"teams-msgapi.trafficmanager.net":    "Azure Traffic Manager name of Teams' messaging API",
	"teams.cloudapp.net":                 "Azure name of Teams' services",
	"mstea.ms":                           "Teams for work's short links (Microsoft's list of 2023 named *.mstea.ms as required)",
	"teams.microsoft.us":                 "Teams for US government clouds",
	"microsoftteams.com":                 "Teams' product site",
	"successwithteams.com":               "Teams' product site",
}

type teamsWork struct {
	names  []string // "*.x" for x's subdomains, or an exact name
	ranges []netip.Prefix
}

func loadTeamsWork(t *testing.T) teamsWork {
	t.Helper()
	var tw teamsWork
	for _, l := range readRefLines(t, filepath.Join("testdata", "reference", "teams-work.microsoft.txt")) {
		if strings.Contains(l, "/") {
			tw.ranges = append(tw.ranges, netip.MustParsePrefix(l))
			continue
		}
		if err := checkDomain(strings.TrimPrefix(l, "*.")); err != nil {
			t.Fatalf("teams-work.microsoft.txt: %q: %v", l, err)
		}
		tw.names = append(tw.names, l)
	}
	if len(tw.names) < 50 || len(tw.ranges) < 20 {
		t.Fatalf("teams-work.microsoft.txt: only %d names and %d ranges", len(tw.names), len(tw.ranges))
	}
	return tw
}

// under says whether name is d or one of d's subdomains.
func under(name, d string) bool {
	return name == d || strings.HasSuffix(name, "."+d)
}

// cuts says whether blocking b (with all its subdomains, as the DNS formats
// do) blocks any name of the Teams list entry want ("*.x" or an exact name).
func cuts(b, want string) bool {
	if x, ok := strings.CutPrefix(want, "*."); ok {
		return under(x, b) || under(b, x)
	}
	return under(want, b)
}

// keepsTeamsOpen says why a name a public list gives may not be blocked,
// or "" when it may.
func keepsTeamsOpen(tw teamsWork, name string) string {
	if why := teamsKeepOpen[name]; why != "" {
		return why
	}
	for _, w := range tw.names {
		if cuts(name, w) {
			return "Microsoft lists " + w + " as needed by Teams for work"
		}
	}
	return ""
}

var nameToken = regexp.MustCompile(`(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)+\.?`)

// blockedNames reads every name-like token of a DNS format's rules (its
// comment lines aside): each is taken to block itself and its subdomains,
// which is what the DNS formats do and more than a hosts file does.
func blockedNames(t *testing.T, format string, out string) []string {
	t.Helper()
	c := formats[format].comment
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), c) {
			continue
		}
		for _, tok := range nameToken.FindAllString(strings.ToLower(l), -1) {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(tok, "*."), "."))
		}
	}
	if len(names) == 0 {
		t.Fatalf("%s: no names found in the output", format)
	}
	return names
}

func businessIDs(cat *Catalog) []string {
	var ids []string
	for _, e := range cat.Entries {
		if e.Category == CategoryBusiness || e.Category == CategorySocial {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// With "all", and with every business tool too, no DNS format blocks a name
// Teams for work needs, and no firewall rule blocks its address ranges.
func TestTeamsForWorkStaysOpen(t *testing.T) {
	cat := mustLoad(t)
	tw := loadTeamsWork(t)
	biz := businessIDs(cat)
	if len(biz) == 0 || cat.Entry("skype") == nil || cat.Entry("skype").Category != CategoryBusiness {
		t.Fatalf("business entries %v; skype must be one of them", biz)
	}
	selections := [][]string{{"all"}, append([]string{"all"}, biz...), append(append([]string{}, everything...), biz...)}
	for _, ids := range selections {
		for _, f := range Formats() {
			if !formats[f].dns {
				continue
			}
			for _, b := range blockedNames(t, f, render(t, f, cat, ids...)) {
				for _, w := range tw.names {
					if cuts(b, w) {
						t.Errorf("%v, %s: blocking %s cuts Teams for work's %s", ids, f, b, w)
					}
				}
				for k := range teamsKeepOpen {
					if under(k, b) {
						t.Errorf("%v, %s: blocks %s, which Teams for work depends on (%s)", ids, f, k, teamsKeepOpen[k])
					}
				}
			}
		}
		entries, err := cat.Select(ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			for _, p := range e.Prefixes {
				for _, r := range tw.ranges {
					if p.Overlaps(r) {
						t.Errorf("%v: %s's range %s overlaps Teams for work's %s", ids, e.ID, p, r)
					}
				}
			}
		}
	}
}

// The Skype / Teams free entry says plainly that Teams for work is left
// alone, and blocks what only Teams free uses.
func TestTeamsFreeEntry(t *testing.T) {
	cat := mustLoad(t)
	e := cat.Entry("skype")
	for _, want := range []string{"Teams for work", "never blocks skype.com", "5 May 2025"} {
		if !strings.Contains(e.Note, want) {
			t.Errorf("skype note lacks %q", want)
		}
	}
	out := render(t, "unbound", cat, "skype")
	if !strings.Contains(out, `"teams.live.com."`) {
		t.Error("teams.live.com is not blocked by --block skype")
	}
}
