package admin

import (
	"net/url"
	"slices"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/auth"
)

// request is one console request by a signed-in person with a fitting role.
type request struct {
	ctx  *fasthttp.RequestCtx
	user archive.User
	sess archive.Session
}

// param is a path parameter.
func (r *request) param(name string) string {
	v, _ := r.ctx.UserValue(name).(string)
	return v
}

// query is a query-string value.
func (r *request) query(name string) string { return string(r.ctx.QueryArgs().Peek(name)) }

// Roles a page admits. Most pages are for admins only; archive pages (a
// later issue) admit auditors too.
var (
	adminOnly = []string{archive.RoleAdmin}
	anyRole   = []string{archive.RoleAdmin, archive.RoleAuditor, archive.RoleMember}
)

// page wraps a GET handler: signed-out visitors go to the sign-in form,
// people whose role may not see the page get a refusal, and people who must
// change their password are sent to do that first.
func (c *Console) page(h func(*request), roles ...[]string) fasthttp.RequestHandler {
	allowed := adminOnly
	if len(roles) > 0 {
		allowed = roles[0]
	}
	return func(ctx *fasthttp.RequestCtx) {
		r, ok := c.signedIn(ctx, allowed)
		if !ok {
			return
		}
		h(r)
	}
}

// action wraps a form post: the same checks as page, plus the CSRF token
// (the hidden form field must equal the session's token) and the browser's
// own word that the post came from this site. A refused post changes
// nothing.
func (c *Console) action(h func(*request), roles ...[]string) fasthttp.RequestHandler {
	allowed := adminOnly
	if len(roles) > 0 {
		allowed = roles[0]
	}
	return func(ctx *fasthttp.RequestCtx) {
		r, ok := c.poster(ctx, allowed)
		if !ok || !c.fromThisSite(r, string(ctx.PostArgs().Peek("csrf"))) {
			return
		}
		h(r)
	}
}

// poster checks a form post's session and role, answering a refusal
// itself.
func (c *Console) poster(ctx *fasthttp.RequestCtx, allowed []string) (*request, bool) {
	if !ctx.IsPost() {
		ctx.Error("Method not allowed", fasthttp.StatusMethodNotAllowed)
		return nil, false
	}
	sess, u, ok := c.srv.SessionOf(ctx)
	if !ok || !slices.Contains(allowed, u.Role) {
		// No session: nothing to protect, and nothing is done.
		c.refuse(ctx, u, ok, fasthttp.StatusForbidden)
		return nil, false
	}
	return &request{ctx: ctx, user: u, sess: sess}, true
}

// fromThisSite checks a post's CSRF token (the hidden form field must
// equal the session's token) and that the browser says it came from this
// site, answering a refusal itself.
func (c *Console) fromThisSite(r *request, token string) bool {
	if token == "" || !auth.Equal(token, r.sess.CSRF) || !c.srv.SameOrigin(r.ctx, "") {
		c.log.Warn("console: refused a form post without a valid token or from another site", "user", r.user.Name, "path", string(r.ctx.Path()))
		c.render(r.ctx, fasthttp.StatusForbidden, staleFormPage(c.shell(r, "Form expired", "")))
		return false
	}
	return true
}

// signedIn checks the session and role for a page.
func (c *Console) signedIn(ctx *fasthttp.RequestCtx, allowed []string) (*request, bool) {
	sess, u, ok := c.srv.SessionOf(ctx)
	if !ok {
		redirect(ctx, "/admin/login?next="+url.QueryEscape(string(ctx.RequestURI())))
		return nil, false
	}
	if !slices.Contains(allowed, u.Role) {
		c.refuse(ctx, u, true, fasthttp.StatusForbidden)
		return nil, false
	}
	path := string(ctx.Path())
	if u.MustChange && path != "/admin/password" {
		redirect(ctx, "/admin/password")
		return nil, false
	}
	return &request{ctx: ctx, user: u, sess: sess}, true
}

// refuse answers a person who may not see this page.
func (c *Console) refuse(ctx *fasthttp.RequestCtx, u archive.User, signedIn bool, status int) {
	if !signedIn {
		redirect(ctx, "/admin/login")
		return
	}
	sess, _, _ := c.srv.SessionOf(ctx)
	c.render(ctx, status, forbiddenPage(c.shell(&request{ctx: ctx, user: u, sess: sess}, "Not for your role", "")))
}

// safeNext keeps a post-sign-in destination inside the console, so the
// sign-in form cannot be used to send people elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin"
	}
	if strings.HasPrefix(next, "/admin/login") {
		return "/admin"
	}
	return next
}
