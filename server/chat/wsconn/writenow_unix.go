//go:build unix

package wsconn

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// sockWriter writes to the TCP socket under a WebSocket without a
// goroutine. It is made once per connection with its callback bound, so a
// write allocates nothing; only the one goroutine holding Conn.writing uses it.
type sockWriter struct {
	raw   syscall.RawConn
	write func(fd uintptr) bool // w.writeFD
	b     []byte
	n     int
	err   error
}

// newSockWriter is nil when there is no socket to reach (TLS).
func newSockWriter(nc net.Conn) *sockWriter {
	if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok { // fasthttp's hijacked connection
		nc = u.UnsafeConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &sockWriter{raw: raw}
	w.write = w.writeFD
	return w
}

func (w *sockWriter) writeFD(fd uintptr) bool {
	for {
		w.n, w.err = syscall.Write(int(fd), w.b)
		if w.err != syscall.EINTR {
			return true // done, whatever came of it: never wait here
		}
	}
}

// writeNow writes what the socket takes at once, without waiting for room:
// n < len(b) without an error means the rest must wait.
func (w *sockWriter) writeNow(b []byte) (n int, err error) {
	w.b = b
	err = w.raw.Write(w.write)
	n, werr := max(w.n, 0), w.err
	w.b, w.n, w.err = nil, 0, nil
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 0, nil // a flush goroutine's old deadline: let one write it
	case err != nil:
		return n, err
	case werr == syscall.EAGAIN:
		return n, nil
	}
	return n, werr
}
