package admin

import (
	"slices"

	"inhouse/server/archive"
)

// shell is what every page's frame needs: who is signed in, the CSRF token
// for its forms, the navigation and the flashes.
type shell struct {
	Title   string
	Nav     string // the current navigation entry's path
	User    archive.User
	CSRF    string
	Office  string
	Flashes []flash
	Action  *link // the page's one primary action, top right
}

type link struct {
	Label, Href string
}

// navEntry is one item of the left navigation.
type navEntry struct {
	Path, Label, Icon string
	Roles             []string
}

// nav lists the console's pages. Pages of later issues (content rules,
// archive, reports, backups) add themselves here.
var nav = []navEntry{
	{"/admin", "Dashboard", "gauge", adminOnly},
	{"/admin/reports", "Reports", "chart", adminOnly},
	{"/admin/people", "People", "people", adminOnly},
	{"/admin/directory", "Directory", "directory", adminOnly},
	{"/admin/channels", "Channels", "hash", adminOnly},
	{"/admin/announcements", "Announcements", "megaphone", adminOnly},
	{"/admin/policy", "Policy", "doc", adminOnly},
	{"/admin/rules", "Content rules", "lock", adminOnly},
	{"/admin/review", "Review queue", "alert", reviewRoles},
	{"/admin/firewall", "Firewall", "shield", adminOnly},
	{"/admin/reach", "Messenger check", "check", []string{archive.RoleAuditor, archive.RoleMember}},
	{"/admin/settings", "Settings", "gear", adminOnly},
	{"/admin/retention", "Retention", "clock", adminOnly},
	{"/admin/backups", "Backups", "box", adminOnly},
	{"/admin/audit", "Audit log", "list", adminOnly},
	{"/admin/archive/reads", "Archive read log", "archive", adminOnly},
	{"/admin/archive", "Archive", "archive", auditorOnly},
}

// navFor is the navigation a role sees.
func navFor(role string) []navEntry {
	var out []navEntry
	for _, e := range nav {
		if slices.Contains(e.Roles, role) {
			out = append(out, e)
		}
	}
	return out
}

// homeFor is where a role lands in the console: the dashboard for office
// managers, the archive for auditors, otherwise the first page the role
// may open, and the chat for a role with none.
func homeFor(role string) string {
	switch role {
	case archive.RoleAdmin:
		return "/admin"
	case archive.RoleAuditor:
		return "/admin/archive"
	}
	if pages := navFor(role); len(pages) > 0 {
		return pages[0].Path
	}
	return "/"
}

// shell builds a page frame and takes the session's flashes.
func (c *Console) shell(r *request, title, navPath string) *shell {
	s := &shell{Title: title, Nav: navPath, User: r.user, CSRF: r.sess.CSRF, Office: c.store.Settings().OfficeName}
	if r.sess.ID != "" {
		s.Flashes = c.flash.pop(r.sess.ID)
	}
	return s
}

// with sets the primary action.
func (s *shell) with(label, href string) *shell {
	s.Action = &link{label, href}
	return s
}
