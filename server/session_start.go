package server

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// Errors from PasswordSignIn.
var ErrBadCredentials = errors.New("the user name or password is wrong")

// ThrottledError says how long to wait after too many failed sign-ins.
type ThrottledError struct{ Wait time.Duration }

func (e ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %d minutes", int(e.Wait.Minutes())+1)
}

// PasswordSignIn checks a user name and password (signInCheck: throttled,
// bounded, same timing for unknown names) and on success starts a session
// on this browser. POST /api/login and the console's sign-in form both
// use it.
func (s *Server) PasswordSignIn(ctx *fasthttp.RequestCtx, username, password string) (archive.User, error) {
	u, err := s.signInCheck(username, ctx.RemoteIP().String(), password)
	if err != nil {
		return u, err
	}
	return u, s.startSession(ctx, u.Name)
}

// normName is a typed user name as stored.
func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// StartSession signs name in on this browser: the same cookie as
// POST /api/login.
func (s *Server) StartSession(ctx *fasthttp.RequestCtx, name string) error {
	return s.startSession(ctx, name)
}

// SignOut ends the caller's session, if any, with its open sockets, and
// clears the cookie.
func (s *Server) SignOut(ctx *fasthttp.RequestCtx) error {
	ctx.Response.Header.DelClientCookie(sessionCookie)
	if sess, u, ok := s.session(ctx); ok {
		return s.EndSession(u.Name, sess.ID, "signed out")
	}
	return nil
}
