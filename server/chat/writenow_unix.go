//go:build unix

package chat

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// rawConn is the TCP socket under a WebSocket's connection, for writes that
// need no goroutine; nil when there is none to reach (TLS).
func rawConn(nc net.Conn) syscall.RawConn {
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
	return raw
}

// writeNow writes what the socket takes at once, without waiting for room:
// n < len(b) without an error means the rest must wait.
func writeNow(raw syscall.RawConn, b []byte) (n int, err error) {
	var werr error
	err = raw.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), b)
			if werr != syscall.EINTR {
				return true // done, whatever came of it: never wait here
			}
		}
	})
	n = max(n, 0)
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
