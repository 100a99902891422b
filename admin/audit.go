package admin

import (
	"strconv"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// auditPage is how many entries one page shows.
const auditPageSize = 50

// actionWords names the audit log's actions for people.
var actionWords = map[string]string{
	"person.add":        "Added a person",
	"person.edit":       "Changed a person",
	"person.disable":    "Disabled a person",
	"person.enable":     "Enabled a person",
	"person.reset":      "Reset a password",
	"person.signout":    "Signed someone out",
	"channel.create":    "Created a channel",
	"channel.edit":      "Changed a channel",
	"channel.members":   "Changed members",
	"channel.archive":   "Archived a channel",
	"channel.unarchive": "Brought a channel back",
	"policy.save":       "Changed the usage policy",
	policyReadAction:    "Read the usage policy",
	"settings.save":     "Changed settings",
	"profile":           "Changed a person's card",
	"picture":           "Changed a person's picture",
	"announce":          "Posted an announcement",
	"remind":            "Sent a reminder",
	"firewall.catalog":  "Changed the messenger catalog",
}

func actionWord(a string) string {
	if w, ok := actionWords[a]; ok {
		return w
	}
	return a
}

func viaWord(v string) string {
	switch v {
	case "console":
		return "console"
	case "api":
		return "admin API"
	case "cli":
		return "command line"
	}
	return v
}

// GET /admin/audit: newest first; ?q= searches, ?before= pages back.
// There is no way to change or delete an entry, here or anywhere.
func (c *Console) auditLog(r *request) {
	l := c.listOf(r, "/admin/audit", "")
	before, _ := strconv.ParseUint(r.query("before"), 10, 64)
	entries, more, err := c.store.AuditLog(before, auditPageSize, func(e archive.AuditEntry) bool {
		return contains(l.Q, e.Actor, e.Action, actionWord(e.Action), e.Target, e.Detail, viaWord(e.Via))
	})
	if err != nil {
		c.log.Error("audit log", "err", err)
	}
	older := ""
	if more && len(entries) > 0 {
		older = "/admin/audit?before=" + strconv.FormatUint(entries[len(entries)-1].Seq, 10)
		if l.Q != "" {
			older += "&q=" + urlQuery(l.Q)
		}
	}
	c.render(r.ctx, fasthttp.StatusOK, auditPage(c.shell(r, "Audit log", "/admin/audit"), l, entries, older, before > 0))
}
