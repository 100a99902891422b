package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// perSource is how many connections share one 127.0.0.x source address:
// the ephemeral port range (32768–60999) allows about 28k per address.
const perSource = 20000

var writeBuffers sync.Pool

// dialer keeps the load generator lean: small buffers, write buffers
// shared between writes.
func dialer(i int) *websocket.Dialer {
	src := &net.TCPAddr{IP: net.IPv4(127, 0, byte(i/perSource/250), byte(1+i/perSource%250))}
	nd := &net.Dialer{LocalAddr: src, Timeout: 30 * time.Second}
	return &websocket.Dialer{
		NetDialContext:   nd.DialContext,
		HandshakeTimeout: 30 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
		WriteBufferPool:  &writeBuffers,
	}
}

// dial opens connection number i (which picks its source address) with
// session token, as a page of the server's own origin does.
func dial(ctx context.Context, base, token string, i int) (*websocket.Conn, error) {
	h := http.Header{}
	h.Set("Origin", base)
	h.Set("Cookie", "inhouse_session="+token)
	conn, res, err := dialer(i).DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", h)
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("%w (status %d)", err, res.StatusCode)
		}
		return nil, err
	}
	return conn, nil
}

// dialAll opens one connection per token, conc at a time.
func dialAll(base string, tokens []string, conc int) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, len(tokens))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var failed atomic.Pointer[error]
	err := parallelN(len(tokens), conc, func(i int) error {
		if failed.Load() != nil {
			return nil
		}
		c, err := dial(ctx, base, tokens[i], i)
		if err != nil {
			err = fmt.Errorf("connection %d: %w", i, err)
			failed.CompareAndSwap(nil, &err)
			return err
		}
		conns[i] = c
		return nil
	})
	if err != nil {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// parallelN is parallel with a chosen number of goroutines.
func parallelN(n, conc int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  atomic.Int64
	)
	for range min(conc, max(n, 1)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		})
	}
	wg.Wait()
	return first
}

// readFrames calls fn with each text frame until the connection ends. The
// buffer is reused, so fn must not keep the frame. Pings are answered by
// the library's default handler inside NextReader.
func readFrames(c *websocket.Conn, fn func(frame []byte)) error {
	buf := make([]byte, 0, 512)
	for {
		var err error
		if buf, err = nextFrame(c, buf); err != nil {
			return err
		}
		fn(buf)
	}
}

// nextFrame reads the next frame into buf, which it returns (grown if
// needed) for the next call.
func nextFrame(c *websocket.Conn, buf []byte) ([]byte, error) {
	_, r, err := c.NextReader()
	if err != nil {
		return buf, err
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// field returns the string value of "name" in a server frame without
// decoding it: server frames put type, channel and id before any text a
// person wrote, and the values we look for hold no escapes.
func field(frame []byte, name string) []byte {
	var key [32]byte
	k := append(append(append(key[:0], '"'), name...), `":"`...)
	i := bytes.Index(frame, k)
	if i < 0 {
		return nil
	}
	rest := frame[i+len(k):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}

// isType reports whether the frame's "type" is typ.
func isType(frame []byte, typ string) bool { return string(field(frame, "type")) == typ }

// A message id carries what a receiver needs to measure it: the step of
// the run and the time the send was scheduled, in nanoseconds.
func messageID(step int, sched time.Time, n int) string {
	return "s" + strconv.Itoa(step) + "." + strconv.FormatInt(sched.UnixNano(), 36) + "." + strconv.Itoa(n)
}

var errBadID = errors.New("not a load-test message id")

func parseID(id []byte) (step int, sched time.Time, err error) {
	s, ok := bytes.CutPrefix(id, []byte("s"))
	if !ok {
		return 0, time.Time{}, errBadID
	}
	parts := bytes.SplitN(s, []byte("."), 3)
	if len(parts) != 3 {
		return 0, time.Time{}, errBadID
	}
	step, err = strconv.Atoi(string(parts[0]))
	if err != nil {
		return 0, time.Time{}, errBadID
	}
	ns, err := strconv.ParseInt(string(parts[1]), 36, 64)
	if err != nil {
		return 0, time.Time{}, errBadID
	}
	return step, time.Unix(0, ns), nil
}

// sendFrame writes a send frame; only one goroutine writes to a connection.
func sendFrame(c *websocket.Conn, channel, id, text string) error {
	c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 0, 96+len(text))
	b = append(b, `{"type":"send","id":"`...)
	b = append(b, id...)
	b = append(b, `","channel":"`...)
	b = append(b, channel...)
	b = append(b, `","text":`...)
	b = strconv.AppendQuote(b, text)
	b = append(b, '}')
	return c.WriteMessage(websocket.TextMessage, b)
}
