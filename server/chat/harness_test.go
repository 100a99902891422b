package chat

import (
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/chat/internal/leakcheck"
	"inhouse/server/office"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// officeStore is a real archive in a temporary folder, with Ana and Ben
// in #general, Cleo alone in #other, everyone having accepted the policy.
// It closes after the test's hub (cleanups run last-in first-out).
func officeStore(t *testing.T) (st *archive.Store, general, other string) {
	t.Helper()
	st, err := archive.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, n := range []string{"ana", "ben", "cleo"} {
		if err := st.AddUser(archive.User{Name: n, Role: archive.RoleMember, Hash: "x"}); err != nil {
			t.Fatal(err)
		}
		if err := st.AcceptPolicy(n, st.Policy().Version); err != nil {
			t.Fatal(err)
		}
	}
	g, err := st.CreateGroupChannel(archive.NewChannel{Name: "general", Private: true, Creator: "ana", Members: []string{"ana", "ben"}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := st.CreateGroupChannel(archive.NewChannel{Name: "other", Private: true, Creator: "cleo", Members: []string{"cleo"}})
	if err != nil {
		t.Fatal(err)
	}
	return st, g.ID, o.ID
}

// pipe is a connection's transport in memory. What the engine queues reaches
// sent when a real socket would be written to: at Kick, or at once for Push
// and Backlog (a flush goroutine writes everything queued, in order).
type pipe struct {
	in   chan []byte // frames the client sends
	done chan struct{}

	mu      sync.Mutex
	queued  [][]byte
	sent    [][]byte
	started bool
	early   bool // something was queued before Start
	closed  bool
	code    int
	reason  string
}

var _ Transport = (*pipe)(nil)

func newPipe() *pipe { return &pipe{in: make(chan []byte), done: make(chan struct{})} }

func (p *pipe) Start(*atomic.Int64, func() bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = true
}

func (p *pipe) Enqueue(payload []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.early = p.early || !p.started
	p.queued = append(p.queued, payload)
	return true
}

func (p *pipe) Kick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent, p.queued = append(p.sent, p.queued...), nil
}

func (p *pipe) Push(payload []byte) bool { return p.Backlog([][]byte{payload}) }

func (p *pipe) Backlog(payloads [][]byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.early = p.early || !p.started
	p.sent, p.queued = append(append(p.sent, p.queued...), payloads...), nil
	return true
}

func (p *pipe) Queued() (int, int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queued), int64(len(slices.Concat(p.queued...)))
}

func (p *pipe) CloseWith(code int, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed, p.code, p.reason = true, code, reason
		close(p.done)
	}
}

func (p *pipe) Done() <-chan struct{} { return p.done }

func (p *pipe) Serve(handle func([]byte, bool)) {
	for {
		select {
		case f := <-p.in:
			handle(f, true)
		case <-p.done:
			return
		}
	}
}

// send hands the engine a frame from the client.
func (p *pipe) send(t *testing.T, frame any) {
	t.Helper()
	b, err := json.Marshal(frame)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case p.in <- b:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection stopped reading")
	}
}

// wireFrame is any frame the server sends, as a client reads it.
type wireFrame struct {
	Type     string         `json:"type"`
	ID       string         `json:"id"`
	Channel  string         `json:"channel"`
	Seq      uint64         `json:"seq"`
	Text     string         `json:"text"`
	Code     string         `json:"code"`
	Messages []MessageFrame `json:"messages"`
	raw      []byte
}

// frames is what reached the client so far, decoded.
func (p *pipe) frames(t *testing.T) []wireFrame {
	t.Helper()
	p.mu.Lock()
	sent := slices.Clone(p.sent)
	p.mu.Unlock()
	out := make([]wireFrame, len(sent))
	for i, b := range sent {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatalf("frame %d is not JSON: %v: %s", i, err, b)
		}
		out[i].raw = b
	}
	return out
}

// ofType keeps the frames of type typ.
func ofType(fs []wireFrame, typ string) []wireFrame {
	var out []wireFrame
	for _, f := range fs {
		if f.Type == typ {
			out = append(out, f)
		}
	}
	return out
}

// waitFrames waits until the client has n frames of type typ.
func (p *pipe) waitFrames(t *testing.T, typ string, n int) []wireFrame {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		fs := p.frames(t)
		if got := ofType(fs, typ); len(got) >= n {
			return fs
		} else if time.Now().After(deadline) {
			t.Fatalf("%d %s frames after 5 s, want %d", len(got), typ, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// testHub runs a hub over store until the test ends.
func testHub(t *testing.T, store *archive.Store) *Hub {
	t.Helper()
	limits := DefaultLimits
	limits.SendRate, limits.SendBurst = 1e6, 1e6 // the tests send faster than people
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := NewHub(store, office.New(store, nil, log).Messages(), limits, log)
	h.Run()
	t.Cleanup(func() {
		h.Shutdown()
		for deadline := time.Now().Add(5 * time.Second); h.Conns() > 0; time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("%d connections still registered", h.Conns())
				break
			}
		}
		h.Close()
	})
	return h
}

// connect opens a connection of user over a pipe with mark and runs it.
func connect(t *testing.T, h *Hub, user string, mark Mark) *pipe {
	t.Helper()
	p := newPipe()
	run := h.Open(p, user, "session-"+user, mark, func() bool { return true })
	if run == nil {
		t.Fatalf("%s's connection refused: %d %s", user, p.code, p.reason)
	}
	go run()
	return p
}

func admit(t *testing.T, h *Hub, user string) Mark {
	t.Helper()
	mark, err := h.Admit(user)
	if err != nil {
		t.Fatal(err)
	}
	return mark
}
