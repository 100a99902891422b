//go:build linux

package server_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server"
	"inhouse/server/chat"
	"inhouse/server/servertest"
)

// stalledSocket opens a WebSocket for c that is never read, with the
// smallest receive buffer the kernel allows: everything the server sends
// it stays in the server.
func stalledSocket(t *testing.T, c *servertest.Client) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{
		ReadBufferSize: 1024,
		NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1) })
			return serr
		}}).DialContext,
	}
	h := http.Header{}
	h.Set("Origin", c.URL)
	h.Set("Cookie", c.Cookie())
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(c.URL, "http")+"/ws", h)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// liveHeap is the heap a full collection found live: unlike HeapAlloc it
// leaves out what other goroutines allocated since.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestStalledReaderCannotExhaustMemory is the attack of a member who
// stores 200 long messages full of characters JSON escapes six-fold, then
// asks for the whole history 150 times on each of two sockets they never
// read. Each defence is tried alone: with the office's limits the
// requests past the burst are refused (rate_limited); with the request
// limit lifted, the byte bound closes the stalled sockets as too slow.
// Either way the server stays within 64 MB of where it was and everyone
// else keeps chatting.
func TestStalledReaderCannotExhaustMemory(t *testing.T) {
	t.Run("office limits", func(t *testing.T) {
		ts := stalledReaderAttack(t, chat.DefaultLimits, false)
		// Asked quickly, history is refused past the burst.
		w := ts.Login("mal").Dial()
		ch := ts.Store().Channels(nil)[0].ID
		for i := range 40 {
			w.Send(map[string]any{"type": "history", "id": fmt.Sprint("q", i), "channel": ch, "limit": 1})
		}
		answered, refused := 0, 0
		for answered+refused < 40 {
			f := w.Read()
			switch {
			case f.Str("type") == "history":
				answered++
			case f.Str("type") == "error" && f.Str("code") == "rate_limited":
				refused++
			}
		}
		if refused == 0 || answered > chat.DefaultLimits.ReadBurst {
			t.Errorf("40 quick history requests: %d answered, %d refused; want the burst (%d) at most", answered, refused, chat.DefaultLimits.ReadBurst)
		}
	})
	t.Run("request limit lifted", func(t *testing.T) {
		l := chat.DefaultLimits
		l.ReadRate, l.ReadBurst = 1e9, 1<<30
		ts := stalledReaderAttack(t, l, true)
		if n := ts.Hub().Dropped.Load(); n != 2 {
			t.Errorf("stalled sockets closed as too slow: %d, want both", n)
		}
	})
}

// stalledReaderAttack runs the attack against a server with limits and
// returns the server. closes says the limits leave the server no choice
// but to close both stalled sockets: the attack is over when it has.
func stalledReaderAttack(t *testing.T, limits chat.Limits, closes bool) *servertest.Server {
	ts := servertest.Start(t, func(c *server.Config) { c.Limits = limits })
	for _, n := range []string{"mal", "ana", "ben"} {
		ts.AddUser(n, "member")
	}
	mal, ana, ben := ts.Login("mal"), ts.Login("ana"), ts.Login("ben")
	ch := mal.CreateChannel("lobby", false, "ana", "ben")

	wm := mal.Dial()
	long := strings.Repeat("<", 2000)
	for i := range 200 {
		send(wm, fmt.Sprint("m", i), ch.ID, long)
		wm.Next("ack")
	}
	before := liveHeap()

	var wg sync.WaitGroup
	socks := []*websocket.Conn{stalledSocket(t, mal), stalledSocket(t, mal)}
	for _, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				s.SetWriteDeadline(time.Now().Add(5 * time.Second))
				frame := fmt.Sprintf(`{"type":"history","id":"h%d","channel":%q,"limit":200}`, i, ch.ID)
				if s.WriteMessage(websocket.TextMessage, []byte(frame)) != nil {
					return // closed by the server: that is a defence
				}
			}
		}()
	}

	// Meanwhile Ana and Ben keep talking, and the heap is watched.
	ctx, stop := context.WithCancel(context.Background())
	peak := make(chan uint64, 1)
	go func() {
		var top uint64
		for ctx.Err() == nil {
			top = max(top, liveHeap())
			time.Sleep(50 * time.Millisecond) // the sampling period: each sample is a full collection
		}
		peak <- top
	}()
	wa, wb := ana.Dial(), ben.Dial()
	var slowest time.Duration
	for i := range 30 {
		start := time.Now()
		send(wa, fmt.Sprint("a", i), ch.ID, "still here")
		wa.Next("ack")
		for wb.Next("message").Str("from") != "ana" {
		}
		slowest = max(slowest, time.Since(start))
		time.Sleep(50 * time.Millisecond) // people's pace, so that the talk spans the attack
	}
	wg.Wait()
	if closes {
		servertest.WaitFor(t, "the server to close both stalled sockets", 10*time.Second,
			func() bool { return ts.Hub().Conns() == 3 }) // mal's wm, wa and wb
	} else {
		// Nothing tells when the server has read the last refused request
		// (the sockets may stay open): the heap is watched a while longer.
		time.Sleep(500 * time.Millisecond)
	}
	stop()
	top := <-peak

	if grown := int64(top) - int64(before); grown > 64<<20 {
		t.Errorf("the server's live heap grew by %d MB under the attack (limit 64 MB)", grown>>20)
	}
	// A generous bound (the race detector slows everything several times):
	// this proves others are not starved, it measures nothing.
	if slowest > 5*time.Second {
		t.Errorf("a message between two others took %v under the attack", slowest)
	}
	t.Logf("live heap before %d MB, peak %d MB; slowest message %v", before>>20, top>>20, slowest)

	return ts
}
