package server

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/valyala/fasthttp"
)

// GET /ca.crt: the office CA's certificate, to install once per device.
func (s *Server) caCert(ctx *fasthttp.RequestCtx) {
	if s.caFile == "" {
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "This server does not use its own certificate authority.")
		return
	}
	data, err := os.ReadFile(s.caFile)
	if err != nil {
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "The certificate authority's file is missing.")
		return
	}
	ctx.SetContentType("application/x-x509-ca-cert")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="inhouse-office-ca.crt"`)
	ctx.SetBody(data)
}

// GET /trust: plain instructions for trusting the office CA.
func (s *Server) trustPage(ctx *fasthttp.RequestCtx) { s.serveAsset(ctx, "trust.html") }

// redirectListener lets plain HTTP arrive on the HTTPS port: a connection
// whose first byte is not a TLS handshake gets a redirect to https. Each
// connection is looked at in its own goroutine, so a silent client never
// holds up the others.
type redirectListener struct {
	net.Listener
	conns chan net.Conn
	errs  chan error
}

func newRedirectListener(ln net.Listener) *redirectListener {
	l := &redirectListener{Listener: ln, conns: make(chan net.Conn), errs: make(chan error, 1)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				l.errs <- err
				return
			}
			go l.sort(c)
		}
	}()
	return l
}

func (l *redirectListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		l.errs <- err // every later Accept fails the same way
		return nil, err
	}
}

func (l *redirectListener) sort(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	if err != nil {
		c.Close()
		return
	}
	if first[0] == 0x16 { // a TLS handshake record
		c.SetReadDeadline(time.Time{})
		select {
		case l.conns <- &peekedConn{Conn: c, r: br}:
		case err := <-l.errs:
			l.errs <- err
			c.Close()
		}
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 308 Permanent Redirect\r\nLocation: https://%s%s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", req.Host, req.URL.RequestURI())
	c.Write(b.Bytes())
}

// peekedConn is a connection whose first bytes sit in a bufio.Reader.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }
