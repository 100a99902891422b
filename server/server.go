// Package server is Inhouse's HTTP side: the JSON API, the WebSocket
// upgrade, the web client's files and the checks every request passes
// (allowed networks, session, same origin, security headers).
package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/auth"
	"inhouse/server/chat"
	"inhouse/server/office"
)

// Config is what serve needs to know.
type Config struct {
	Addr    string
	DataDir string
	TLS     string // "off", "auto" or "CERT.pem,KEY.pem"
	Allow   []netip.Prefix
	// AdminAllow, if set, narrows who may reach the console and the admin
	// API (the manager's own PC, say).
	AdminAllow []netip.Prefix
	Limits     chat.Limits
	Version    string
	Log        *slog.Logger
}

// DefaultAllow is loopback plus the private and link-local ranges.
var DefaultAllow = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
}

// Server is a running Inhouse.
type Server struct {
	cfg     Config
	store   *archive.Store
	hub     *chat.Hub
	office  *office.Office
	uploads uploadLimits
	http    *fasthttp.Server
	tls     *tls.Config
	certs   *certs // nil without TLS
	caFile  string // the office CA's certificate, with --tls auto
	log     *slog.Logger
	started time.Time

	setupToken atomic.Pointer[string] // set while no admin exists
	throttle   *throttle
	passwords  *passwordGate
	allow      atomic.Pointer[[]netip.Prefix] // set by the console; nil: cfg.Allow
	ln         net.Listener
	baseURL    string

	router   *router.Router
	control  net.Listener
	jobsStop chan struct{}
	// background counts the goroutines the server starts besides serving
	// (daily jobs, the control socket and its connections): Shutdown waits
	// for them before it closes the store they use.
	background sync.WaitGroup
	// lastPurge is when the retention purge last ran (jobs goroutine only).
	lastPurge time.Time
	stopOnce  sync.Once
	stopErr   error

	metricSet     *metrics.Set
	loginFailures *metrics.Counter
}

// heapFloor is how far the heap may grow before a collection while little
// is live: a few dozen megabytes spares a new office's server a collection
// every few megabytes of garbage, and is below what 10,000 connections hold
// anyway, so it costs their memory nothing.
const heapFloor = 64 << 20

// Open opens the data folder and prepares the server; Serve starts it.
func Open(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Limits == (chat.Limits{}) {
		cfg.Limits = chat.DefaultLimits
	}
	if len(cfg.Allow) == 0 {
		cfg.Allow = DefaultAllow
	}
	store, err := archive.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Log, started: time.Now(), throttle: newThrottle(), passwords: newPasswordGate()}
	l := &live{s: s}
	s.office = office.New(store, l, cfg.Log)
	emoji, err := emojiList()
	if err != nil {
		store.Close()
		return nil, err
	}
	s.office.UseEmoji(emoji)
	s.hub = chat.NewHub(store, s.office.Messages(), cfg.Limits, cfg.Log)
	l.Hub = s.hub
	// The networks the office chose in the console hold whether or not the
	// console is mounted.
	if nets := store.Settings().AllowPrefixes(); len(nets) > 0 {
		s.SetAllow(nets)
	}
	if !store.HasAdmin() {
		t := auth.Token()
		s.setupToken.Store(&t)
	}
	if s.tls, err = s.tlsConfig(); err != nil {
		store.Close()
		return nil, err
	}
	s.router = s.routes()
	s.http = &fasthttp.Server{
		Handler:               s.guard(s.router.Handler),
		Name:                  "inhouse",
		NoDefaultServerHeader: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		MaxRequestBodySize:    maxBody,
		// Uploads are read as they arrive (files.go); guard keeps every
		// other body within maxBody.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadBufferSize:               8 << 10,
		// Gives the read buffer back after each request, so a WebSocket
		// does not keep one for its whole life.
		ReduceMemoryUsage: true,
		// A WebSocket outlives its upgrade request: its goroutine owns the
		// connection and closes it, and fasthttp frees the request at once.
		KeepHijackedConns: true,
		Logger:            quietLogger{},
	}
	return s, nil
}

// Store is the open data folder.
func (s *Server) Store() *archive.Store { return s.store }

// Hub is the chat engine.
func (s *Server) Hub() *chat.Hub { return s.hub }

// live is what the application layer tells the running server: the chat
// engine's sockets and channels, and the sign-in throttle.
type live struct {
	*chat.Hub
	s *Server
}

// UnlockSignIn lifts the waits on guesses at a person's password.
func (l live) UnlockSignIn(user string) { l.s.throttle.unlock(user) }

// AllowChanged serves the networks the office chose.
func (l live) AllowChanged(nets []netip.Prefix) { l.s.SetAllow(nets) }

// Office is the application layer every door calls.
func (s *Server) Office() *office.Office { return s.office }

// Listen binds the configured address and starts the engine, the daily
// jobs and the control socket; Serve then answers on the listener.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.baseURL = s.urlFor(ln.Addr())
	s.hub.Run()
	s.jobsStop = make(chan struct{})
	s.background.Go(func() { s.runJobs(s.jobsStop) })
	s.background.Go(func() { s.runDirectorySync(s.jobsStop, directoryEvery) })
	if err := s.serveControl(); err != nil {
		s.log.Warn("no control socket: backups of the running server are not possible", "err", err)
	}
	return ln, nil
}

// Serve answers on ln (from Listen) until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if s.tls != nil {
		ln = tls.NewListener(newRedirectListener(ln), s.tls)
	}
	err := s.http.Serve(ln)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// URL is the address people open, known once Listen has run.
func (s *Server) URL() string { return s.baseURL }

func (s *Server) urlFor(a net.Addr) string {
	scheme := "http"
	if s.tls != nil {
		scheme = "https"
	}
	host := s.cfg.Addr
	if ta, ok := a.(*net.TCPAddr); ok {
		ip := ta.IP
		if ip.IsUnspecified() {
			ip = net.IPv4(127, 0, 0, 1)
			if s.tls != nil {
				if h := lanHost(); h != "" {
					return fmt.Sprintf("%s://%s", scheme, net.JoinHostPort(h, fmt.Sprint(ta.Port)))
				}
			}
		}
		host = net.JoinHostPort(ip.String(), fmt.Sprint(ta.Port))
	}
	return scheme + "://" + host
}

// SetupURL is the one-time link that creates the first admin, or "" once
// an admin exists.
func (s *Server) SetupURL() string {
	t := s.setupToken.Load()
	if t == nil {
		return ""
	}
	return s.baseURL + "/setup?token=" + *t
}

// Shutdown stops taking requests, closes every WebSocket with 1001 so
// clients reconnect elsewhere or later, lets the writes in flight finish and
// closes the data folder.
func (s *Server) Shutdown() error {
	s.stopOnce.Do(func() { s.stopErr = s.shutdown() })
	return s.stopErr
}

func (s *Server) shutdown() error {
	if s.control != nil {
		s.control.Close()
	}
	if s.jobsStop != nil {
		close(s.jobsStop)
	}
	s.hub.Shutdown()
	err := s.http.Shutdown()
	s.waitBackground()
	// The store first: its last writes still report to the hub's dispatcher.
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	s.hub.Close()
	return err
}

// backgroundGrace bounds how long Shutdown waits for a daily job or a
// backup through the control socket to finish.
const backgroundGrace = 30 * time.Second

// waitBackground waits for the background goroutines, at most
// backgroundGrace: a backup stuck on a command line that stopped reading
// must not keep the server from stopping.
func (s *Server) waitBackground() {
	done := make(chan struct{})
	go func() { s.background.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(backgroundGrace):
		s.log.Warn("stopping without waiting longer for a daily job or a backup in progress")
	}
}

// quietLogger drops fasthttp's own error lines (closed connections and
// timeouts are normal for a chat server); failures that matter are logged
// where they happen.
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
