package server

import (
	"log/slog"
	"net/netip"
	"slices"
	"time"
)

// What the admin console reads from or changes in the running server.

// Logger is the server's log, which the console writes to as well.
func (s *Server) Logger() *slog.Logger { return s.log }

// CertExpiry is when the HTTPS certificate ends; ok is false without TLS.
func (s *Server) CertExpiry() (time.Time, bool) {
	if s.certs == nil {
		return time.Time{}, false
	}
	t := s.certs.expiry()
	return t, !t.IsZero()
}

// StartupAllow is the allow-list serve started with (--allow or the default).
func (s *Server) StartupAllow() []netip.Prefix { return slices.Clone(s.cfg.Allow) }

// SetAllow replaces the networks served from now on (the console's
// "allowed networks"); nil goes back to the start-up list. Loopback is
// always allowed, so this machine can never lock itself out.
func (s *Server) SetAllow(nets []netip.Prefix) {
	if len(nets) == 0 {
		s.allow.Store(nil)
		return
	}
	all := append(slices.Clone(nets), netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"))
	s.allow.Store(&all)
}

// Allowed reports whether the address may use Inhouse under the list in force.
func (s *Server) Allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range s.allowNets() {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// allowNets is the allow-list in force.
func (s *Server) allowNets() []netip.Prefix {
	if p := s.allow.Load(); p != nil {
		return *p
	}
	return s.cfg.Allow
}
