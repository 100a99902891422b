package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/netlist"
)

// stopWithin bounds a graceful stop.
const stopWithin = 10 * time.Second

// serve runs the appliance until SIGINT or SIGTERM.
func serve(args []string, env Env) error { return serveUntil(args, env, nil) }

// serveUntil also stops when stop is closed (the Windows service manager).
func serveUntil(args []string, env Env, stop <-chan struct{}) error {
	f := newFlags("serve")
	data := f.data()
	addr := f.String("addr", envOr("INHOUSE_ADDR", ":8080"), "address to listen on")
	tlsMode := f.String("tls", envOr("INHOUSE_TLS", ""), "auto, off or CERT.pem,KEY.pem")
	allow := f.String("allow", envOr("INHOUSE_ALLOW", ""), "client networks served, comma-separated CIDRs")
	adminAllow := f.String("admin-allow", envOr("INHOUSE_ADMIN_ALLOW", ""), "networks that may use the console, comma-separated CIDRs")
	logFormat := f.String("log", envOr("INHOUSE_LOG", "text"), "log format: text or json")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("serve takes no arguments (got %q)", pos[0])
	}
	nets, err := parseAllow(*allow)
	if err != nil {
		return err
	}
	adminNets, err := netlist.ParsePrefixes(*adminAllow)
	if err != nil {
		return usagef("--admin-allow: %v", err)
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	case "json":
		handler = slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	default:
		return usagef("--log %q: use text or json", *logFormat)
	}
	log := slog.New(handler)
	server.TuneProcess()
	srv, err := server.OpenTuned(server.Config{Addr: *addr, DataDir: *data, TLS: *tlsMode, Allow: nets, AdminAllow: adminNets, Version: Version, Log: log})
	if err != nil {
		if errors.Is(err, archive.ErrLocked) {
			return fmt.Errorf("the data folder %s is in use by another inhouse server", *data)
		}
		return err
	}
	if env.Console != nil {
		srv.Mount("/admin", env.Console(srv))
	}
	ln, err := srv.Listen()
	if err != nil {
		srv.Shutdown()
		return err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(env.Stdout, "Inhouse %s is running at %s (data in %s)\n", Version, srv.URL(), *data)
	if link := srv.SetupURL(); link != "" {
		fmt.Fprintf(env.Stdout, "No administrator yet. Open this one-time link to create one:\n  %s\n", link)
	} else {
		fmt.Fprintf(env.Stdout, "Sign in at %s with your user name and password; the office manager adds people at %s/admin.\n", srv.URL(), srv.URL())
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
wait:
	for {
		select {
		case err := <-done:
			srv.Shutdown()
			return err
		case <-stop:
			log.Info("stopping", "by", "service manager")
			break wait
		case s := <-sig:
			if s == syscall.SIGHUP {
				if err := srv.ReloadCertificates(); err != nil {
					log.Error("reloading the TLS certificate failed; keeping the old one", "err", err)
				} else {
					log.Info("TLS certificate reloaded")
				}
				continue
			}
			log.Info("stopping", "signal", s.String())
			break wait
		}
	}
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown() }()
	select {
	case err := <-stopped:
		return err
	case <-time.After(stopWithin):
		return errors.New("could not stop cleanly within 10 seconds")
	}
}

// parseAllow reads --allow: comma-separated CIDRs or single addresses.
func parseAllow(s string) ([]netip.Prefix, error) {
	nets, err := netlist.ParsePrefixes(s)
	if err != nil {
		return nil, usagef("--allow: %v", err)
	}
	return nets, nil
}
