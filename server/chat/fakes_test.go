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
	"inhouse/server/rules"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// memStore is the engine's storage in memory: channels, messages and read
// markers, nothing durable. Append reports at once, in seq order.
type memStore struct {
	mu       sync.Mutex
	channels map[string]archive.Channel
	msgs     map[string][]archive.Message // a channel's, seq i+1 at index i
	reads    map[string]uint64            // channel + "\x00" + user
	ts       int64
}

var _ Storage = (*memStore)(nil)

func newMemStore(channels ...archive.Channel) *memStore {
	s := &memStore{channels: map[string]archive.Channel{}, msgs: map[string][]archive.Message{},
		reads: map[string]uint64{}, ts: 1700000000000}
	for _, c := range channels {
		slices.Sort(c.Members)
		s.channels[c.ID] = c
	}
	return s
}

func (s *memStore) Append(p archive.Post, done func(archive.Message, bool, error)) {
	s.mu.Lock()
	defer s.mu.Unlock() // done runs under the lock: reports come in seq order, as the archive's do
	for _, m := range s.msgs[p.Channel] {
		if m.From == p.From && m.ID == p.ClientID {
			done(m, true, nil)
			return
		}
	}
	if c, ok := s.channels[p.Channel]; !ok || !c.Has(p.From) {
		done(archive.Message{Channel: p.Channel, ID: p.ClientID}, false, archive.ErrNotFound)
		return
	}
	s.ts++
	m := archive.Message{Channel: p.Channel, Seq: uint64(len(s.msgs[p.Channel]) + 1), ID: p.ClientID, From: p.From,
		Text: p.Text, TS: s.ts, Kind: p.Kind, Ref: p.Ref}
	s.msgs[p.Channel] = append(s.msgs[p.Channel], m)
	done(m, false, nil)
}

func (s *memStore) After(channel string, after uint64, limit int) ([]archive.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.msgs[channel]
	if after >= uint64(len(all)) {
		return nil, nil
	}
	out := all[after:]
	return slices.Clone(out[:min(limit, len(out))]), nil
}

func (s *memStore) Before(channel string, before uint64, limit int) ([]archive.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.msgs[channel]
	if before == 0 || before > uint64(len(all))+1 {
		before = uint64(len(all)) + 1
	}
	out := all[:before-1]
	return slices.Clone(out[max(0, len(out)-limit):]), nil
}

func (s *memStore) LastSeq(channel string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.msgs[channel]))
}

func (s *memStore) ReadSeq(channel, user string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[channel+"\x00"+user]
}

func (s *memStore) MarkRead(channel, user string, seq uint64) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := channel + "\x00" + user
	s.reads[k] = max(s.reads[k], min(seq, uint64(len(s.msgs[channel]))))
	return s.reads[k], nil
}

func (s *memStore) Channels(keep func(*archive.Channel) bool) []archive.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []archive.Channel
	for _, c := range s.channels {
		if keep == nil || keep(&c) {
			out = append(out, c)
		}
	}
	return out
}

func (s *memStore) ChannelsOf(user string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, c := range s.channels {
		if c.Has(user) {
			out = append(out, id)
		}
	}
	return out
}

func (s *memStore) Membership(channel, user string) (exists, member bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	return ok, ok && c.Has(user)
}

func (s *memStore) SendRule(channel string) (archived, announce, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	return c.Archived, c.Announce, ok
}

func (s *memStore) DirectPartners(user string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.channels {
		if c.Kind == archive.KindDirect && c.Has(user) {
			for _, m := range c.Members {
				if m != user {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func (s *memStore) User(name string) (archive.User, error) {
	return archive.User{Name: name, Role: archive.RoleMember}, nil
}

func (s *memStore) Policy() archive.Policy             { return archive.Policy{Version: 1} }
func (s *memStore) Accepted(string) archive.Acceptance { return archive.Acceptance{Version: 1} }
func (s *memStore) Settings() archive.Settings         { return archive.DefaultSettings }
func (s *memStore) RuleEngine() *rules.Engine          { return nil } // allows everything
func (s *memStore) AddFlag(archive.Flag) error         { return nil }
func (s *memStore) messages(channel string) []archive.Message {
	m, _ := s.After(channel, 0, 1<<30)
	return m
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
func testHub(t *testing.T, store Storage) *Hub {
	t.Helper()
	limits := DefaultLimits
	limits.SendRate, limits.SendBurst = 1e6, 1e6 // the tests send faster than people
	h := NewHub(store, limits, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
