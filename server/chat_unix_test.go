//go:build unix

package server_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
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
	senders := []string{"ana", "cy", "dee", "eve"}
	for _, name := range append(senders, "ben") {
		ts.AddUser(name, "member")
	}
	ben := ts.Login("ben")
	ch := ts.Login("ana").CreateChannel("big", false, append(senders[1:], "ben")...)

	// ben's socket takes little before it pushes back. The buffer is set
	// before connecting: shrunk later, Linux drops what no longer fits and
	// the connection crawls on retransmissions.
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

	// 4 × 190 × 7.9 KB: more than the server's socket may buffer (4 MB at
	// most here) and ben's together, so writes to ben come back short.
	const each = 190
	texts := map[string]string{}
	var socks []*servertest.WS
	for _, name := range senders {
		w := ts.Login(name).Dial()
		socks = append(socks, w)
		for i := range each {
			id := fmt.Sprintf("%s%03d", name, i)
			texts[id] = id + " " + strings.Repeat(string(rune('a'+i%26)), 7900)
			send(w, id, ch.ID, texts[id])
		}
	}
	for _, w := range socks {
		for range each {
			w.Next("ack")
		}
	}
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
