package server

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/auth"
)

// Errors from PasswordSignIn.
var ErrBadCredentials = errors.New("the user name or password is wrong")

// ThrottledError says how long to wait after too many failed sign-ins.
type ThrottledError struct{ Wait time.Duration }

func (e ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %d minutes", int(e.Wait.Minutes())+1)
}

// PasswordSignIn checks a user name and password the way POST /api/login
// does (same throttle, same metrics, same timing for unknown names) and on
// success starts a session on this browser. The console's sign-in form
// uses it.
func (s *Server) PasswordSignIn(ctx *fasthttp.RequestCtx, username, password string) (archive.User, error) {
	name := strings.ToLower(strings.TrimSpace(username))
	addr := ctx.RemoteIP().String()
	if wait := s.throttle.wait(name, addr); wait > 0 {
		return archive.User{}, ThrottledError{wait}
	}
	u, err := s.store.User(name)
	ok := err == nil && !u.Disabled && len(password) <= auth.MaxPassword*4
	if ok {
		ok = auth.VerifyPassword(u.Hash, password)
	} else {
		auth.Waste(password)
	}
	if !ok {
		s.throttle.failed(name, addr)
		s.loginFailures.Inc()
		s.log.Info("sign-in failed", "user", name, "remote", addr, "via", "console")
		return archive.User{}, ErrBadCredentials
	}
	s.throttle.succeeded(name)
	return u, s.startSession(ctx, u.Name)
}

// StartSession signs name in on this browser: the same cookie as
// POST /api/login.
func (s *Server) StartSession(ctx *fasthttp.RequestCtx, name string) error {
	return s.startSession(ctx, name)
}

// SignOut ends the caller's session, if any, and clears the cookie.
func (s *Server) SignOut(ctx *fasthttp.RequestCtx) error {
	ctx.Response.Header.DelClientCookie(sessionCookie)
	if sess, _, ok := s.session(ctx); ok {
		return s.store.DeleteSession(sess.ID)
	}
	return nil
}
