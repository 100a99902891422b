package admin

import (
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/install/firewall"
	"inhouse/server/archive"
)

// reachBaseline is a name that can never exist (RFC 6761 reserves .invalid):
// how fast it fails tells the check how fast a blocked name fails here.
const reachBaseline = "inhouse-reach-check.invalid"

// reachTarget is one messenger the browser tries to reach once asked to.
type reachTarget struct {
	ID, Name string
	Host     string // "" when it has no web address to try
	URL      string // what the browser loads: https://Host/favicon.ico
}

// probeURL is the one address the check loads for a name.
func probeURL(host string) string { return "https://" + host + "/favicon.ico" }

// reachTargets lists the catalog's messengers with the address each is
// tried at; the page and its CSP are both made from this one list.
func reachTargets(cat *firewall.Catalog) []reachTarget {
	var out []reachTarget
	for _, e := range cat.Entries {
		if e.Category != firewall.CategoryMessenger {
			continue
		}
		t := reachTarget{ID: e.ID, Name: e.Name}
		if len(e.Domains) > 0 {
			t.Host = e.Domains[0] // the catalog lists the main domain first
			t.URL = probeURL(t.Host)
		}
		out = append(out, t)
	}
	return out
}

// reachCSP is the server's policy with one change for this page only:
// pictures may come from exactly the addresses the check tries, and from
// nowhere else, so the page cannot be made to load anything more.
func reachCSP(targets []reachTarget) string {
	img := []string{"'self'", "data:", "https://" + reachBaseline}
	for _, t := range targets {
		if t.Host != "" {
			img = append(img, "https://"+t.Host)
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + strings.Join(img, " ") +
		"; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// UseCatalog makes the messenger check try the messengers of cat instead
// of the office's catalog (a test's names mapped to loopback).
func (c *Console) UseCatalog(cat *firewall.Catalog) { c.catalog = cat }

// GET /admin/reach: any signed-in person's browser can check which
// messengers it can still reach, so the office manager (or anyone asked
// to) can see that the firewall rules work from the desks, not only on
// paper. Opening the page sends nothing anywhere: the browser tries the
// addresses only when the person presses Run the check.
func (c *Console) reach(r *request) {
	var targets []reachTarget
	cat := c.catalog
	if cat == nil {
		cat = c.office.Catalog() // the imported one, or the built-in
	}
	if cat == nil {
		c.log.Error("messenger catalog: the built-in one cannot be read")
	} else {
		targets = reachTargets(cat)
	}
	nav := "/admin/reach"
	if r.user.Role == archive.RoleAdmin {
		nav = "/admin/firewall" // the office manager comes from the Firewall page
	}
	r.ctx.Response.Header.Set("Content-Security-Policy", reachCSP(targets))
	c.render(r.ctx, fasthttp.StatusOK, reachPage(c.shell(r, "Which messengers can this computer reach?", nav), targets, probeURL(reachBaseline), cat == nil))
}

// countHosts is how many targets the check will try.
func countHosts(targets []reachTarget) int {
	n := 0
	for _, t := range targets {
		if t.Host != "" {
			n++
		}
	}
	return n
}
