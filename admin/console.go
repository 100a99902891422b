// Package admin is the office manager's console at /admin: server-rendered
// pages (github.com/a-h/templ) over the same store and chat engine as the
// client. Pages work without JavaScript; /console/console.js only adds
// conveniences.
//
// Every page checks the role; every form post checks the session's CSRF
// token and that the browser says it came from this site; every change is
// written to the admin audit log.
package admin

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"inhouse/install/firewall"
	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/chat"
	"inhouse/server/office"
)

// Console serves /admin.
type Console struct {
	srv    *server.Server
	office *office.Office
	store  *archive.Store
	hub    *chat.Hub
	log    *slog.Logger
	router *router.Router
	flash  *flashes

	catalog *firewall.Catalog // the messenger check's list; nil: the built-in one

	statsMu sync.Mutex
	stats   statsCache

	policyRead atomic.Bool // an office manager opened the policy page (firstSteps)
}

// New makes the console for srv.
func New(srv *server.Server) *Console {
	c := &Console{
		srv: srv, office: srv.Office(), store: srv.Store(), hub: srv.Hub(), log: srv.Logger(),
		flash: newFlashes(),
	}
	c.router = c.routes()
	return c
}

// Handler answers every request under /admin.
func (c *Console) Handler() fasthttp.RequestHandler { return c.router.Handler }

func (c *Console) routes() *router.Router {
	r := router.New()
	r.RedirectTrailingSlash = true
	r.HandleMethodNotAllowed = false
	r.NotFound = c.page(c.notFound)

	r.GET("/admin", c.page(c.home, anyRole))
	r.GET("/admin/stats.csv", c.page(c.statsCSV))
	r.GET("/admin/login", c.loginPage)
	r.POST("/admin/login", c.loginPost)
	r.POST("/admin/logout", c.action(c.logout, anyRole))
	r.GET("/admin/password", c.page(c.passwordPage, anyRole))
	r.POST("/admin/password", c.action(c.passwordPost, anyRole))

	r.GET("/admin/people", c.page(c.people))
	r.GET("/admin/people/new", c.page(c.personNew))
	r.POST("/admin/people/new", c.action(c.personCreate))
	r.GET("/admin/people/{name}", c.page(c.personEdit))
	r.POST("/admin/people/{name}", c.action(c.personSave))
	r.POST("/admin/people/{name}/card", c.action(c.personCardSave))
	r.POST("/admin/people/{name}/picture", c.upload("picture", c.personPictureSave))
	r.GET("/admin/people/{name}/{op}", c.page(c.personConfirm))
	r.POST("/admin/people/{name}/{op}", c.action(c.personDo))

	r.GET("/admin/directory", c.page(c.directorySettings))
	r.POST("/admin/directory", c.action(c.directorySave))
	r.POST("/admin/directory/test", c.action(c.directoryTest))
	r.POST("/admin/directory/sync", c.action(c.directorySync))

	r.GET("/admin/channels", c.page(c.channels))
	r.GET("/admin/channels/new", c.page(c.channelNew))
	r.POST("/admin/channels/new", c.action(c.channelCreate))
	r.GET("/admin/channels/{id}", c.page(c.channelEdit))
	r.POST("/admin/channels/{id}", c.action(c.channelSave))
	r.POST("/admin/channels/{id}/members", c.action(c.channelAddMembers))
	r.GET("/admin/channels/{id}/remove/{name}", c.page(c.memberConfirm))
	r.POST("/admin/channels/{id}/remove/{name}", c.action(c.memberRemove))
	r.GET("/admin/channels/{id}/{op}", c.page(c.channelConfirm))
	r.POST("/admin/channels/{id}/{op}", c.action(c.channelDo))

	r.GET("/admin/announcements", c.page(c.announcements))
	r.GET("/admin/announcements/new", c.page(c.announcementNew))
	r.POST("/admin/announcements/new", c.action(c.announcementCreate))
	r.GET("/admin/announcements/{channel}/{seq}", c.page(c.announcement))
	r.POST("/admin/announcements/{channel}/{seq}/remind", c.action(c.announcementRemind))
	r.GET("/admin/announcements/{channel}/{seq}/confirmations.csv", c.page(c.announcementCSV))

	r.GET("/admin/policy", c.page(c.policy))
	r.POST("/admin/policy", c.action(c.policySave))

	r.GET("/admin/settings", c.page(c.settings))
	r.POST("/admin/settings", c.action(c.settingsSave))

	r.GET("/admin/audit", c.page(c.auditLog))

	c.firewallRoutes(r)
	c.archiveRoutes(r)
	c.safetyRoutes(r)
	return r
}

// render writes a full HTML page.
func (c *Console) render(ctx *fasthttp.RequestCtx, status int, page templ.Component) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	if err := page.Render(ctx, ctx); err != nil {
		c.log.Error("console page", "path", string(ctx.Path()), "err", err)
	}
}

// redirect answers a form post with 303 See Other (POST-redirect-GET).
func redirect(ctx *fasthttp.RequestCtx, to string) {
	ctx.Redirect(to, fasthttp.StatusSeeOther)
}

// audit records a console change. The change is already durable; if the
// audit write fails the store has failed, which the dashboard shows.
// actor is who acts through the console, for the application layer.
func (c *Console) actor(r *request) office.Actor {
	return office.Actor{Name: r.user.Name, Role: r.user.Role, Via: office.ViaConsole}
}

// problems shows the application layer's field problems on f and reports
// whether err was such.
func (c *Console) problems(f *form, err error) bool {
	p, ok := office.AsProblems(err)
	for _, x := range p {
		f.Fail(x.Field, x.Message)
	}
	return ok
}

func (c *Console) audit(r *request, action, target, detail string) {
	e := archive.AuditEntry{Actor: r.user.Name, Via: "console", Action: action, Target: target, Detail: detail}
	if err := c.store.Audit(e); err != nil {
		c.log.Error("admin audit log", "err", err, "action", action)
	}
}
