package admin

import (
	"errors"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/rules"
)

// The review queue is for office managers and auditors. A flag holds who,
// where, when and which rule, and an excerpt in which the matches
// themselves are masked (rules.Excerpt): no more of the message than the
// chat's members saw, so reviewing needs no archive access.
var reviewRoles = []string{archive.RoleAdmin, archive.RoleAuditor}

// reviewLimit is how many flags one page shows.
const reviewLimit = 200

// flagRow is one flag with names for people.
type flagRow struct {
	archive.Flag
	Where    string // #channel, or "Direct: Ana and Ben"
	Who      string // display name
	Rules    []string
	Resolver string
}

// GET /admin/review: open flags, newest first; ?show=all includes the
// resolved ones.
func (c *Console) review(r *request) {
	all := r.query("show") == "all"
	flags := c.store.Flags(!all, reviewLimit)
	names := map[string]string{}
	display := func(user string) string {
		if d, ok := names[user]; ok {
			return d
		}
		d := user
		if u, err := c.store.User(user); err == nil {
			d = u.Display
		}
		names[user] = d
		return d
	}
	ruleNames := map[string]string{}
	for _, ru := range c.store.Rules() {
		ruleNames[ru.ID] = ru.Name
	}
	rows := make([]flagRow, 0, len(flags))
	for _, f := range flags {
		row := flagRow{Flag: f, Who: display(f.User), Where: f.Channel}
		if ch, err := c.store.Channel(f.Channel); err == nil {
			if ch.Kind == archive.KindDirect {
				var who []string
				for _, m := range ch.Members {
					who = append(who, display(m))
				}
				row.Where = "Direct: " + strings.Join(who, " and ")
			} else {
				row.Where = "#" + ch.Name
			}
		}
		for _, id := range f.RuleIDs {
			if n, ok := ruleNames[id]; ok {
				row.Rules = append(row.Rules, n)
			} else {
				row.Rules = append(row.Rules, id+" (deleted)")
			}
		}
		if f.Resolved {
			row.Resolver = display(f.ResolvedBy)
		}
		rows = append(rows, row)
	}
	s := c.shell(r, "Review queue", "/admin/review")
	c.render(r.ctx, fasthttp.StatusOK, reviewPage(s, rows, c.store.OpenFlags(), all, len(flags) == reviewLimit))
}

// POST /admin/review/{n}/resolve
func (c *Console) reviewResolve(r *request) {
	n, err := strconv.ParseUint(r.param("n"), 10, 64)
	if err != nil || n == 0 {
		c.notFound(r)
		return
	}
	back := "/admin/review"
	if r.query("show") == "all" {
		back += "?show=all"
	}
	if err := c.office.ResolveFlag(c.actor(r), n); err != nil {
		if errors.Is(err, archive.ErrNotFound) {
			c.notFound(r)
			return
		}
		c.storeFailed(r, err, back)
		return
	}
	c.ok(r, "Flag "+itoa(int(n))+" is resolved.")
	redirect(r.ctx, back)
}

func flagActionWord(a string) string {
	switch a {
	case rules.ActionBlock:
		return "Blocked: not sent or stored"
	case rules.ActionMask:
		return "Masked for colleagues"
	case rules.ActionFlag:
		return "Flagged, sent unchanged"
	}
	return a
}
