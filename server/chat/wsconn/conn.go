// Package wsconn is a chat connection's WebSocket transport: the frames the
// server writes, a bounded outgoing queue written in one system call per
// burst, pings, and closing. It knows nothing of chat: the engine
// (server/chat) hands it payloads to send and gets back what the client
// sends.
package wsconn

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
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

// Config bounds a connection's queue and names the counters it adds to.
type Config struct {
	// QueueFrames and QueueBytes bound what waits unwritten for this
	// connection, and PersonQueueBytes for all of a person's (the counter
	// given to Start): a socket that falls this far behind is closed with
	// 1008, and its client reconnects and syncs. One frame is always let
	// onto an empty queue, as long as the person's bound holds.
	QueueFrames      int
	QueueBytes       int64
	PersonQueueBytes int64
	// Dropped counts sockets closed for falling behind; ShortWrites counts
	// bursts a socket did not take at once, left to a flush goroutine to
	// wait for room: clients falling behind.
	Dropped, ShortWrites *atomic.Uint64
}

// Conn is one WebSocket. One goroutine reads (Serve's caller). Writing
// needs no goroutine while there is nothing to write: Kick writes a burst
// itself when the socket takes it at once, and otherwise (or for frames
// Push queues) a goroutine is started that drains the queue and ends, so an
// idle connection costs one goroutine.
type Conn struct {
	ws   *websocket.Conn
	sock *sockWriter // writes to the plain TCP socket under ws; nil under TLS
	cfg  Config

	mu      sync.Mutex
	out     [][]byte // text frames' payloads, in order
	control [][]byte // whole control frames to send first (pong, close)
	closing bool     // a close frame is queued: write it, then close
	dropped bool     // closed for falling behind (counted once)
	rest    []byte   // bytes of a burst Kick could not write: the flush goroutine's first
	// pending counts the payload bytes queued or being written, until the
	// socket took them; person is the same summed over the person's
	// connections. Both bound what a reader that never reads can pin.
	pending     int64
	restPending int64 // the part of pending that rest carries
	person      *atomic.Int64
	alive       func() bool // asked before each ping
	closed      bool

	writing   bool // someone is writing to the socket (c.mu)
	ping      *time.Timer
	done      chan struct{}
	closeOnce sync.Once
	// users counts goroutines other than the reader that may touch ws. The
	// socket must outlive them: fasthttp frees a hijacked connection as soon
	// as the upgrade's handler returns.
	users sync.WaitGroup
}

// New wraps ws. Nothing is sent before Start, other than a close.
func New(ws *websocket.Conn, cfg Config) *Conn {
	return &Conn{ws: ws, sock: newSockWriter(ws.NetConn()), cfg: cfg, done: make(chan struct{})}
}

// Start counts what waits for this connection in person too (the sum over
// all of a person's connections, bounded by PersonQueueBytes) and starts
// the pings. alive is asked before each ping: false means it closed the
// connection (a session that ended, say) and no ping is sent. Call it once,
// before queueing anything.
func (c *Conn) Start(person *atomic.Int64, alive func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.person, c.alive = person, alive
	if !c.closed {
		c.ping = time.AfterFunc(pingPeriod, c.sendPing)
	}
}

// Serve reads frames until the connection closes, handing each payload to
// handle (text false for a binary frame). The payload's buffer is reused
// once handle returns: it must copy what it keeps. Serve then closes the
// connection and returns once no other goroutine touches the socket.
func (c *Conn) Serve(handle func(payload []byte, text bool)) {
	c.readLoop(handle)
	c.close()
	c.users.Wait()
}

// Wait returns once no goroutine but the caller's touches the socket: for a
// connection closed without Serve, before its upgrade's handler returns.
func (c *Conn) Wait() { c.users.Wait() }

// Done is closed when the connection is.
func (c *Conn) Done() <-chan struct{} { return c.done }

func (c *Conn) readLoop(handle func([]byte, bool)) {
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
		handle(buf.Bytes(), kind == websocket.TextMessage)
		frameBufs.Put(buf)
	}
}

// frameBufs holds the buffers frames are read into: a frame is handled
// before the next is read, so a buffer is needed only meanwhile, and an
// idle connection holds none.
var frameBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 1024)) }}

// Push queues a text frame's payload and has it written soon, by a flush
// goroutine. It reports false when the connection is closed or the frame
// would overflow the queue; a slow client is then closed (it resyncs by seq
// when it reconnects).
func (c *Conn) Push(payload []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.enqueueLocked(payload) {
		return false
	}
	c.startWriter()
	return true
}

// Enqueue queues a payload like Push, but writes nothing until Kick: the
// dispatcher queues a whole commit batch first and then kicks each
// connection once, so an ack and its message, or a burst of messages,
// leave in one write.
func (c *Conn) Enqueue(payload []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enqueueLocked(payload)
}

func (c *Conn) enqueueLocked(payload []byte) bool {
	if c.closed {
		return false
	}
	n := int64(len(payload))
	if len(c.out) >= c.cfg.QueueFrames || (c.pending > 0 && c.pending+n > c.cfg.QueueBytes) ||
		c.person.Load()+n > c.cfg.PersonQueueBytes {
		if !c.dropped { // counted and closed once, however many frames it refuses meanwhile
			c.dropped = true
			c.cfg.Dropped.Add(1)
			go c.CloseWith(websocket.ClosePolicyViolation, "too slow: reconnect and sync")
		}
		return false
	}
	c.hold(n)
	c.out = append(c.out, payload)
	return true
}

// Backlog queues payloads past the queue's bounds, the caller keeping it
// bounded (Queued), and has them written soon. It reports false when the
// connection is closed.
func (c *Conn) Backlog(payloads [][]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if len(payloads) == 0 {
		return true
	}
	c.hold(payloadBytes(payloads))
	c.out = append(c.out, payloads...)
	c.startWriter()
	return true
}

// Queued is how many frames and payload bytes wait to be written.
func (c *Conn) Queued() (frames int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.out), c.pending
}

// payloadBytes is what payloads hold.
func payloadBytes(payloads [][]byte) int64 {
	n := 0
	for _, f := range payloads {
		n += len(f)
	}
	return int64(n)
}

// hold counts n more bytes as waiting. c.mu is held.
func (c *Conn) hold(n int64) {
	c.pending += n
	c.person.Add(n)
}

// release counts n bytes as written (or dropped). c.mu is held.
func (c *Conn) release(n int64) {
	n = min(n, c.pending)
	if n == 0 {
		return // nothing was held: a connection closed before Start has no person
	}
	c.pending -= n
	c.person.Add(-n)
}

// Kick sends what Enqueue queued. A burst (an ack and its message, say)
// nearly always fits the socket's buffer whole, so it is written right
// here, without a goroutine, a deadline or a wait; what the socket does not
// take at once goes to a flush goroutine, which waits for it.
func (c *Conn) Kick() {
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
			c.cfg.ShortWrites.Add(1)
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
// runs into the read deadline.
func (c *Conn) sendPing() {
	if !c.alive() {
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
		// What Kick could not write is the rest of a frame: it goes first.
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

// CloseWith sends a close frame with code and reason in place of what is
// still queued, then closes. A writer stuck on a dead peer is cut off
// after a second.
func (c *Conn) CloseWith(code int, reason string) {
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
