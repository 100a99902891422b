package server

import (
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// SessionOf returns the signed-in person making the request, if any. The
// admin console uses it; it shares sign-in with the client.
func (s *Server) SessionOf(ctx *fasthttp.RequestCtx) (archive.Session, archive.User, bool) {
	return s.session(ctx)
}

// SameOrigin is the CSRF check for a state-changing request: a matching
// token (header X-CSRF-Token, or the form field the caller passes in as
// token) or browser headers saying the request came from this site.
func (s *Server) SameOrigin(ctx *fasthttp.RequestCtx, csrf string) bool {
	return s.sameOrigin(ctx, csrf)
}

// Started is when the server started.
func (s *Server) Started() int64 { return s.started.Unix() }

// Version is the running build's version.
func (s *Server) Version() string { return s.cfg.Version }

// TLSEnabled reports whether the server speaks HTTPS.
func (s *Server) TLSEnabled() bool { return s.tls != nil }
