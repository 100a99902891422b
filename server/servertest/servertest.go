// Package servertest starts a real Inhouse server on 127.0.0.1 with a
// temporary data folder, and speaks to it as browsers do: real HTTP with a
// session cookie, real WebSockets. Tests across the project use it.
package servertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/auth"
)

// Password is what AddUser gives everyone.
const Password = "correct horse battery staple"

// Server is a running test server.
type Server struct {
	*server.Server
	URL string
	Dir string
	t   testing.TB
}

// Start runs a server until the test ends. edit may change its config.
func Start(t testing.TB, edit ...func(*server.Config)) *Server {
	t.Helper()
	dir := t.TempDir()
	return StartIn(t, dir, edit...)
}

// StartIn runs a server on an existing data folder.
func StartIn(t testing.TB, dir string, edit ...func(*server.Config)) *Server {
	t.Helper()
	return start(t, dir, nil, edit)
}

// StartWith runs a server like Start, first calling mount so it can add
// handlers (the admin console): routes cannot be added once it serves.
func StartWith(t testing.TB, mount func(*server.Server), edit ...func(*server.Config)) *Server {
	t.Helper()
	return start(t, t.TempDir(), mount, edit)
}

func start(t testing.TB, dir string, mount func(*server.Server), edit []func(*server.Config)) *Server {
	t.Helper()
	cfg := server.Config{Addr: "127.0.0.1:0", DataDir: dir, TLS: "off", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, e := range edit {
		e(&cfg)
	}
	srv, err := server.Open(cfg)
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	if mount != nil {
		mount(srv)
	}
	ln, err := srv.Listen()
	if err != nil {
		srv.Shutdown()
		t.Fatalf("listen: %v", err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	return &Server{Server: srv, URL: "http://" + ln.Addr().String(), Dir: dir, t: t}
}

// AddUser creates a person with Password.
func (s *Server) AddUser(name, role string) {
	s.t.Helper()
	if err := s.Store().AddUser(archive.User{Name: name, Display: strings.ToUpper(name[:1]) + name[1:], Role: role, Hash: hashOnce()}); err != nil {
		s.t.Fatalf("add user %s: %v", name, err)
	}
}

var cachedHash atomic.Pointer[string]

// hashOnce hashes Password once per test binary: argon2id is slow on purpose.
func hashOnce() string {
	if h := cachedHash.Load(); h != nil {
		return *h
	}
	h := auth.HashPassword(Password)
	cachedHash.Store(&h)
	return h
}

// Client is one signed-in browser.
type Client struct {
	t    testing.TB
	URL  string
	HTTP *http.Client
	CSRF string
	User string
}

// NewClient is a browser with no session yet.
func (s *Server) NewClient() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: s.t, URL: s.URL, HTTP: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// Login signs name in (with Password), accepts the policy and returns the
// client.
func (s *Server) Login(name string) *Client {
	s.t.Helper()
	c := s.NewClient()
	var out map[string]any
	if st := c.Do("POST", "/api/login", map[string]string{"username": name, "password": Password}, &out); st != 200 {
		s.t.Fatalf("login %s: status %d %v", name, st, out)
	}
	c.User = name
	var me struct {
		CSRF   string
		Policy struct{ Version int }
	}
	c.Do("GET", "/api/me", nil, &me)
	c.CSRF = me.CSRF
	if st := c.Do("POST", "/api/policy/accept", map[string]int{"version": me.Policy.Version}, nil); st != 200 {
		s.t.Fatalf("accept policy: %d", st)
	}
	return c
}

// Do sends a JSON request and decodes the JSON answer into out (if not
// nil). It returns the status code.
func (c *Client) Do(method, path string, body, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: status %d, answer not JSON: %q", method, path, res.StatusCode, data)
		}
	}
	return res.StatusCode
}

// Channel is a channel as the API returns it.
type Channel struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Members []string `json:"members"`
	LastSeq uint64   `json:"last_seq"`
	Unread  uint64   `json:"unread"`
}

// CreateChannel makes a channel with members and returns it.
func (c *Client) CreateChannel(name string, private bool, members ...string) Channel {
	c.t.Helper()
	var out struct{ Channel Channel }
	if st := c.Do("POST", "/api/channels", map[string]any{"name": name, "private": private, "members": members}, &out); st != 200 {
		c.t.Fatalf("create channel %s: status %d", name, st)
	}
	return out.Channel
}

// DM opens the direct channel with user.
func (c *Client) DM(user string) Channel {
	c.t.Helper()
	var out struct{ Channel Channel }
	if st := c.Do("POST", "/api/dm", map[string]any{"user": user}, &out); st != 200 {
		c.t.Fatalf("dm %s: status %d", user, st)
	}
	return out.Channel
}

// Channels lists the caller's channels.
func (c *Client) Channels() []Channel {
	c.t.Helper()
	var out struct{ Channels []Channel }
	c.Do("GET", "/api/channels", nil, &out)
	return out.Channels
}

// Cookie is the session cookie header value.
func (c *Client) Cookie() string {
	u, _ := url.Parse(c.URL)
	var parts []string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; ")
}

// WS is one open WebSocket. A goroutine reads it, so waiting for a frame
// with a timeout never spoils the connection.
type WS struct {
	t      testing.TB
	Conn   *websocket.Conn
	frames chan []byte
	err    chan error
}

func newWS(t testing.TB, conn *websocket.Conn) *WS {
	w := &WS{t: t, Conn: conn, frames: make(chan []byte, 10000), err: make(chan error, 1)}
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				w.err <- err
				close(w.frames)
				return
			}
			w.frames <- data
		}
	}()
	return w
}

// Dial opens a WebSocket with the client's session and a same-site Origin.
func (c *Client) Dial() *WS {
	c.t.Helper()
	ws, err := c.DialErr(c.URL)
	if err != nil {
		c.t.Fatalf("dial: %v", err)
	}
	return ws
}

// DialErr opens a WebSocket claiming origin; it returns the error.
func (c *Client) DialErr(origin string) (*WS, error) {
	h := http.Header{}
	h.Set("Origin", origin)
	h.Set("Cookie", c.Cookie())
	u := "ws" + strings.TrimPrefix(c.URL, "http") + "/ws"
	conn, res, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("%w (status %d)", err, res.StatusCode)
		}
		return nil, err
	}
	w := newWS(c.t, conn)
	c.t.Cleanup(func() { conn.Close() })
	return w, nil
}

// Send writes one frame.
func (w *WS) Send(frame any) {
	w.t.Helper()
	w.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := w.Conn.WriteJSON(frame); err != nil {
		w.t.Fatalf("write frame: %v", err)
	}
}

// SendRaw writes raw bytes as a text frame.
func (w *WS) SendRaw(data string) {
	w.t.Helper()
	if err := w.Conn.WriteMessage(websocket.TextMessage, []byte(data)); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// Frame is a decoded server frame.
type Frame map[string]any

// Str returns a string field.
func (f Frame) Str(k string) string { s, _ := f[k].(string); return s }

// Num returns a numeric field.
func (f Frame) Num(k string) uint64 { n, _ := f[k].(float64); return uint64(n) }

// Read waits up to 5 s for the next frame.
func (w *WS) Read() Frame {
	w.t.Helper()
	f, err := w.ReadErr(5 * time.Second)
	if err != nil {
		w.t.Fatalf("read frame: %v", err)
	}
	return f
}

// ReadErr waits up to d for the next frame. After the connection closed
// it returns the close error.
func (w *WS) ReadErr(d time.Duration) (Frame, error) {
	select {
	case data, ok := <-w.frames:
		if !ok {
			err := <-w.err
			w.err <- err
			return nil, err
		}
		var f Frame
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("frame not JSON: %q", data)
		}
		return f, nil
	case <-time.After(d):
		return nil, errTimeout
	}
}

var errTimeout = errors.New("no frame in time")

// Next reads frames until one of type typ arrives, skipping presence and
// typing noise, read receipts and profile changes (and, when waiting for another type, message frames: a
// sender gets its own message too). Tests of exact order use Read.
func (w *WS) Next(typ string) Frame {
	w.t.Helper()
	for {
		f := w.Read()
		if f.Str("type") == typ {
			return f
		}
		switch f.Str("type") {
		case "presence", "typing", "channel", "read", "message", "seen", "person":
			continue
		}
		w.t.Fatalf("want a %q frame, got %v", typ, f)
	}
}

// Quiet asserts that no frame other than presence arrives within d.
func (w *WS) Quiet(d time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		f, err := w.ReadErr(time.Until(deadline))
		if err == errTimeout {
			return
		}
		if err != nil {
			w.t.Fatalf("connection closed: %v", err)
		}
		if t := f.Str("type"); t != "presence" {
			w.t.Fatalf("want no frame, got %v", f)
		}
	}
}

// Remote speaks to a server running elsewhere (another process) at url.
func Remote(t testing.TB, url string) *Server {
	return &Server{URL: url, t: t}
}
