package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"inhouse/server/chat/wsconn"
)

var writeBuffers sync.Pool

// upgrader checks nothing itself: origin and session are checked before.
var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024, // chat frames are small; larger ones take more reads
	WriteBufferSize: 1024, // only the library's own control replies use it
	WriteBufferPool: &writeBuffers,
	CheckOrigin:     func(*http.Request) bool { return true },
}

// handover is the connection fasthttp hands over, as the upgrader takes
// it. The socket is used directly, not through fasthttp's request reader:
// request bodies are streamed (uploads), so fasthttp would otherwise keep
// that 8 KiB reader for the socket's whole life, and, with
// ReduceMemoryUsage, read through state it frees when the hijack handler
// returns. A client sends nothing before the 101 answer, so the reader
// holds nothing of the socket's.
type handover struct {
	conn net.Conn
	h    http.Header
}

func (h *handover) Header() http.Header { return h.h }

// Write and WriteHeader answer a refused handshake (checked before the
// hijack, so not expected) by closing.
func (h *handover) Write(b []byte) (int, error) { return len(b), nil }
func (h *handover) WriteHeader(int)             {}

func (h *handover) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return h.conn, bufio.NewReadWriter(bufio.NewReaderSize(h.conn, 16), bufio.NewWriterSize(h.conn, 16)), nil
}

// upgradeRequest is the handshake's headers, for the upgrader.
func upgradeRequest(ctx *fasthttp.RequestCtx) *http.Request {
	h := http.Header{}
	for _, k := range []string{"Connection", "Upgrade", "Sec-Websocket-Version", "Sec-Websocket-Key"} {
		h.Set(k, string(ctx.Request.Header.Peek(k)))
	}
	return &http.Request{Method: http.MethodGet, Header: h}
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
	if !websocket.FastHTTPIsWebSocketUpgrade(ctx) {
		jsonError(ctx, fasthttp.StatusBadRequest, "bad_request", "This address takes WebSocket connections only.")
		return
	}
	name := u.Name
	req := upgradeRequest(ctx)
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		if u, ok := c.(interface{ UnsafeConn() net.Conn }); ok {
			c = u.UnsafeConn()
		}
		ws, err := upgrader.Upgrade(&handover{conn: c, h: http.Header{}}, req, nil)
		if err != nil {
			s.log.Debug("websocket upgrade failed", "err", err)
			c.Close()
			return
		}
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
}

// recoverConn logs a panic in a connection's goroutine and closes the
// connection, instead of taking the server down.
func (s *Server) recoverConn(user string, ws *websocket.Conn) {
	if v := recover(); v != nil {
		s.log.Error("panic in connection", "user", user, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		ws.Close()
	}
}
