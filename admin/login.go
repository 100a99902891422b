package admin

import (
	"errors"

	"github.com/a-h/templ"
	"github.com/valyala/fasthttp"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/office"
)

// GET /admin/login: the sign-in form. It shares the chat's session.
func (c *Console) loginPage(ctx *fasthttp.RequestCtx) {
	next := safeNext(string(ctx.QueryArgs().Peek("next")))
	if _, u, ok := c.srv.SessionOf(ctx); ok && u.Role == archive.RoleAdmin {
		redirect(ctx, next)
		return
	}
	c.render(ctx, fasthttp.StatusOK, loginPage(c.publicShell("Sign in"), newForm(), next))
}

// POST /admin/login: checks the password like POST /api/login (same
// throttle) and starts the same session cookie.
func (c *Console) loginPost(ctx *fasthttp.RequestCtx) {
	f := postedForm(ctx)
	next := safeNext(f.Get("next"))
	if !c.srv.SameOrigin(ctx, "") {
		c.render(ctx, fasthttp.StatusForbidden, staleFormPage(c.publicShell("Form expired")))
		return
	}
	pw := f.Raw("password")
	f.Set("password") // never echo a password back
	if f.Get("username") == "" {
		f.Fail("username", "Enter your user name.")
		c.render(ctx, fasthttp.StatusBadRequest, loginPage(c.publicShell("Sign in"), f, next))
		return
	}
	u, err := c.srv.PasswordSignIn(ctx, f.Get("username"), pw)
	refusal, refused := server.RefusalOf(err)
	switch {
	case refused:
		if refusal.RetryAfter != "" {
			ctx.Response.Header.Set("Retry-After", refusal.RetryAfter)
		}
		field := "form"
		if errors.Is(err, server.ErrBadCredentials) {
			field = "password" // the cursor goes where the mistake likely is
		}
		f.Fail(field, refusal.Sentence)
		c.render(ctx, refusal.Status, loginPage(c.publicShell("Sign in"), f, next))
	case err != nil:
		f.Fail("form", "The server could not sign you in. Try again; if it keeps failing, check the dashboard's warnings.")
		c.render(ctx, fasthttp.StatusServiceUnavailable, loginPage(c.publicShell("Sign in"), f, next))
	default:
		// The dashboard is the office manager's; other roles start on
		// their own first page rather than a refusal.
		if next == "/admin" {
			next = homeFor(u.Role)
		}
		redirect(ctx, next)
	}
}

// signInFocus puts the cursor where the next thing to type goes: the user
// name on a fresh form, the password when the form comes back with a name
// (a password is never sent back, so it is the one to type again).
func signInFocus(f *form, field string, attrs templ.Attributes) templ.Attributes {
	next := "username"
	if f.Get("username") != "" {
		next = "password"
	}
	if field == next {
		attrs["autofocus"] = true
	}
	return attrs
}

// publicShell frames a page for someone not signed in.
func (c *Console) publicShell(title string) *shell {
	return &shell{Title: title, Office: c.store.Settings().OfficeName}
}

// POST /admin/logout
func (c *Console) logout(r *request) {
	if err := c.srv.SignOut(r.ctx); err != nil {
		c.log.Error("sign out", "err", err)
	}
	redirect(r.ctx, "/admin/login")
}

// GET /admin/password: change one's own password; forced after a reset.
func (c *Console) passwordPage(r *request) {
	c.render(r.ctx, fasthttp.StatusOK, passwordPage(c.shell(r, "Change your password", ""), newForm(), r.user.MustChange))
}

// POST /admin/password
func (c *Console) passwordPost(r *request) {
	f := postedForm(r.ctx)
	cur, pw, again := f.Raw("current"), f.Raw("new"), f.Raw("repeat")
	f.Set("current")
	f.Set("new")
	f.Set("repeat")
	switch err := c.srv.CheckCurrentPassword(r.ctx, r.user, r.sess.ID, cur); {
	case err == nil:
	case errors.Is(err, server.ErrBadCredentials):
		f.Fail("current", "This is not your current password.")
	case errors.Is(err, server.ErrSessionEnded):
		redirect(r.ctx, "/admin/login")
		return
	default:
		refusal, ok := server.RefusalOf(err)
		if !ok {
			c.storeFailed(r, err, "/admin/password")
			return
		}
		if refusal.RetryAfter != "" {
			r.ctx.Response.Header.Set("Retry-After", refusal.RetryAfter)
		}
		f.Fail("current", refusal.Sentence)
	}
	for _, p := range office.NewPasswordProblems(cur, pw) {
		f.Fail(p.Field, p.Message)
	}
	if pw != again {
		f.Fail("repeat", "The two new passwords differ.")
	}
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, passwordPage(c.shell(r, "Change your password", ""), f, r.user.MustChange))
		return
	}
	if err := c.office.ChangeOwnPassword(r.user.Name, cur, pw); err != nil {
		c.storeFailed(r, err, "/admin/password")
		return
	}
	// Every session of this person ended, this one too.
	if err := c.srv.StartSession(r.ctx, r.user.Name); err != nil {
		redirect(r.ctx, "/admin/login")
		return
	}
	redirect(r.ctx, "/admin")
}
