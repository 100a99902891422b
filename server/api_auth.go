package server

import (
	"errors"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/auth"
	"inhouse/server/office"
)

// userJSON is a person as the API shows them.
type userJSON struct {
	Name    string `json:"name"`
	Display string `json:"display"`
	Role    string `json:"role"`
}

func toUserJSON(u archive.User) userJSON {
	return userJSON{Name: u.Name, Display: u.Display, Role: u.Role}
}

// POST /api/login {"username","password"}
func (s *Server) login(ctx *fasthttp.RequestCtx) {
	if !s.sameOrigin(ctx, "") {
		jsonError(ctx, fasthttp.StatusForbidden, "csrf", "The request did not come from this site's pages.")
		return
	}
	var in struct{ Username, Password string }
	if !decode(ctx, &in) {
		return
	}
	u, err := s.PasswordSignIn(ctx, in.Username, in.Password)
	if !s.passwordError(ctx, err) {
		return
	}
	writeJSON(ctx, map[string]any{"user": toUserJSON(u)})
}

// startSession signs name in on this browser.
func (s *Server) startSession(ctx *fasthttp.RequestCtx, name string) error {
	tok := auth.Token()
	if _, err := s.store.AddSession(tok, name, auth.Token()); err != nil {
		return err
	}
	c := fasthttp.AcquireCookie()
	defer fasthttp.ReleaseCookie(c)
	c.SetKey(sessionCookie)
	c.SetValue(tok)
	c.SetPath("/")
	c.SetHTTPOnly(true)
	c.SetSameSite(fasthttp.CookieSameSiteStrictMode)
	c.SetSecure(s.tls != nil)
	c.SetMaxAge(int(archive.SessionMax.Seconds()))
	ctx.Response.Header.SetCookie(c)
	return nil
}

// POST /api/logout
func (s *Server) logout(r *request) {
	if err := s.EndSession(r.user.Name, r.sess.ID, "signed out"); err != nil {
		storeError(r.ctx, err)
		return
	}
	r.ctx.Response.Header.DelClientCookie(sessionCookie)
	writeJSON(r.ctx, map[string]bool{"ok": true})
}

// GET /api/me
func (s *Server) me(r *request) {
	p := s.store.Policy()
	accepted := s.store.Accepted(r.user.Name).Version
	st := s.store.Settings()
	// The person object (docs/people.md) with the role, as before.
	self := s.person(r.user)
	self.Role = r.user.Role
	receipts := st.Receipts
	if receipts == archive.ReceiptsOn {
		receipts = "on"
	}
	writeJSON(r.ctx, map[string]any{
		"user": self,
		"policy": map[string]any{
			"version":  p.Version,
			"accepted": accepted == p.Version,
			// 0: never accepted; lower than version: the policy changed since.
			"accepted_version": accepted,
			"text":             p.Text,
			"banner":           p.Banner,
		},
		"office":   s.store.Settings().OfficeName,
		"csrf":     r.sess.CSRF,
		"max_text": s.store.Settings().MaxText,
		"max_file": s.store.Settings().MaxFileBytes(),
		// docs/conversation.md
		"edit_window":           s.store.Settings().EditWindow,
		"mention_all_by":        office.WhoMayWords(s.store.Settings().MentionAllBy),
		"mention_confirm_above": s.store.Settings().ConfirmAbove(),
		"channels_by":           office.WhoMayWords(s.store.Settings().ChannelsBy), // who creates channels and adds people
		"must_change":           r.user.MustChange,
		// docs/people.md
		"receipts":      receipts,
		"hide_receipts": r.user.HideReceipts && st.Receipts == archive.ReceiptsOn,
		"may_announce":  s.office.MayAnnounce(r.user.Name),
		"profiles_by":   office.WhoMayWords(st.ProfilesBy),
	})
}

// POST /api/policy/accept {"version"}
func (s *Server) acceptPolicy(r *request) {
	var in struct{ Version int }
	if !decode(r.ctx, &in) {
		return
	}
	if err := s.store.AcceptPolicy(r.user.Name, in.Version); err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]any{"version": in.Version, "accepted": true})
}

// POST /api/password {"old","new"}: change one's own password; the other
// sessions end.
func (s *Server) changePassword(r *request) {
	var in struct{ Old, New string }
	if !decode(r.ctx, &in) {
		return
	}
	if err := s.CheckCurrentPassword(r.ctx, r.user, r.sess.ID, in.Old); errors.Is(err, ErrBadCredentials) {
		jsonError(r.ctx, fasthttp.StatusForbidden, "bad_credentials", "The current password is wrong.")
		return
	} else if !s.passwordError(r.ctx, err) {
		return
	}
	if err := s.office.ChangeOwnPassword(r.user.Name, in.Old, in.New); err != nil {
		storeError(r.ctx, err)
		return
	}
	// Every session ended, this one too: start a fresh one.
	if err := s.startSession(r.ctx, r.user.Name); err != nil {
		storeError(r.ctx, err)
		return
	}
	writeJSON(r.ctx, map[string]bool{"ok": true})
}

// GET /setup: the first-run page, only while no admin exists.
func (s *Server) setupPage(ctx *fasthttp.RequestCtx) {
	if s.setupToken.Load() == nil {
		ctx.Redirect("/", fasthttp.StatusSeeOther)
		return
	}
	s.serveAsset(ctx, "setup.html")
}

// POST /api/setup {"token","name","display","password"}: creates the first
// admin with the one-time token printed by serve, and signs them in.
func (s *Server) setup(ctx *fasthttp.RequestCtx) {
	if !s.sameOrigin(ctx, "") {
		jsonError(ctx, fasthttp.StatusForbidden, "csrf", "The request did not come from this site's pages.")
		return
	}
	var in struct{ Token, Name, Display, Password string }
	if !decode(ctx, &in) {
		return
	}
	t := s.setupToken.Load()
	if t == nil || !auth.Equal(in.Token, *t) {
		jsonError(ctx, fasthttp.StatusForbidden, "forbidden", "This setup link is not valid (any more). Use the link that inhouse serve printed.")
		return
	}
	u, err := s.office.SetUpOffice(office.NewPerson{Name: in.Name, Display: in.Display, Password: in.Password})
	if err != nil {
		formError(ctx, err)
		return
	}
	s.setupToken.Store(nil)
	if err := s.startSession(ctx, u.Name); err != nil {
		storeError(ctx, err)
		return
	}
	writeJSON(ctx, map[string]any{"user": toUserJSON(u)})
}

// passwordError answers a failed password check (signInCheck,
// CheckCurrentPassword) and reports whether the caller may go on.
func (s *Server) passwordError(ctx *fasthttp.RequestCtx, err error) bool {
	if err == nil {
		return true
	}
	r, ok := RefusalOf(err)
	if !ok {
		storeError(ctx, err)
		return false
	}
	if r.RetryAfter != "" {
		ctx.Response.Header.Set("Retry-After", r.RetryAfter)
	}
	jsonError(ctx, r.Status, r.Code, r.Sentence)
	return false
}
