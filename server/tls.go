package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"inhouse/server/atomicfile"
)

// certs holds the certificate in use and knows how to load it again: the
// files given with --tls are re-read when they change (checked at most every
// few seconds) or on SIGHUP; the automatic one is renewed before it ends.
type certs struct {
	mu      sync.Mutex
	cert    *tls.Certificate
	load    func() (tls.Certificate, error)
	files   []string
	stamp   string // size+mtime of the files when loaded
	checked time.Time
}

func (c *certs) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) > 5*time.Second {
		c.checked = time.Now()
		if st := stampOf(c.files); st != c.stamp {
			c.reloadLocked()
		}
	}
	return c.cert, nil
}

// Reload loads the certificate again; a failure keeps the one in use.
func (c *certs) Reload() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reloadLocked()
}

func (c *certs) reloadLocked() error {
	cert, err := c.load()
	if err != nil {
		return err
	}
	c.cert, c.stamp = &cert, stampOf(c.files)
	return nil
}

// expiry is when the certificate in use ends.
func (c *certs) expiry() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cert == nil || len(c.cert.Certificate) == 0 {
		return time.Time{}
	}
	leaf, err := x509.ParseCertificate(c.cert.Certificate[0])
	if err != nil {
		return time.Time{}
	}
	return leaf.NotAfter
}

func stampOf(files []string) string {
	var b strings.Builder
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			fmt.Fprintf(&b, "%d.%d;", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return b.String()
}

// tlsConfig reads --tls: "off", "auto" (a local CA in the data folder and a
// server certificate it signs) or "CERT.pem,KEY.pem".
func (s *Server) tlsConfig() (*tls.Config, error) {
	mode := s.cfg.TLS
	if mode == "" {
		mode = "off"
		if !loopbackOnly(s.cfg.Addr) {
			mode = "auto"
		}
	}
	c := &certs{}
	switch {
	case mode == "off":
		return nil, nil
	case mode == "auto":
		dir := filepath.Join(s.cfg.DataDir, "tls")
		c.load = func() (tls.Certificate, error) { return autoCert(dir) }
		c.files = []string{filepath.Join(dir, "server.pem")}
		s.caFile = filepath.Join(dir, "ca.pem")
	case strings.Contains(mode, ","):
		cf, kf, _ := strings.Cut(mode, ",")
		cf, kf = strings.TrimSpace(cf), strings.TrimSpace(kf)
		c.load = func() (tls.Certificate, error) { return tls.LoadX509KeyPair(cf, kf) }
		c.files = []string{cf, kf}
	default:
		return nil, fmt.Errorf("--tls %q: use auto, off or CERT.pem,KEY.pem", mode)
	}
	if err := c.Reload(); err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	s.certs = c
	return &tls.Config{GetCertificate: c.get, MinVersion: tls.VersionTLS12}, nil
}

// ReloadCertificates re-reads the TLS certificate (SIGHUP).
func (s *Server) ReloadCertificates() error {
	if s.certs == nil {
		return nil
	}
	return s.certs.Reload()
}

// loopbackOnly reports an address that only this machine can reach.
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// autoCert loads or makes the office's own CA and a server certificate for
// this machine's names and addresses, renewing it a month before it ends.
func autoCert(dir string) (tls.Certificate, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, err
	}
	caCert, caKey, err := loadOrMakeCA(dir)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPath, keyPath := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		if leaf, err := x509.ParseCertificate(c.Certificate[0]); err == nil && time.Until(leaf.NotAfter) > 30*24*time.Hour {
			return c, nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	host, _ := os.Hostname()
	names := []string{"localhost", "inhouse.local"}
	if host != "" {
		names = append(names, host, host+".local")
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() {
				ips = append(ips, n.IP)
			}
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "Inhouse server"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(397 * 24 * time.Hour), // browsers refuse longer
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     names,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der); err != nil {
		return tls.Certificate{}, err
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	if err := writePEM(keyPath, "EC PRIVATE KEY", kder); err != nil {
		return tls.Certificate{}, err
	}
	return tls.LoadX509KeyPair(certPath, keyPath)
}

func loadOrMakeCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPath, keyPath := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		key, ok := c.PrivateKey.(*ecdsa.PrivateKey)
		if err == nil && ok {
			return leaf, key, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("office CA in %s: %w", dir, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Inhouse office CA", Organization: []string{"Inhouse"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	if err := writePEM(keyPath, "EC PRIVATE KEY", kder); err != nil {
		return nil, nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der); err != nil {
		return nil, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	return leaf, key, err
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// writePEM writes a key or certificate whole: a crash while renewing must
// not leave half a CA key.
func writePEM(path, kind string, der []byte) error {
	return atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}))
}

// lanHost is this machine's first private IPv4 address, for the URL that
// serve prints.
func lanHost() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsPrivate() {
			return n.IP.String()
		}
	}
	return ""
}
