package servertest

import (
	"io"
	"log/slog"
	"testing"

	"inhouse/server"
)

// StartWith runs a server like Start, first calling mount so it can add
// handlers (the admin console): routes cannot be added once it serves.
func StartWith(t testing.TB, mount func(*server.Server), edit ...func(*server.Config)) *Server {
	t.Helper()
	dir := t.TempDir()
	cfg := server.Config{Addr: "127.0.0.1:0", DataDir: dir, TLS: "off", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, e := range edit {
		e(&cfg)
	}
	srv, err := server.Open(cfg)
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	mount(srv)
	ln, err := srv.Listen()
	if err != nil {
		srv.Shutdown()
		t.Fatalf("listen: %v", err)
	}
	go srv.Serve(ln)
	ts := &Server{Server: srv, URL: "http://" + ln.Addr().String(), Dir: dir, t: t}
	t.Cleanup(func() { srv.Shutdown() })
	return ts
}
