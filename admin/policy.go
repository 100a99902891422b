package admin

import (
	"sort"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// ledgerRow is one person in the acceptance ledger.
type ledgerRow struct {
	User    archive.User
	Version int       // the version they accepted last (0: never)
	At      time.Time // when
	Current bool      // accepted the version in force
}

// GET /admin/policy: the text, the banner and who accepted which version.
// ?show=pending lists only those who have not accepted the current one.
func (c *Console) policy(r *request) {
	p := c.store.Policy()
	// The first reading of the text Inhouse comes with ticks the
	// dashboard's "Check the usage policy"; once is enough.
	if p.Changed.IsZero() && !c.policyWasRead() {
		c.policyRead.Store(true)
		c.audit(r, policyReadAction, "policy", "Read the usage policy Inhouse comes with.")
	}
	f := newForm().Set("text", p.Text).Set("banner", p.Banner)
	c.renderPolicy(r, fasthttp.StatusOK, f)
}

func (c *Console) renderPolicy(r *request, status int, f *form) {
	p := c.store.Policy()
	l := c.listOf(r, "/admin/policy", "display")
	pendingOnly := r.query("show") == "pending"
	var rows []ledgerRow
	pending := 0
	for _, u := range c.store.Users() {
		if u.Disabled {
			continue
		}
		a := c.store.Accepted(u.Name)
		row := ledgerRow{User: u, Version: a.Version, At: a.At, Current: a.Version == p.Version}
		if !row.Current {
			pending++
		}
		if (pendingOnly && row.Current) || !contains(l.Q, u.Name, u.Display) {
			continue
		}
		rows = append(rows, row)
	}
	key := func(x ledgerRow) string {
		switch l.Sort {
		case "version":
			return pad(uint64(x.Version)) + x.At.Format(time.RFC3339Nano)
		case "at":
			return x.At.Format(time.RFC3339Nano)
		}
		return strings.ToLower(x.User.Display) + "\x00" + x.User.Name
	}
	sort.SliceStable(rows, func(i, j int) bool { return l.less(key(rows[i]), key(rows[j])) })
	c.render(r.ctx, status, policyPage(c.shell(r, "Usage policy", "/admin/policy"), f, p, l, rows, pending, pendingOnly))
}

// POST /admin/policy: saving makes a new version that everyone accepts
// again before they can send.
func (c *Console) policySave(r *request) {
	f := postedForm(r.ctx)
	p, saved, err := c.office.SavePolicy(c.actor(r), f.Raw("text"), f.Get("banner"))
	switch {
	case c.problems(f, err):
		c.renderPolicy(r, fasthttp.StatusBadRequest, f)
		return
	case err != nil:
		c.storeFailed(r, err, "/admin/policy")
		return
	case !saved:
		c.ok(r, "Nothing changed, so nobody has to accept again.")
	default:
		c.ok(r, "Version "+itoa(p.Version)+" is in force. Everyone is asked to accept it before they can send again.")
	}
	redirect(r.ctx, "/admin/policy")
}
