package server

import (
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"inhouse/server/chat/wsconn"
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
	sess, u, ok := s.session(ctx)
	if !ok {
		jsonError(ctx, fasthttp.StatusUnauthorized, "unauthorized", "Sign in first.")
		return
	}
	if u.MustChange {
		jsonError(ctx, fasthttp.StatusForbidden, "password_change_required", "Choose a new password first.")
		return
	}
	mark, err := s.hub.Admit(u.Name)
	if err != nil {
		jsonError(ctx, fasthttp.StatusServiceUnavailable, "unavailable", "Too many connections; close some tabs or try later.")
		return
	}
	name := u.Name
	err = upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
		// Register on this goroutine, which ends at once (so fasthttp can
		// free the upgrade request, see KeepHijackedConns) and takes its
		// grown stack with it; the connection lives on in a goroutine of its
		// own whose stack stays small.
		defer s.recoverConn(name, ws)
		l := s.hub.Limits()
		conn := wsconn.New(ws, wsconn.Config{QueueFrames: l.QueueFrames, QueueBytes: l.QueueBytes,
			PersonQueueBytes: l.PersonQueueBytes, Dropped: &s.hub.Dropped, ShortWrites: &s.hub.ShortWrites})
		run := s.hub.Open(conn, name, sess.ID, mark, func() bool {
			_, _, err := s.store.SessionFor(token)
			return err == nil
		})
		if run == nil {
			conn.Wait() // a writer may still hold ws, which fasthttp frees when we return
			return
		}
		go func() {
			defer s.recoverConn(name, ws)
			defer ws.Close()
			run()
		}()
	})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
	}
}

// recoverConn logs a panic in a connection's goroutine and closes the
// connection, instead of taking the server down.
func (s *Server) recoverConn(user string, ws *websocket.Conn) {
	if v := recover(); v != nil {
		s.log.Error("panic in connection", "user", user, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		ws.Close()
	}
}
