// Package chat is the real-time engine: who is connected, which channels
// they hear, and the path of a message from a sender's frame through the
// archive to every member's connection. It knows nothing of HTTP or
// WebSockets: it reaches the archive through Storage and each connection
// through a Transport (server/chat/wsconn).
package chat

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"inhouse/server/archive"
	"inhouse/server/rules"
)

// Limits bound what one person and the whole server may do.
type Limits struct {
	SendRate       float64 // sustained messages per second per person
	SendBurst      int     // messages a person may send at once
	ConnsPerPerson int
	MaxConns       int
	QueueFrames    int // frames waiting for a slow connection before it is dropped
	// QueueBytes bounds what waits unwritten for one connection, and
	// PersonQueueBytes for all of a person's: a socket that falls this far
	// behind is closed (it reconnects and syncs). One frame is always let
	// onto an empty queue, as long as the person's bound holds.
	QueueBytes       int64
	PersonQueueBytes int64
	// ReadRate and ReadBurst limit how often a person may ask for history
	// or a sync: each can cost the server megabytes of work.
	ReadRate  float64
	ReadBurst int
}

// DefaultLimits suit an office: far above what people type, low enough to
// stop a runaway script.
var DefaultLimits = Limits{SendRate: 20, SendBurst: 200, ConnsPerPerson: 16, MaxConns: 100_000, QueueFrames: 1024,
	QueueBytes: 8 << 20, PersonQueueBytes: 16 << 20, ReadRate: 5, ReadBurst: 20}

// Errors from Admit.
var (
	ErrTooManyConns = errors.New("too many connections")
	ErrShutdown     = errors.New("server is shutting down")
)

// Hub holds every live connection and fans messages out.
type Hub struct {
	store   Storage
	posting Posting
	limits  Limits
	log     *slog.Logger

	mu     sync.RWMutex
	rooms  map[string]*room
	people map[string]*person
	// allowances outlive people's entries (deleted when they go offline)
	// so that reconnecting refills nothing; one per person who connected.
	allowances map[string]*allowance
	conns      int
	shutdown   bool

	committed chan commitEvent
	presence  chan string
	stop      chan struct{}
	stopped   sync.WaitGroup

	// Counters for metrics. Dropped (slow clients closed) and ShortWrites
	// (bursts a client's socket did not take at once) are counted by the
	// transports, which the server hands them to.
	Delivered   atomic.Uint64
	Dropped     atomic.Uint64
	FanoutNano  atomic.Uint64
	ShortWrites atomic.Uint64
	Messages    atomic.Uint64
}

// room is a channel's live state: who hears it and the newest seq handed
// to them.
type room struct {
	mu        sync.Mutex
	published uint64
	subs      []*Conn // copy-on-write
}

// person is one user's live state.
type person struct {
	conns   map[*Conn]struct{}
	allow   *allowance    // kept in h.allowances beyond this struct's life
	queued  *atomic.Int64 // bytes waiting unwritten on all of the person's connections
	status  string        // last status announced
	typedAt map[string]time.Time
}

type commitEvent struct {
	msg     archive.Message
	dup     bool
	err     error
	sender  *Conn
	verdict *rules.Result // content rules to queue for review, if any
}

// NewHub makes a hub over store, posting by the office's rules. Call Run
// to start it.
func NewHub(store Storage, posting Posting, limits Limits, log *slog.Logger) *Hub {
	// Limits made before a bound existed get its default.
	if limits.QueueBytes == 0 {
		limits.QueueBytes, limits.PersonQueueBytes = DefaultLimits.QueueBytes, DefaultLimits.PersonQueueBytes
	}
	if limits.ReadRate == 0 {
		limits.ReadRate, limits.ReadBurst = DefaultLimits.ReadRate, DefaultLimits.ReadBurst
	}
	h := &Hub{
		store: store, posting: posting, limits: limits, log: log,
		rooms:      map[string]*room{},
		people:     map[string]*person{},
		allowances: map[string]*allowance{},
		committed:  make(chan commitEvent, 8192),
		presence:   make(chan string, 1024),
		stop:       make(chan struct{}),
	}
	for _, c := range store.Channels(nil) {
		h.rooms[c.ID] = &room{published: store.LastSeq(c.ID)}
	}
	return h
}

// Run starts the hub's goroutines.
func (h *Hub) Run() {
	h.stopped.Add(2)
	go h.dispatch()
	go h.announce()
}

// Limits are the hub's limits, defaults filled in: the server bounds each
// connection's transport by them.
func (h *Hub) Limits() Limits { return h.limits }

// room returns the live state of channel id, creating it if needed.
func (h *Hub) room(id string) *room {
	h.mu.RLock()
	r := h.rooms[id]
	h.mu.RUnlock()
	if r != nil {
		return r
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r = h.rooms[id]; r == nil {
		r = &room{published: h.store.LastSeq(id)}
		h.rooms[id] = r
	}
	return r
}

// Admit reserves a connection for user, or says why not.
func (h *Hub) Admit(user string) (Mark, error) {
	h.mu.RLock()
	if h.shutdown {
		h.mu.RUnlock()
		return nil, ErrShutdown
	}
	if h.conns >= h.limits.MaxConns {
		h.mu.RUnlock()
		return nil, ErrTooManyConns
	}
	if p := h.people[user]; p != nil && len(p.conns) >= h.limits.ConnsPerPerson {
		h.mu.RUnlock()
		return nil, ErrTooManyConns
	}
	h.mu.RUnlock()
	mark := Mark{}
	for _, id := range h.store.ChannelsOf(user) {
		r := h.room(id)
		r.mu.Lock()
		mark[id] = r.published
		r.mu.Unlock()
	}
	return mark, nil
}

// Mark is, per channel, the newest seq published when a socket was
// admitted. Admit takes it before the upgrade's 101 goes out and register
// starts the connection's cursors there, so a client hears every message
// committed after it saw its socket open, even one committed before the
// connection was registered.
type Mark map[string]uint64

// register adds c to its person and to the rooms of its channels. Each
// cursor starts after the seq in mark (or, for a channel joined since, the
// room's newest), so c hears every later message exactly once. It returns
// the channels published past their mark meanwhile: the caller catches
// them up from the store.
func (h *Hub) register(c *Conn, mark Mark) ([]string, error) {
	h.mu.Lock()
	if h.shutdown {
		h.mu.Unlock()
		return nil, ErrShutdown
	}
	p := h.people[c.user]
	if p == nil {
		p = &person{conns: map[*Conn]struct{}{}, allow: h.allowanceOf(c.user),
			queued: new(atomic.Int64), status: "offline", typedAt: map[string]time.Time{}}
		h.people[c.user] = p
	}
	if len(p.conns) >= h.limits.ConnsPerPerson || h.conns >= h.limits.MaxConns {
		h.mu.Unlock()
		return nil, ErrTooManyConns
	}
	c.allow = p.allow
	c.t.Start(p.queued, c.alive) // before c can be found to queue to
	p.conns[c] = struct{}{}
	h.conns++
	h.mu.Unlock()

	var behind []string
	for _, id := range h.store.ChannelsOf(c.user) {
		seen, ok := mark[id]
		if h.subscribe(h.room(id), id, c, seen, ok) {
			behind = append(behind, id)
		}
	}
	h.presenceChanged(c.user)
	return behind, nil
}

// subscribe adds c to r with a cursor after seen, if marked, or after the
// newest published seq. It reports whether c is behind and must catch up:
// its cursor then holds live delivery back until it has.
func (h *Hub) subscribe(r *room, id string, c *Conn, seen uint64, marked bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Delivery reads r.subs[:len] from a copy of the slice header taken
	// under r.mu, so appending in place is safe (unsubscribe copies).
	r.subs = append(r.subs, c)
	cur := &cursor{next: r.published + 1}
	if marked && seen < r.published {
		cur.next, cur.syncing = seen+1, true
	}
	c.mu.Lock()
	c.cursors.set(id, cur)
	c.mu.Unlock()
	return cur.syncing
}

func (h *Hub) unsubscribe(r *room, id string, c *Conn) {
	r.mu.Lock()
	subs := make([]*Conn, 0, len(r.subs))
	for _, s := range r.subs {
		if s != c {
			subs = append(subs, s)
		}
	}
	r.subs = subs
	r.mu.Unlock()
	c.mu.Lock()
	c.cursors.remove(id)
	c.mu.Unlock()
}

// unregister removes a closed connection.
func (h *Hub) unregister(c *Conn) {
	c.mu.Lock()
	ids := make([]string, 0, len(c.cursors))
	for _, cc := range c.cursors {
		ids = append(ids, cc.channel)
	}
	c.mu.Unlock()
	for _, id := range ids {
		h.unsubscribe(h.room(id), id, c)
	}
	h.mu.Lock()
	if p := h.people[c.user]; p != nil {
		if _, ok := p.conns[c]; ok {
			delete(p.conns, c)
			h.conns--
		}
	}
	h.mu.Unlock()
	h.presenceChanged(c.user)
}

// connsOf returns user's live connections.
func (h *Hub) connsOf(user string) []*Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	p := h.people[user]
	if p == nil {
		return nil
	}
	out := make([]*Conn, 0, len(p.conns))
	for c := range p.conns {
		out = append(out, c)
	}
	return out
}

// Online counts people with at least one connection.
func (h *Hub) Online() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, p := range h.people {
		if len(p.conns) > 0 {
			n++
		}
	}
	return n
}

// Conns counts live connections.
func (h *Hub) Conns() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.conns
}

// ChannelChanged tells the hub that a channel was made or its members
// changed: new members' connections start hearing it (and are told), removed
// members' connections stop.
func (h *Hub) ChannelChanged(c archive.Channel, removed []string) {
	r := h.room(c.ID)
	for _, user := range c.Members {
		for _, conn := range h.connsOf(user) {
			conn.mu.Lock()
			has := conn.cursors.get(c.ID) != nil
			conn.mu.Unlock()
			if !has {
				h.subscribe(r, c.ID, conn, 0, false)
			}
			conn.push(mustJSON(channelFrame{Type: "channel", Channel: h.View(c, user)}))
		}
	}
	for _, user := range removed {
		for _, conn := range h.connsOf(user) {
			h.unsubscribe(r, c.ID, conn)
			conn.push(mustJSON(leftFrame{Type: "left", Channel: c.ID}))
		}
	}
}

// View is channel c as user sees it.
func (h *Hub) View(c archive.Channel, user string) ChannelView {
	last := h.store.LastSeq(c.ID)
	read := h.store.ReadSeq(c.ID, user)
	prefs := h.store.Prefs(c.ID, user)
	v := ChannelView{ID: c.ID, Name: c.Name, Kind: c.Kind, Members: c.Members, LastSeq: last, Archived: c.Archived, Announce: c.Announce,
		Topic: c.Topic, Description: c.Description, Notify: prefs.Notify, Muted: prefs.Muted}
	v.Unread = h.store.Unread(c.ID, read, last)
	if v.Members == nil {
		v.Members = []string{}
	}
	return v
}

// Kick closes every connection of user (disabled, signed out everywhere).
func (h *Hub) Kick(user, reason string) {
	for _, c := range h.connsOf(user) {
		c.closeWith(closePolicy, reason)
	}
}

// KickSession closes user's sockets opened with session (its sign-out).
func (h *Hub) KickSession(user, session, reason string) {
	for _, c := range h.connsOf(user) {
		if c.session == session {
			c.closeWith(closePolicy, reason)
		}
	}
}

// Shutdown closes every connection with "going away" so clients reconnect,
// and refuses new ones.
func (h *Hub) Shutdown() {
	h.mu.Lock()
	h.shutdown = true
	var all []*Conn
	for _, p := range h.people {
		for c := range p.conns {
			all = append(all, c)
		}
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.closeWith(closeGoingAway, "server restarting")
		}()
	}
	wg.Wait() // each takes at most a second
}

// Close stops the hub's goroutines. Call after the store's writes are done.
func (h *Hub) Close() {
	close(h.stop)
	h.stopped.Wait()
}
