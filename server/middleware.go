package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/office"
)

// Body limits: the API takes small JSON bodies only.
const (
	maxBody    = 1 << 20
	maxAPIBody = 64 << 10
)

const sessionCookie = "inhouse_session"

// guard wraps every request: the network allow-list, security headers, and
// a recover so no panic reaches a person.
func (s *Server) guard(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic serving request", "path", string(ctx.Path()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				ctx.ResetBody()
				jsonError(ctx, fasthttp.StatusInternalServerError, "internal", "Something went wrong on the server. Try again.")
			}
		}()
		if !s.allowed(ctx) {
			s.log.Warn("refused: address not allowed", "remote", ctx.RemoteIP().String(), "path", string(ctx.Path()))
			jsonError(ctx, fasthttp.StatusForbidden, "forbidden", "This address may not use Inhouse.")
			return
		}
		// Read from the raw headers: once the body is read fasthttp keeps
		// neither header as it came.
		if ambiguousLength(ctx.Request.Header.RawHeaders()) {
			// A proxy in front may frame this body by one header and us by
			// the other: the rest would be read as a second request.
			ctx.SetConnectionClose()
			jsonError(ctx, fasthttp.StatusBadRequest, "bad_request", "A request may not carry both Content-Length and Transfer-Encoding.")
			return
		}
		if !boundBody(ctx) {
			return
		}
		if isAdminPath(ctx.Path()) && !s.adminAllowed(ctx) {
			s.log.Warn("refused: address may not use the console", "remote", ctx.RemoteIP().String(), "path", string(ctx.Path()))
			jsonError(ctx, fasthttp.StatusForbidden, "forbidden", "The console may not be used from this address.")
			return
		}
		h := &ctx.Response.Header
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		if s.tls != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next(ctx)
	}
}

// boundBody holds every request but an upload to maxBody: bodies are
// streamed to handlers (for uploads), so a larger one is refused here, and
// a chunked one is read here up to the bound. It answers 413 and reports
// false when the body is too large.
func boundBody(ctx *fasthttp.RequestCtx) bool {
	if !ctx.Request.IsBodyStream() || (ctx.IsPost() && string(ctx.Path()) == uploadPath) {
		return true
	}
	limit := maxBody
	if picturePath(ctx) {
		limit = maxPictureBody
	}
	tooLarge := func() bool {
		jsonError(ctx, fasthttp.StatusRequestEntityTooLarge, "too_large", "The request is too large.")
		answerUnread(ctx)
		return false
	}
	if ctx.Request.Header.ContentLength() > limit {
		return tooLarge()
	}
	if ctx.Request.Header.ContentLength() == -1 { // chunked
		b, err := io.ReadAll(io.LimitReader(ctx.RequestBodyStream(), int64(limit)+1))
		if err != nil || len(b) > limit {
			return tooLarge()
		}
		ctx.Request.SetBodyRaw(b)
	}
	return true
}

// maxPictureBody bounds a person's picture as uploaded: a photo straight
// from a phone, which the server makes small (docs/people.md).
const maxPictureBody = 8 << 20

// picturePath: a person's new picture, through the API or the console.
func picturePath(ctx *fasthttp.RequestCtx) bool {
	p := string(ctx.Path())
	return (ctx.IsPut() && p == "/api/me/picture") ||
		(ctx.IsPost() && strings.HasPrefix(p, "/admin/people/") && strings.HasSuffix(p, "/picture"))
}

// ambiguousLength says whether raw request headers carry both
// Content-Length and Transfer-Encoding (RFC 9112 section 6.3: a request
// smuggling attempt, or a broken client).
func ambiguousLength(raw []byte) bool {
	var cl, te bool
	for line := range bytes.SplitSeq(raw, []byte("\n")) {
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		name = bytes.TrimSpace(name)
		cl = cl || bytes.EqualFold(name, []byte("Content-Length"))
		te = te || bytes.EqualFold(name, []byte("Transfer-Encoding"))
	}
	return cl && te
}

func (s *Server) allowed(ctx *fasthttp.RequestCtx) bool {
	ip, ok := netip.AddrFromSlice(ctx.RemoteIP())
	if !ok {
		return false
	}
	return s.Allowed(ip)
}

// isAdminPath is what --admin-allow narrows: the console and the admin API,
// but not the messenger check every employee may open.
func isAdminPath(p []byte) bool {
	if bytes.Equal(p, []byte("/admin/reach")) {
		return false
	}
	return bytes.Equal(p, []byte("/admin")) || bytes.HasPrefix(p, []byte("/admin/")) || bytes.HasPrefix(p, []byte("/api/admin/"))
}

// adminAllowed applies the narrower console list, when there is one.
func (s *Server) adminAllowed(ctx *fasthttp.RequestCtx) bool {
	if len(s.cfg.AdminAllow) == 0 {
		return true
	}
	ip, ok := netip.AddrFromSlice(ctx.RemoteIP())
	if !ok {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.cfg.AdminAllow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// request is an API call by a signed-in person.
type request struct {
	ctx  *fasthttp.RequestCtx
	user archive.User
	sess archive.Session
}

// actor is the caller, for the application layer.
func (r *request) actor() office.Actor {
	return office.Actor{Name: r.user.Name, Role: r.user.Role, Via: office.ViaAPI}
}

// session returns the caller's session, if any.
func (s *Server) session(ctx *fasthttp.RequestCtx) (archive.Session, archive.User, bool) {
	tok := ctx.Request.Header.Cookie(sessionCookie)
	if len(tok) == 0 || len(tok) > 100 {
		return archive.Session{}, archive.User{}, false
	}
	sess, u, err := s.store.SessionFor(string(tok))
	return sess, u, err == nil
}

// api wraps a handler for signed-in people with at least one of roles (any
// role when none is named). State-changing methods also pass the
// same-origin check.
func (s *Server) api(h func(r *request), roles ...string) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		sess, u, ok := s.session(ctx)
		if !ok {
			jsonError(ctx, fasthttp.StatusUnauthorized, "unauthorized", "Sign in first.")
			return
		}
		if len(roles) > 0 && !hasRole(u.Role, roles) {
			jsonError(ctx, fasthttp.StatusForbidden, "forbidden", "Your role may not do this.")
			return
		}
		// A one-time password from a reset opens nothing but choosing a
		// new one: whoever saw it on the manager's screen cannot chat.
		if u.MustChange && !mustChangeAllows[string(ctx.Path())] {
			jsonError(ctx, fasthttp.StatusForbidden, "password_change_required", "Choose a new password first.")
			return
		}
		if !ctx.IsGet() && !ctx.IsHead() && !s.sameOrigin(ctx, sess.CSRF) {
			jsonError(ctx, fasthttp.StatusForbidden, "csrf", "The request did not come from this site's pages.")
			return
		}
		h(&request{ctx: ctx, user: u, sess: sess})
	}
}

// mustChangeAllows is what a person who must choose a new password may call.
var mustChangeAllows = map[string]bool{"/api/me": true, "/api/password": true, "/api/logout": true}

func hasRole(role string, roles []string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// sameOrigin is the CSRF check for state-changing requests: a matching
// X-CSRF-Token header, or browser headers that say the request came from
// this origin. A request with neither Origin nor Sec-Fetch-Site comes from a
// script, not a browser page, and cannot carry a forged cookie-based intent.
func (s *Server) sameOrigin(ctx *fasthttp.RequestCtx, csrf string) bool {
	if tok := ctx.Request.Header.Peek("X-CSRF-Token"); len(tok) > 0 && csrf != "" {
		return subtle.ConstantTimeCompare(tok, []byte(csrf)) == 1
	}
	switch site := string(ctx.Request.Header.Peek("Sec-Fetch-Site")); site {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	origin := ctx.Request.Header.Peek("Origin")
	if len(origin) == 0 {
		return true
	}
	return s.isOwnOrigin(ctx, origin)
}

// isOwnOrigin compares an Origin header with the Host the request used.
func (s *Server) isOwnOrigin(ctx *fasthttp.RequestCtx, origin []byte) bool {
	_, rest, ok := bytes.Cut(origin, []byte("://"))
	return ok && bytes.EqualFold(rest, ctx.Host())
}

// decode reads a JSON body into v, answering 400/413/415 itself.
func decode(ctx *fasthttp.RequestCtx, v any) bool {
	body := ctx.PostBody()
	if len(body) > maxAPIBody {
		jsonError(ctx, fasthttp.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("The request body is larger than %d KiB.", maxAPIBody>>10))
		return false
	}
	if ct := ctx.Request.Header.ContentType(); !bytes.HasPrefix(ct, []byte("application/json")) {
		jsonError(ctx, fasthttp.StatusUnsupportedMediaType, "bad_request", "Send JSON with Content-Type: application/json.")
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		msg := "The body is not valid JSON."
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			msg = fmt.Sprintf("The field %q has the wrong type.", te.Field)
		}
		jsonError(ctx, fasthttp.StatusBadRequest, "bad_request", msg)
		return false
	}
	return true
}

// writeJSON answers 200 with v.
func writeJSON(ctx *fasthttp.RequestCtx, v any) {
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	b, err := json.Marshal(v)
	if err != nil {
		jsonError(ctx, fasthttp.StatusInternalServerError, "internal", "The answer could not be encoded.")
		return
	}
	ctx.SetBody(b)
}

// formError answers bad form fields for a page of our own that shows each
// beside its field (the first-run page): the contract's error, plus
// "fields": {"name": "A sentence.", …}. Other errors go to storeError.
func formError(ctx *fasthttp.RequestCtx, err error) {
	p, ok := office.AsProblems(err)
	if !ok || errors.Is(err, archive.ErrExists) {
		storeError(ctx, err)
		return
	}
	fields := map[string]string{}
	for _, f := range p {
		if _, seen := fields[f.Field]; !seen {
			fields[f.Field] = f.Message
		}
	}
	ctx.SetStatusCode(fasthttp.StatusBadRequest)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	b, _ := json.Marshal(map[string]any{"error": "bad_request", "message": p.Error(), "fields": fields})
	ctx.SetBody(b)
}

// jsonError answers {"error":code,"message":msg} with status.
func jsonError(ctx *fasthttp.RequestCtx, status int, code, msg string) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	b, _ := json.Marshal(map[string]string{"error": code, "message": msg})
	ctx.SetBody(b)
}

// storeError turns an archive or application-layer error into an answer
// of the contract's shape, {"error","message"}.
func storeError(ctx *fasthttp.RequestCtx, err error) {
	var ue archive.UserError
	var forbidden *office.Forbidden
	switch {
	case errors.Is(err, archive.ErrNotFound):
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", archive.Sentence(err))
	case errors.Is(err, archive.ErrExists):
		jsonError(ctx, fasthttp.StatusConflict, "exists", archive.Sentence(err))
	case errors.As(err, &ue):
		jsonError(ctx, fasthttp.StatusBadRequest, "bad_request", archive.Sentence(err))
	case errors.As(err, &forbidden):
		jsonError(ctx, fasthttp.StatusForbidden, "forbidden", forbidden.Message)
	default:
		jsonError(ctx, fasthttp.StatusServiceUnavailable, "unavailable", "The server could not save this. Try again; if it keeps failing, tell the office manager.")
	}
}
