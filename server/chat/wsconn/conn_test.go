package wsconn

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server/chat/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// open connects a client to a server-side Conn over a real TCP socket (so
// Kick takes the direct write path) and closes both when the test ends.
func open(t *testing.T, cfg Config) (*Conn, *websocket.Conn) {
	t.Helper()
	if cfg.Dropped == nil {
		cfg.Dropped, cfg.ShortWrites = new(atomic.Uint64), new(atomic.Uint64)
	}
	server := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
		}
		server <- ws
	}))
	t.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	c := New(<-server, cfg)
	if c.sock == nil {
		t.Fatal("no direct write path on a TCP socket")
	}
	t.Cleanup(func() { c.close(); c.Wait() })
	return c, client
}

var roomy = Config{QueueFrames: 64, QueueBytes: 1 << 20, PersonQueueBytes: 1 << 20}

func alive() bool { return true }

// readClose reads until the close frame and returns its code and reason.
func readClose(t *testing.T, client *websocket.Conn) (int, string) {
	t.Helper()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := client.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		if err != nil {
			t.Fatalf("no close frame: %v", err)
		}
	}
}

// A kicked burst reaches the client whole and in order, every length of
// frame header included, and the bytes it held are let go once written.
func TestKickWritesBurstInOrder(t *testing.T) {
	c, client := open(t, roomy)
	person := new(atomic.Int64)
	c.Start(person, alive)
	payloads := [][]byte{[]byte("{}"), bytes.Repeat([]byte("a"), 125), bytes.Repeat([]byte("b"), 126),
		bytes.Repeat([]byte("c"), 0xffff), bytes.Repeat([]byte("d"), 0x10000), nil}
	for _, p := range payloads {
		if !c.Enqueue(p) {
			t.Fatalf("a %d-byte payload refused", len(p))
		}
	}
	if frames, _ := c.Queued(); frames != len(payloads) {
		t.Fatalf("%d frames queued, want %d", frames, len(payloads))
	}
	c.Kick()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i, want := range payloads {
		kind, got, err := client.ReadMessage()
		if err != nil || kind != websocket.TextMessage || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: kind %d, %d bytes, %v; want text of %d bytes", i, kind, len(got), err, len(want))
		}
	}
	for deadline := time.Now().Add(5 * time.Second); person.Load() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes still counted for the person after the write", person.Load())
		}
	}
}

// One frame always goes onto an empty queue; past the connection's bounds
// the socket is closed with 1008, and what it held is let go.
func TestTooSlowClosed(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		person  int64 // already queued on the person's other connections
		refused int   // index of the first payload refused
	}{
		{"bytes", Config{QueueFrames: 64, QueueBytes: 100, PersonQueueBytes: 1 << 20}, 0, 1},
		{"frames", Config{QueueFrames: 2, QueueBytes: 1 << 20, PersonQueueBytes: 1 << 20}, 0, 2},
		{"person", Config{QueueFrames: 64, QueueBytes: 1 << 20, PersonQueueBytes: 1000}, 900, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, client := open(t, tc.cfg)
			person := new(atomic.Int64)
			person.Store(tc.person)
			c.Start(person, alive)
			for i := 0; ; i++ {
				ok := c.Enqueue(bytes.Repeat([]byte("x"), 150))
				if ok != (i < tc.refused) {
					t.Fatalf("payload %d: queued %v", i, ok)
				}
				if !ok {
					break
				}
			}
			if code, reason := readClose(t, client); code != websocket.ClosePolicyViolation || reason != "too slow: reconnect and sync" {
				t.Fatalf("closed with %d %q", code, reason)
			}
			<-c.Done()
			if n := c.cfg.Dropped.Load(); n != 1 {
				t.Fatalf("dropped counter %d, want 1", n)
			}
			if c.Enqueue([]byte("{}")) || c.Push([]byte("{}")) || c.Backlog([][]byte{[]byte("{}")}) {
				t.Fatal("a closed connection queued a frame")
			}
			if person.Load() != tc.person {
				t.Fatalf("the person's count is %d after the close, want %d", person.Load(), tc.person)
			}
		})
	}
}

// Serve hands over text and binary frames, answers pings through the
// writer, and ends when the client goes; CloseWith tells the client why.
func TestServeAndClose(t *testing.T) {
	c, client := open(t, roomy)
	c.Start(new(atomic.Int64), alive)
	type got struct {
		payload string
		text    bool
	}
	frames := make(chan got, 4)
	served := make(chan struct{})
	go func() {
		c.Serve(func(p []byte, text bool) { frames <- got{string(p), text} })
		close(served)
	}()
	pong := make(chan string, 1)
	client.SetPongHandler(func(data string) error { pong <- data; return nil })
	// The ping first: its pong is queued before the next frame is handed over.
	client.WriteControl(websocket.PingMessage, []byte("hello"), time.Now().Add(time.Second))
	client.WriteMessage(websocket.TextMessage, []byte(`{"type":"typing"}`))
	client.WriteMessage(websocket.BinaryMessage, []byte{1, 2})
	if f := <-frames; f != (got{`{"type":"typing"}`, true}) {
		t.Fatalf("first frame %+v", f)
	}
	if f := <-frames; f != (got{"\x01\x02", false}) {
		t.Fatalf("second frame %+v", f)
	}
	if !c.Push([]byte(`{"type":"synced"}`)) {
		t.Fatal("push refused")
	}
	go c.CloseWith(websocket.CloseGoingAway, "server restarting")
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	var texts []string
	for {
		_, p, err := client.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway || ce.Text != "server restarting" {
				t.Fatalf("close: %v", err)
			}
			break
		}
		texts = append(texts, string(p))
	}
	if len(texts) > 1 || (len(texts) == 1 && texts[0] != `{"type":"synced"}`) {
		t.Fatalf("frames before the close: %q", texts)
	}
	if p := <-pong; p != "hello" {
		t.Fatalf("pong %q", p)
	}
	select {
	case <-served:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve went on after the close")
	}
}

// alive is asked before each ping; a connection it closed sends none.
func TestPingAsksAlive(t *testing.T) {
	c, client := open(t, roomy)
	asked := make(chan struct{}, 1)
	c.Start(new(atomic.Int64), func() bool {
		asked <- struct{}{}
		c.CloseWith(websocket.ClosePolicyViolation, "signed out")
		return false
	})
	c.mu.Lock()
	c.ping.Reset(time.Millisecond) // not 54 s
	c.mu.Unlock()
	<-asked
	if code, reason := readClose(t, client); code != websocket.ClosePolicyViolation || reason != "signed out" {
		t.Fatalf("closed with %d %q", code, reason)
	}
}
