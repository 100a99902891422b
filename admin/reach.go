package admin

import (
	"github.com/valyala/fasthttp"

	"inhouse/install/firewall"
	"inhouse/server/archive"
)

// reachCSP is the server's policy with one change for this page only:
// images may come from any HTTPS address, because the check loads one
// small picture from each messenger. No other page needs that, and this
// one shows no text people typed except names, which are escaped anyway.
const reachCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// reachTarget is one messenger the browser tries to reach.
type reachTarget struct {
	ID, Name, Host string // Host is "" when it has no web address to try
}

// GET /admin/reach: any signed-in person's browser checks which messengers
// it can still reach, so the office manager (or anyone asked to) can see
// that the firewall rules work from the desks, not only on paper.
func (c *Console) reach(r *request) {
	var targets []reachTarget
	cat, err := firewall.Load()
	if err != nil {
		c.log.Error("messenger catalog", "err", err)
	} else {
		for _, e := range cat.Entries {
			if e.Category != firewall.CategoryMessenger {
				continue
			}
			t := reachTarget{ID: e.ID, Name: e.Name}
			if len(e.Domains) > 0 {
				t.Host = e.Domains[0] // the catalog lists the main domain first
			}
			targets = append(targets, t)
		}
	}
	nav := "/admin/reach"
	if r.user.Role == archive.RoleAdmin {
		nav = "/admin/firewall" // the office manager comes from the Firewall page
	}
	r.ctx.Response.Header.Set("Content-Security-Policy", reachCSP)
	c.render(r.ctx, fasthttp.StatusOK, reachPage(c.shell(r, "Which messengers can this computer reach?", nav), targets, err != nil))
}
