//go:build unix

package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server/servertest"
)

// TestReaderBehindGetsEverythingInOrder: a reader that stops reading fills
// its socket, so the server's writes come back short and the rest waits
// for room. Once it reads again it gets every message, whole and in order.
func TestReaderBehindGetsEverythingInOrder(t *testing.T) {
	ts := servertest.Start(t)
	senders := []string{"ana", "cy", "dee", "eve", "fay", "gus"}
	for _, name := range append(senders, "ben") {
		ts.AddUser(name, "member")
	}
	ben := ts.Login("ben")
	ch := ts.Login("ana").CreateChannel("big", false, append(senders[1:], "ben")...)
	var socks []*servertest.WS
	for _, name := range senders {
		socks = append(socks, ts.Login(name).Dial())
	}

	// ben connects last, so the others' arrivals are behind him, and his
	// socket takes little before it pushes back. The buffer is set before
	// connecting: shrunk later, Linux drops what no longer fits and the
	// connection crawls on retransmissions.
	nd := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}
	dialer := websocket.Dialer{NetDial: nd.Dial}
	h := http.Header{}
	h.Set("Origin", ben.URL)
	h.Set("Cookie", ben.Cookie())
	slow, _, err := dialer.Dial("ws"+strings.TrimPrefix(ben.URL, "http")+"/ws", h)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	// His own presence goes out before the flood: read it, so that the
	// flood meets a socket the hub has registered and a quiet queue.
	slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := slow.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for ben's own presence: %v", err)
		}
		var f servertest.Frame
		if json.Unmarshal(data, &f) == nil && f.Str("type") == "presence" && f.Str("user") == "ben" {
			break
		}
	}

	// 6 × 190 × 7.9 KB: far more than the server's socket may buffer (4 MB
	// at most here) and ben's together, so writes to ben come back short.
	const each = 190
	texts := map[string]string{}
	for s, name := range senders {
		for i := range each {
			id := fmt.Sprintf("%s%03d", name, i)
			texts[id] = id + " " + strings.Repeat(string(rune('a'+i%26)), 7900)
			send(socks[s], id, ch.ID, texts[id])
		}
	}
	for _, w := range socks {
		for range each {
			w.Next("ack")
		}
	}
	// The last bursts for ben may still be on their way to his socket.
	servertest.WaitFor(t, "a write to ben to come back short (the path this test is for)", 5*time.Second,
		func() bool { return shortWrites(t, ben.URL) > 0 })
	n := len(texts)
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	for got := 0; got < n; {
		_, data, err := slow.ReadMessage()
		if err != nil {
			t.Fatalf("after %d messages: %v", got, err)
		}
		var f servertest.Frame
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("frame %d is not JSON (%d bytes)", got, len(data))
		}
		if f.Str("type") != "message" {
			continue
		}
		if f.Num("seq") != uint64(got+1) || f.Str("text") != texts[f.Str("id")] {
			t.Fatalf("message %d: seq %d, id %q, text of %d bytes starting %.12q", got, f.Num("seq"), f.Str("id"), len(f.Str("text")), f.Str("text"))
		}
		got++
	}
}

// shortWrites reads inhouse_slow_socket_writes_total from the server's
// /metrics (open to this machine).
func shortWrites(t *testing.T, base string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(line, "inhouse_slow_socket_writes_total "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no inhouse_slow_socket_writes_total in /metrics")
	return 0
}
