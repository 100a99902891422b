package server

import (
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

var writeBuffers sync.Pool

// upgrader checks nothing itself: origin and session are checked before.
var upgrader = websocket.FastHTTPUpgrader{
	ReadBufferSize:  1024, // chat frames are small; larger ones take more reads
	WriteBufferSize: 1024, // only the library's own control replies use it
	WriteBufferPool: &writeBuffers,
	CheckOrigin:     func(*fasthttp.RequestCtx) bool { return true },
}

// GET /ws: the session, the policy and the Origin are checked before the
// upgrade; a cross-origin page can never open a socket with our cookie.
func (s *Server) websocket(ctx *fasthttp.RequestCtx) {
	origin := ctx.Request.Header.Peek("Origin")
	if len(origin) == 0 || !s.isOwnOrigin(ctx, origin) {
		jsonError(ctx, fasthttp.StatusForbidden, "forbidden", "WebSocket connections must come from this site's pages.")
		return
	}
	token := string(ctx.Request.Header.Cookie(sessionCookie))
	_, u, ok := s.session(ctx)
	if !ok {
		jsonError(ctx, fasthttp.StatusUnauthorized, "unauthorized", "Sign in first.")
		return
	}
	mark, err := s.hub.Admit(u.Name)
	if err != nil {
		jsonError(ctx, fasthttp.StatusServiceUnavailable, "unavailable", "Too many connections; close some tabs or try later.")
		return
	}
	name := u.Name
	err = upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
		// Return at once so fasthttp can free the upgrade request (see
		// KeepHijackedConns); the connection lives on in its own goroutine.
		go func() {
			defer func() {
				if v := recover(); v != nil {
					s.log.Error("panic in connection", "user", name, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				}
				ws.Close()
			}()
			s.hub.Serve(ws, name, mark, func() bool {
				_, _, err := s.store.SessionFor(token)
				return err == nil
			})
		}()
	})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
	}
}
