package chat

import "sync/atomic"

// Transport carries one connection's frames (server/chat/wsconn for a
// WebSocket). The engine hands it payloads; framing, the write path, pings
// and the bounds on what may wait unwritten are the transport's.
type Transport interface {
	// Start counts what waits for this connection in person too (the sum
	// over a person's connections, which the transport bounds) and starts
	// its pings. alive is asked before each ping; when it answers false it
	// has closed the connection itself. Called once, on registration,
	// before anything is queued.
	Start(person *atomic.Int64, alive func() bool)
	// Enqueue queues a payload without writing it; Kick writes what is
	// queued. Push queues one and has it written soon. Both report false
	// when the connection is closed or the payload would overflow its
	// queue: the transport then closes a client this slow (it resyncs).
	Enqueue(payload []byte) bool
	Kick()
	Push(payload []byte) bool
	// Backlog queues payloads past the bounds, the engine keeping the
	// queue bounded by Queued, and has them written soon. False: closed.
	Backlog(payloads [][]byte) bool
	Queued() (frames int, bytes int64)
	// CloseWith tells the client why (a close code and a reason) in place
	// of what is still queued, and closes; it returns once closed.
	CloseWith(code int, reason string)
	// Done is closed when the connection is.
	Done() <-chan struct{}
	// Serve hands each frame the client sends to handle (text false for a
	// binary one; the payload is reused afterwards) until the connection
	// closes, and returns once it is closed.
	Serve(handle func(payload []byte, text bool))
}

// Close codes (RFC 6455) the engine closes connections with.
const (
	closeGoingAway = 1001 // the server is restarting: reconnect
	closePolicy    = 1008 // signed out, disabled
	closeTryAgain  = 1013 // refused or failed for now: reconnect later
)
