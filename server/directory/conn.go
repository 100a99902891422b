package directory

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// maxOperations is how many directory operations run at once, whoever asks
// (sign-ins, the sync, a test of the settings): a directory that stops
// answering then holds at most this many connections and goroutines busy
// with it, and never floods a small office's domain controller.
const maxOperations = 4

// Client talks to one directory with one configuration. It is safe for
// concurrent use; it keeps no connection between calls and no password
// but the service account's.
type Client struct {
	cfg     Config
	bad     []problem // what Validate found, checked before any call
	timeout time.Duration
	host    string
	addr    string // host:port
	ldaps   bool
	tls     *tls.Config // nil: no TLS (Plain)
	sem     chan struct{}
}

// New prepares a client. It does not connect, and it takes an invalid
// configuration: every call then fails with the problems Validate tells.
func New(c Config) *Client {
	cl := &Client{cfg: c, bad: c.problems(), timeout: c.Timeout, sem: make(chan struct{}, maxOperations)}
	if cl.timeout <= 0 || cl.timeout > maxTimeout {
		cl.timeout = DefaultTimeout
	}
	host, port, scheme, err := splitURL(c.URL)
	if err != nil {
		return cl
	}
	cl.host, cl.addr, cl.ldaps = host, net.JoinHostPort(host, port), scheme == "ldaps"
	if cl.ldaps || c.StartTLS {
		cl.tls = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if c.CA != "" {
			// Only the given certificate is trusted then, not the system's
			// roots: an office CA names the office's own servers.
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM([]byte(c.CA))
			cl.tls.RootCAs = pool
		}
	}
	return cl
}

// acquire waits for one of the operations' places, as long as ctx allows
// and at most one Timeout: past that the directory is too slow to be worth
// queueing for, and the caller hears so at once.
func (c *Client) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-c.sem }
	select {
	case c.sem <- struct{}{}:
		return release, nil
	default:
	}
	wait := time.NewTimer(c.timeout)
	defer wait.Stop()
	select {
	case c.sem <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, failAt(stepAddress, ctx.Err(), "Inhouse stopped waiting for the directory (%v).", ctx.Err())
	case <-wait.C:
		return nil, failAt(stepAddress, errors.New("all places busy"),
			"%d requests to the directory are already waiting for its answer: it is answering too slowly.", maxOperations)
	}
}

// session is one connection to the directory. Each step sets a deadline
// on the raw connection, which bounds go-ldap's reads and writes and the
// TLS handshake alike; ctx ending closes the connection at once.
type session struct {
	addr    string
	timeout time.Duration
	raw     net.Conn
	conn    *ldap.Conn
	stop    func() bool // unregisters the close on ctx
}

// connect dials, speaks TLS as configured and verifies the certificate.
func (c *Client) connect(ctx context.Context) (*session, error) {
	if err := ctx.Err(); err != nil {
		return nil, failAt(stepAddress, err, "Inhouse stopped waiting for the directory (%v).", err)
	}
	d := net.Dialer{Timeout: c.timeout}
	raw, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, failAt(stepAddress, errors.Join(ctx.Err(), err), "Inhouse stopped waiting for the directory (%v).", ctx.Err())
		}
		return nil, failAt(stepAddress, err, "%s", dialProblem(c.addr, err))
	}
	s := &session{addr: c.addr, timeout: c.timeout, raw: raw}
	s.stop = context.AfterFunc(ctx, func() { raw.Close() })

	var conn net.Conn = raw
	if c.tls != nil {
		if !c.ldaps {
			if err := s.startTLS(ctx); err != nil {
				s.close()
				return nil, err
			}
		}
		tc := tls.Client(raw, c.tls)
		s.step()
		if err := tc.HandshakeContext(ctx); err != nil {
			s.close()
			if ctx.Err() != nil || isTimeout(err) || errors.Is(err, io.EOF) {
				return nil, s.notAnswering(ctx, err, "starting TLS")
			}
			return nil, failAt(stepCert, err, "%s", certProblem(err, c.host, c.cfg.CA != ""))
		}
		conn = tc
	}
	s.conn = ldap.NewConn(conn, c.tls != nil)
	// go-ldap's own timeout too: without it a request whose answer never
	// comes would wait on go-ldap's channels even after the deadline.
	s.conn.SetTimeout(c.timeout)
	s.conn.Start()
	return s, nil
}

// step gives the next network step its Timeout.
func (s *session) step() { s.raw.SetDeadline(time.Now().Add(s.timeout)) }

func (s *session) close() {
	s.stop()
	if s.conn != nil {
		s.conn.Close()
	}
	s.raw.Close()
}

// startTLSOID is the StartTLS extended operation (RFC 4511, 4.14).
const startTLSOID = "1.3.6.1.4.1.1466.20037"

// startTLS asks for TLS on the plain connection before go-ldap takes it.
// go-ldap's own StartTLS flattens the handshake's error into a string,
// which would lose whether the certificate was untrusted or for another
// name, and runs the handshake without a deadline; here the request and
// its answer are read by hand and the handshake is ours.
func (s *session) startTLS(ctx context.Context) error {
	req := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Request")
	req.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(1), "MessageID"))
	ext := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedRequest, nil, "Start TLS")
	ext.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, startTLSOID, "Request Name"))
	req.AppendChild(ext)

	s.step()
	if _, err := s.raw.Write(req.Bytes()); err != nil {
		return s.notAnswering(ctx, err, "asking for StartTLS")
	}
	// Every LDAP message starts with a SEQUENCE; anything else (an HTTP
	// or SSH server on that port) is told at once rather than waited for.
	first := make([]byte, 1)
	if _, err := io.ReadFull(s.raw, first); err != nil {
		return s.notAnswering(ctx, err, "asking for StartTLS")
	}
	if first[0] != 0x30 {
		return failAt(stepAddress, fmt.Errorf("first byte %#x", first[0]), "The server at %s does not speak LDAP: check the address and port (389 for ldap://, 636 for ldaps://).", s.addr)
	}
	// The answer is small; the limit keeps a hostile peer (this is before
	// TLS) from making us read much.
	resp, err := ber.ReadPacket(io.MultiReader(bytes.NewReader(first), io.LimitReader(s.raw, 16<<10)))
	if err != nil {
		return s.notAnswering(ctx, err, "asking for StartTLS")
	}
	code, diag, err := extendedResult(resp)
	if err != nil {
		return failAt(stepAddress, err, "The server at %s does not speak LDAP (%v): check the address and port.", s.addr, err)
	}
	if code != ldap.LDAPResultSuccess {
		return failAt(stepCert, fmt.Errorf("StartTLS: result %d %s", code, diag),
			"The directory refused StartTLS (%s%s): set up its certificate, or use ldaps://.", ldap.LDAPResultCodeMap[code], colon(diag))
	}
	return nil
}

// extendedResult reads the result code of the answer to message 1, an
// ExtendedResponse: SEQUENCE { 1, [APPLICATION 24] { code, matchedDN, diag, ... } }.
func extendedResult(p *ber.Packet) (code uint16, diag string, err error) {
	if len(p.Children) < 2 {
		return 0, "", errors.New("a short answer")
	}
	if id, ok := p.Children[0].Value.(int64); !ok || id != 1 {
		return 0, "", errors.New("an answer to another request")
	}
	op := p.Children[1]
	if op.ClassType != ber.ClassApplication || op.Tag != ldap.ApplicationExtendedResponse || len(op.Children) < 3 {
		return 0, "", errors.New("not an extended response")
	}
	c, ok := op.Children[0].Value.(int64)
	if !ok || c < 0 || c > 0xffff {
		return 0, "", errors.New("no result code")
	}
	d, _ := op.Children[2].Value.(string)
	return uint16(c), d, nil
}

func colon(diag string) string {
	if diag == "" {
		return ""
	}
	return ": " + diag
}

// bind signs the connection in; the password is passed on, not kept.
func (s *session) bind(dn, password string) error {
	s.step()
	return s.conn.Bind(dn, password)
}

// pageSize is how many entries each page of a search asks for: under
// Active Directory's MaxPageSize (1000 by default). A variable so the tests
// can make pages small enough to need several.
var pageSize uint32 = 500

// maxEntries bounds what one search may bring back, so a filter that finds
// the whole forest cannot fill the server's memory.
const maxEntries = 100_000

var errTooMany = fmt.Errorf("more than %d entries", maxEntries)

// searchAll reads every entry a subtree search finds, a page at a time,
// each page a step with its own Timeout. Any failure fails the whole
// search: a partial list of people would look like people gone.
func (s *session) searchAll(ctx context.Context, base, filter string, attrs []string) ([]*ldap.Entry, error) {
	paging := ldap.NewControlPaging(pageSize)
	req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		filter, attrs, []ldap.Control{paging})
	var all []*ldap.Entry
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.step()
		res, err := s.conn.Search(req)
		if err != nil {
			return nil, err
		}
		all = append(all, res.Entries...)
		if len(all) > maxEntries {
			return nil, errTooMany
		}
		next, _ := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if next == nil || len(next.Cookie) == 0 {
			return all, nil
		}
		paging.SetCookie(next.Cookie)
	}
}

// searchFew is a subtree (or base) search expected to find a handful of
// entries: at most limit, which the directory enforces.
func (s *session) searchFew(scope int, base, filter string, attrs []string, limit int) (*ldap.SearchResult, error) {
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, limit, 0, false, filter, attrs, nil)
	s.step()
	return s.conn.Search(req)
}
