package directory_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"

	"inhouse/server/directory"
	"inhouse/server/directory/slapdtest"
)

// silent is a directory that accepts connections and never answers. It
// counts the connections it accepted and the most that were open at once.
type silent struct {
	addr string
	ln   net.Listener

	mu    sync.Mutex
	open  []net.Conn
	total int
	peak  int
}

func listenSilently(t *testing.T) *silent {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silent{addr: ln.Addr().String(), ln: ln}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			// Before counting the new connection, drop those the client
			// closed: their end of file is already here (it was sent before
			// the client dialled again).
			s.open = slicesDeleteClosed(s.open)
			s.open = append(s.open, c)
			s.total++
			s.peak = max(s.peak, len(s.open))
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.open {
			c.Close()
		}
	})
	return s
}

// slicesDeleteClosed keeps the connections still open: reading finds
// either nothing (open: the read times out) or, after whatever the client
// sent, the end of the stream.
func slicesDeleteClosed(conns []net.Conn) []net.Conn {
	kept := conns[:0]
	for _, c := range conns {
		buf := make([]byte, 4096)
		for {
			c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			_, err := c.Read(buf)
			if err == nil {
				continue
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				kept = append(kept, c)
			} else {
				c.Close()
			}
			break
		}
	}
	return kept
}

func (s *silent) accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

func (s *silent) maxOpen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// silentConfig points at l; the password check needs a configuration
// that passes Validate.
func silentConfig(l *silent, timeout time.Duration) directory.Config {
	cfg := directory.Defaults(directory.OpenLDAP)
	cfg.URL, cfg.StartTLS = "ldap://"+l.addr, true
	cfg.BindDN, cfg.BindPassword, cfg.BaseDN = "cn=svc,dc=x", "pw", "dc=x"
	cfg.Timeout = timeout
	return cfg
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A directory that never answers costs a sign-in one Timeout, whatever the
// step it stops at: StartTLS, the TLS handshake of ldaps://, the bind.
func TestSlowDirectory(t *testing.T) {
	const timeout = 300 * time.Millisecond
	for name, change := range map[string]func(*directory.Config){
		"StartTLS": func(*directory.Config) {},
		"ldaps":    func(c *directory.Config) { c.URL, c.StartTLS = strings.Replace(c.URL, "ldap:", "ldaps:", 1), false },
		"plain":    func(c *directory.Config) { c.StartTLS, c.Plain = false, true },
	} {
		t.Run(name, func(t *testing.T) {
			l := listenSilently(t)
			cfg := silentConfig(l, timeout)
			change(&cfg)
			c := directory.New(cfg)

			start := time.Now()
			_, err := c.Authenticate(t.Context(), "ana", "pw")
			took := time.Since(start)
			if !errors.Is(err, directory.ErrUnreachable) || !strings.Contains(err.Error(), "did not answer within 300ms") {
				t.Errorf("Authenticate: %v", err)
			}
			if took < timeout || took > timeout+700*time.Millisecond {
				t.Errorf("Authenticate took %v with a timeout of %v", took, timeout)
			}
			if _, err := c.People(t.Context()); !errors.Is(err, directory.ErrUnreachable) {
				t.Errorf("People: %v", err)
			}
			if r := c.Test(t.Context()); r.OK || r.Step != "address" || !strings.Contains(r.Problem, "did not answer") {
				t.Errorf("Test: %+v", r)
			}
		})
	}
}

// Twenty sign-ins at once against a directory that never answers: never
// more than four connections open, and all are told within the time of
// five rounds of four.
func TestConcurrencyBounded(t *testing.T) {
	const timeout = 300 * time.Millisecond
	l := listenSilently(t)
	c := directory.New(silentConfig(l, timeout))

	start := time.Now()
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			_, err := c.Authenticate(t.Context(), "ana", "pw")
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; !errors.Is(err, directory.ErrUnreachable) {
			t.Errorf("a sign-in: %v", err)
		}
	}
	took := time.Since(start)
	// Waiting for a place lasts at most one Timeout too, so this is nearer
	// two Timeouts than five.
	if limit := 5*timeout + 500*time.Millisecond; took > limit {
		t.Errorf("20 sign-ins took %v, want under %v", took, limit)
	}
	if peak := l.maxOpen(); peak > 4 || peak < 1 {
		t.Errorf("%d connections open at once, want at most 4", peak)
	}
	if n := l.accepted(); n < 4 || n > 20 {
		t.Errorf("%d connections accepted", n)
	}
	t.Logf("%d connections, at most %d at once, in %v", l.accepted(), l.maxOpen(), took)
}

// A caller's context bounds both the wait for a place and the operation.
func TestContext(t *testing.T) {
	l := listenSilently(t)
	c := directory.New(silentConfig(l, time.Second))

	// The context ends during the operation.
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Authenticate(ctx, "ana", "pw")
	if !errors.Is(err, directory.ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ended context: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("an ended context took %v to tell", took)
	}

	// Four operations hold every place; a fifth waits only as long as its
	// context.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.People(t.Context())
		}()
	}
	waitFor(t, func() bool { return l.accepted() >= 5 })
	ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = c.Authenticate(ctx, "ana", "pw")
	if !errors.Is(err, directory.ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a place: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("waiting for a place took %v", took)
	}
	if n := l.accepted(); n != 5 {
		t.Errorf("the fifth operation connected: %d connections", n)
	}
	// Cancelled already: nothing happens.
	done, stop := context.WithCancel(t.Context())
	stop()
	if _, err := c.People(done); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
	wg.Wait()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A certificate for another name is refused, and Test says whose name it
// carries.
func TestCertificateForAnotherName(t *testing.T) {
	caPEM, cert := certificateFor(t, "directory.elsewhere.test")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.(*tls.Conn).Handshake()
			}()
		}
	}()
	cfg := directory.Defaults(directory.AD)
	cfg.URL, cfg.CA = "ldaps://"+ln.Addr().String(), caPEM
	cfg.BindDN, cfg.BindPassword, cfg.BaseDN = "inhouse@office.test", "pw", "dc=office,dc=test"
	c := directory.New(cfg)
	r := c.Test(t.Context())
	if r.OK || r.Step != "certificate" || !strings.Contains(r.Problem, "not for 127.0.0.1") || !strings.Contains(r.Problem, "directory.elsewhere.test") {
		t.Errorf("Test: %+v", r)
	}
	if _, err := c.Authenticate(t.Context(), "ana", "pw"); !errors.Is(err, directory.ErrUnreachable) {
		t.Errorf("Authenticate: %v", err)
	}
}

func certificateFor(t *testing.T, name string) (string, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "elsewhere CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{name}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// A server that answers StartTLS with a refusal, and one that does not
// speak LDAP: Test tells them apart.
func TestStartTLSRefusedAndNotLDAP(t *testing.T) {
	refuse := func(c net.Conn) {
		if _, err := ber.ReadPacket(c); err != nil {
			return
		}
		p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
		p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(1), ""))
		op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedResponse, nil, "")
		op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(ldap.LDAPResultUnavailable), ""))
		op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
		op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "TLS not configured", ""))
		p.AppendChild(op)
		c.Write(p.Bytes())
		io.Copy(io.Discard, c)
	}
	http := func(c net.Conn) {
		c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		io.Copy(io.Discard, c)
	}
	for name, tc := range map[string]struct {
		serve       func(net.Conn)
		step, words string
	}{
		"refusal": {refuse, "certificate", "refused StartTLS (Unavailable: TLS not configured)"},
		"http":    {http, "address", "does not speak LDAP"},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() { defer c.Close(); tc.serve(c) }()
			}
		}()
		cfg := directory.Defaults(directory.OpenLDAP)
		cfg.URL, cfg.StartTLS = "ldap://"+ln.Addr().String(), true
		cfg.BindDN, cfg.BindPassword, cfg.BaseDN = "cn=svc,dc=x", "pw", "dc=x"
		cfg.Timeout = time.Second
		if r := directory.New(cfg).Test(t.Context()); r.OK || r.Step != tc.step || !strings.Contains(r.Problem, tc.words) {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

// A directory that answers, slowly: twenty sign-ins at once queue for the
// four places, never more than four connections are open, and everyone
// signs in.
func TestSlowButAnswering(t *testing.T) {
	dir := slapdtest.Start(t, directory.OpenLDAP)
	p := slowProxy(t, strings.TrimPrefix(dir.URL, "ldap://"), 60*time.Millisecond)
	cfg := dir.Config()
	cfg.URL = "ldap://" + p.addr
	cfg.Timeout = 3 * time.Second
	c := directory.New(cfg)

	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			user, pw := "ana", slapdtest.AnaPassword
			if i%2 == 1 {
				user, pw = "ben", slapdtest.BenPassword
			}
			p, err := c.Authenticate(t.Context(), user, pw)
			if err == nil && p.UserName != user {
				err = fmt.Errorf("%s signed in as %q", user, p.UserName)
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Errorf("a sign-in: %v", err)
		}
	}
	// Each sign-in is two connections: the service account's, the person's.
	if p.total() != 40 || p.maxOpen() > 4 {
		t.Errorf("%d connections, at most %d at once; want 40, at most 4", p.total(), p.maxOpen())
	}
}

// proxy passes connections to a directory, each after a delay, and counts
// how many are open at once.
type proxy struct {
	addr string
	mu   sync.Mutex
	open int
	all  int
	peak int
}

func slowProxy(t *testing.T, upstream string, delay time.Duration) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &proxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.open++
			p.all++
			p.mu.Unlock()
			go p.serve(c, upstream, delay)
			// A client closes one connection just before it dials the
			// next; let that close land before counting. A connection
			// held longer (every one here lives at least delay) still
			// counts.
			time.Sleep(delay / 3)
			p.mu.Lock()
			p.peak = max(p.peak, p.open)
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *proxy) serve(c net.Conn, upstream string, delay time.Duration) {
	defer func() {
		c.Close()
		p.mu.Lock()
		p.open--
		p.mu.Unlock()
	}()
	time.Sleep(delay)
	up, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { io.Copy(c, up); c.Close() }()
	io.Copy(up, c)
}

func (p *proxy) total() int   { p.mu.Lock(); defer p.mu.Unlock(); return p.all }
func (p *proxy) maxOpen() int { p.mu.Lock(); defer p.mu.Unlock(); return p.peak }
