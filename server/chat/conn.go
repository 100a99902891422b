package chat

import (
	"errors"
	"sync"

	"inhouse/server/archive"
)

// Conn is one browser tab's connection as the engine sees it: whose it is,
// the sign-in it was opened with, and per channel what it has been given.
// Its frames come and go through a Transport.
type Conn struct {
	hub  *Hub
	t    Transport
	user string
	// session is the sign-in the socket was opened with; valid says whether
	// it still stands (asked at every ping, so an ended session's socket
	// closes within a ping period even if nothing told the hub).
	session string
	valid   func() bool
	report  func(archive.Message, bool, error) // where its stored messages are reported
	allow   *allowance                         // the person's send and read limits

	// mu guards the cursors and away. A cursor moves and the frame it lets
	// through is queued under mu, so a sync and live delivery never pass
	// each other on the way to the transport.
	mu      sync.Mutex
	cursors cursors // per channel: what this connection has been given
	away    bool
}

// cursor is the next seq of a channel this connection should get. While a
// sync is filling a gap, live messages for that channel are left to it.
type cursor struct {
	next    uint64
	syncing bool
}

// Open registers a connection of user over t and returns the function that
// runs it until it closes, for the caller to start in a goroutine of its
// own; nil when the connection was refused (and closed). Registering
// needs a deep stack and running one needs a shallow one: doing the first
// on the caller's goroutine keeps every idle connection's stack small.
// The caller has checked the session and called Admit, before the
// upgrade, for mark.
//
// valid says whether the session that opened the socket still stands. It
// is asked once the connection is registered: a person disabled or signed
// out between the upgrade and the registration was not there for Kick to
// find, so this is where such a socket is closed.
func (h *Hub) Open(t Transport, user, session string, mark Mark, valid func() bool) (run func()) {
	c := &Conn{hub: h, t: t, user: user, session: session, valid: valid}
	c.report = h.reporter(c, nil)
	behind, err := h.register(c, mark)
	if err != nil {
		t.CloseWith(closeTryAgain, err.Error())
		return nil
	}
	if !valid() {
		c.closeWith(closePolicy, "signed out")
		h.unregister(c)
		return nil
	}
	return func() { c.run(behind) }
}

// run catches up the channels published past the connection's mark, then
// handles frames until the connection closes.
func (c *Conn) run(behind []string) {
	for _, channel := range behind {
		if err := c.catchUp(channel); err != nil {
			if !errors.Is(err, errClosed) {
				c.hub.log.Error("catching up a new connection", "user", c.user, "channel", channel, "err", err)
			}
			c.closeWith(closeTryAgain, "try again")
			break
		}
	}
	c.t.Serve(c.receive)
	c.hub.unregister(c)
}

// receive handles one frame from the client; it copies what it keeps.
func (c *Conn) receive(payload []byte, text bool) {
	if !text {
		c.push(encodeError("", CodeBadRequest, "Frames must be JSON text."))
		return
	}
	c.handle(payload)
}

// alive is asked at every ping: a socket whose session ended is closed.
func (c *Conn) alive() bool {
	if c.valid() {
		return true
	}
	c.closeWith(closePolicy, "signed out")
	return false
}

// push queues a frame and has it written soon. When a slow client lets
// its queue overflow it is dropped; it resyncs by seq when it reconnects.
func (c *Conn) push(frame []byte) bool { return c.t.Push(frame) }

// enqueue queues a frame; the caller kicks the writer.
func (c *Conn) enqueue(frame []byte) bool { return c.t.Enqueue(frame) }

// kick writes what enqueue and offer queued, a burst at once.
func (c *Conn) kick() { c.t.Kick() }

// closeWith closes the connection, telling the client why.
func (c *Conn) closeWith(code int, reason string) { c.t.CloseWith(code, reason) }

// offer queues a live message unless this connection already has it or a
// sync is about to give it. The caller kicks the writer.
func (c *Conn) offer(channel string, seq uint64, frame []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.cursors.get(channel)
	if cur == nil || cur.syncing || seq < cur.next {
		return false
	}
	cur.next = seq + 1
	return c.t.Enqueue(frame)
}
