package chat

import (
	"bytes"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server/archive"
)

// Connection timing.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	// ReadLimit is the largest frame a client may send; a larger one closes
	// the connection with 1009 (message too big).
	ReadLimit = 64 << 10
)

// Close codes.
const (
	closeGoingAway = websocket.CloseGoingAway
	closePolicy    = websocket.ClosePolicyViolation
)

// Conn is one browser tab's WebSocket. One goroutine reads (Serve's
// caller). Writing needs no goroutine while there is nothing to write: the
// dispatcher writes a burst itself when the socket takes it at once, and
// otherwise (or for frames queued elsewhere) starts one that drains the
// queue and ends, so an idle connection costs one goroutine. The queue is
// bounded.
type Conn struct {
	hub  *Hub
	ws   *websocket.Conn
	sock *sockWriter // writes to the plain TCP socket under ws; nil under TLS
	user string
	// session is the sign-in the socket was opened with; valid says whether
	// it still stands (asked at every ping, so an ended session's socket
	// closes within a ping period even if nothing told the hub).
	session string
	valid   func() bool
	report  func(archive.Message, bool, error) // where its stored messages are reported

	mu      sync.Mutex
	out     [][]byte // text frames' payloads, in order
	control [][]byte // whole control frames to send first (pong, close)
	closing bool     // a close frame is queued: write it, then close
	rest    []byte   // bytes of a burst kick could not write: the flush goroutine's first
	// pending counts the payload bytes queued or being written, until the
	// socket took them; personQueued is the same summed over the person's
	// connections. Both bound what a reader that never reads can pin.
	pending      int64
	restPending  int64 // the part of pending that rest carries
	personQueued *atomic.Int64
	allow        *allowance // the person's send and read limits
	cursors      cursors    // per channel: what this connection has been given
	away         bool
	closed       bool

	writing   bool // someone is writing to the socket (c.mu)
	ping      *time.Timer
	done      chan struct{}
	closeOnce sync.Once
	// users counts goroutines other than the reader that may touch ws. The
	// socket must outlive them: fasthttp frees a hijacked connection as soon
	// as Serve returns.
	users sync.WaitGroup
}

// cursor is the next seq of a channel this connection should get. While a
// sync is filling a gap, live messages for that channel are left to it.
type cursor struct {
	next    uint64
	syncing bool
}

// Open registers a connection for user and returns the function that
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
func (h *Hub) Open(ws *websocket.Conn, user, session string, mark Mark, valid func() bool) (run func()) {
	c := &Conn{hub: h, ws: ws, sock: newSockWriter(ws.NetConn()), user: user, session: session, valid: valid, done: make(chan struct{})}
	c.report = h.reporter(c, nil)
	behind, err := h.register(c, mark)
	if err != nil {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, err.Error()), time.Now().Add(time.Second))
		ws.Close()
		return nil
	}
	if !valid() {
		c.closeWith(closePolicy, "signed out")
		c.users.Wait()
		h.unregister(c)
		return nil
	}
	c.mu.Lock()
	c.ping = time.AfterFunc(pingPeriod, c.sendPing)
	c.mu.Unlock()
	return func() { c.run(behind) }
}

// run catches up the channels published past the connection's mark, then
// reads frames until the connection closes.
func (c *Conn) run(behind []string) {
	for _, channel := range behind {
		if err := c.catchUp(channel); err != nil {
			if !errors.Is(err, errClosed) {
				c.hub.log.Error("catching up a new connection", "user", c.user, "channel", channel, "err", err)
			}
			c.closeWith(websocket.CloseTryAgainLater, "try again")
			break
		}
	}
	c.readLoop()
	c.close()
	c.users.Wait()
	c.hub.unregister(c)
}

func (c *Conn) readLoop() {
	c.ws.SetReadLimit(ReadLimit)
	armed := time.Now()
	c.ws.SetReadDeadline(armed.Add(pongWait))
	c.ws.SetPongHandler(func(string) error {
		c.ws.SetReadDeadline(time.Now().Add(pongWait))
		return nil
	})
	// The library would answer pings and closes from this goroutine; the
	// writer owns the socket, so hand the answers to it.
	c.ws.SetPingHandler(func(data string) error {
		c.pushControl(controlFrame(websocket.PongMessage, []byte(data)), false)
		return nil
	})
	c.ws.SetCloseHandler(func(code int, _ string) error {
		c.pushControl(controlFrame(websocket.CloseMessage, websocket.FormatCloseMessage(code, "")), true)
		return nil
	})
	for {
		kind, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		buf := frameBufs.Get().(*bytes.Buffer)
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			frameBufs.Put(buf)
			return
		}
		// The deadline moves once a second at most: arming it is a timer
		// change in the runtime, too dear for every frame.
		if now := time.Now(); now.Sub(armed) >= time.Second {
			c.ws.SetReadDeadline(now.Add(pongWait))
			armed = now
		}
		if kind != websocket.TextMessage {
			c.push(encodeError("", CodeBadRequest, "Frames must be JSON text."))
		} else {
			c.handle(buf.Bytes()) // copies what it keeps
		}
		frameBufs.Put(buf)
	}
}

// frameBufs holds the buffers frames are read into: a frame is handled
// before the next is read, so a buffer is needed only meanwhile, and an
// idle connection holds none.
var frameBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 1024)) }}

// push queues frames for this connection. When a slow client lets its
// queue overflow it is dropped; it resyncs by seq when it reconnects.
func (c *Conn) push(frames ...[]byte) bool {
	c.mu.Lock()
	ok := c.pushLocked(frames...)
	c.mu.Unlock()
	return ok
}

func (c *Conn) pushLocked(frames ...[]byte) bool {
	if !c.enqueueLocked(frames...) {
		return false
	}
	c.startWriter()
	return true
}

// enqueueLocked queues frames without starting the writer: the dispatcher
// queues a whole commit batch first and then starts each writer once, so
// an ack and its message, or a burst of messages, leave in one write.
func (c *Conn) enqueueLocked(frames ...[]byte) bool {
	if c.closed {
		return false
	}
	n := payloadBytes(frames)
	l := &c.hub.limits
	if len(c.out)+len(frames) > l.QueueFrames || (c.pending > 0 && c.pending+n > l.QueueBytes) ||
		c.personQueued.Load()+n > l.PersonQueueBytes {
		c.hub.Dropped.Add(1)
		go c.closeWith(websocket.ClosePolicyViolation, "too slow: reconnect and sync")
		return false
	}
	c.hold(n)
	c.out = append(c.out, frames...)
	return true
}

// payloadBytes is what frames hold.
func payloadBytes(frames [][]byte) int64 {
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	return int64(n)
}

// hold counts n more bytes as waiting. c.mu is held.
func (c *Conn) hold(n int64) {
	c.pending += n
	c.personQueued.Add(n)
}

// release counts n bytes as written (or dropped). c.mu is held.
func (c *Conn) release(n int64) {
	n = min(n, c.pending)
	c.pending -= n
	c.personQueued.Add(-n)
}

// kick sends what enqueueLocked queued. A burst (an ack and its message,
// say) nearly always fits the socket's buffer whole, so it is written right
// here, without a goroutine, a deadline or a wait; what the socket does not
// take at once goes to a flush goroutine, which waits for it.
func (c *Conn) kick() {
	c.mu.Lock()
	if len(c.out) == 0 {
		c.mu.Unlock()
		return
	}
	if c.sock == nil || c.writing || c.closed || len(c.control) > 0 {
		c.startWriter()
		c.mu.Unlock()
		return
	}
	c.writing = true
	batch := c.out
	c.out = nil
	taken := payloadBytes(batch)
	c.mu.Unlock()

	bp := writeBuffers.Get().(*[]byte)
	buf := (*bp)[:0]
	for i, f := range batch {
		buf = textFrame(buf, f)
		batch[i] = nil
	}
	n, err := c.sock.writeNow(buf)
	c.mu.Lock()
	if c.out == nil && cap(batch) <= maxKeptQueue {
		c.out = batch[:0]
	}
	switch {
	case err != nil:
		c.writing = false
		c.mu.Unlock()
		c.close()
	case n < len(buf) || len(c.out) > 0 || len(c.control) > 0:
		if n < len(buf) {
			c.hub.ShortWrites.Add(1)
		}
		c.writing = false
		c.startWriter()
		if c.writing { // started: it writes the rest first, then releases
			c.rest = append(c.rest[:0], buf[n:]...)
			c.restPending = taken
		} else {
			c.release(taken)
		}
		c.mu.Unlock()
	default:
		c.release(taken)
		c.writing = false
		c.mu.Unlock()
	}
	*bp = buf
	if cap(buf) <= maxKeptBuffer {
		writeBuffers.Put(bp)
	}
}

// startWriter makes sure a flush goroutine runs. c.mu is held.
func (c *Conn) startWriter() {
	if c.writing || c.closed {
		return
	}
	c.writing = true
	c.users.Add(1) // under c.mu while not closed, so before Serve waits
	go c.flush()
}

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
	return c.enqueueLocked(frame)
}

// enqueue queues frames; the caller kicks the writer.
func (c *Conn) enqueue(frames ...[]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enqueueLocked(frames...)
}

// pendingBytes is how many payload bytes wait to be written.
func (c *Conn) pendingBytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending
}

// queued is how many frames wait to be written.
func (c *Conn) queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.out)
}

// pushControl queues a control frame; closing makes it the last frame.
func (c *Conn) pushControl(frame []byte, closing bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.closing {
		return
	}
	c.control = append(c.control, frame)
	c.closing = closing
	c.startWriter()
}

// sendPing queues a ping and arms the next; a peer that stops answering
// runs into the read deadline. A socket whose session ended is closed.
func (c *Conn) sendPing() {
	if !c.valid() {
		c.closeWith(closePolicy, "signed out")
		return
	}
	c.pushControl(controlFrame(websocket.PingMessage, nil), false)
	c.mu.Lock()
	if !c.closed {
		c.ping.Reset(pingPeriod)
	}
	c.mu.Unlock()
}

// maxKeptBuffer is the largest write buffer a connection keeps between
// bursts; a larger one is dropped so idle connections stay small.
const maxKeptBuffer = 16 << 10

// maxKeptQueue is the longest queue array a connection keeps between bursts.
const maxKeptQueue = 16

// writeBuffers are reused between bursts by every connection.
var writeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// flush writes everything queued, in as few writes as there are bursts,
// and ends when the queue is empty.
func (c *Conn) flush() {
	defer c.users.Done()
	bp := writeBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxKeptBuffer {
			writeBuffers.Put(bp)
		}
	}()
	nc := c.ws.NetConn()
	var batch [][]byte
	for {
		c.mu.Lock()
		if len(c.rest) == 0 && len(c.out) == 0 && len(c.control) == 0 {
			// Keep a small queue for the next burst: no allocation per
			// delivery, and little for a quiet connection to hold (the
			// frames themselves were let go as they were written).
			if c.out == nil && cap(batch) <= maxKeptQueue {
				c.out = batch[:0]
			}
			c.writing = false
			c.mu.Unlock()
			return
		}
		// What kick could not write is the rest of a frame: it goes first.
		rest, control, closing := c.rest, c.control, c.closing
		batch, c.out, c.control, c.rest = c.out, batch[:0], nil, nil
		taken := c.restPending + payloadBytes(batch)
		c.restPending = 0
		c.mu.Unlock()
		buf := append((*bp)[:0], rest...)
		for _, f := range control {
			buf = append(buf, f...)
		}
		if !closing {
			for i, f := range batch {
				buf = textFrame(buf, f)
				batch[i] = nil
			}
		}
		*bp = buf
		nc.SetWriteDeadline(time.Now().Add(writeWait))
		_, err := nc.Write(buf)
		c.mu.Lock()
		c.release(taken)
		if err != nil || closing {
			c.writing = false
			c.mu.Unlock()
			c.close()
			return
		}
		c.mu.Unlock()
	}
}

// closeWith sends a close frame with code and reason in place of what is
// still queued, then closes. A writer stuck on a dead peer is cut off
// after a second.
func (c *Conn) closeWith(code int, reason string) {
	c.pushControl(controlFrame(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason)), true)
	select {
	case <-c.done:
	case <-time.After(time.Second):
		c.close()
	}
}

func (c *Conn) close() {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.out = nil
		c.release(c.pending) // a writer still on the socket lets go of its buffer as it closes
		if c.ping != nil {
			c.ping.Stop()
		}
		c.mu.Unlock()
		close(c.done)
		c.ws.Close()
	})
}
