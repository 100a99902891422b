package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/servertest"
)

func TestAutoTLS(t *testing.T) {
	ts := servertest.Start(t, func(c *server.Config) { c.TLS = "auto" })
	addr := strings.TrimPrefix(ts.URL, "http://")
	pemData, err := os.ReadFile(filepath.Join(ts.Dir, "tls", "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	res, err := cl.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("https with the office CA trusted: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age") {
		t.Fatalf("https: %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	leaf := res.TLS.PeerCertificates[0]
	if _, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Fatalf("server key is %T, want ECDSA", leaf.PublicKey)
	}

	// Plain HTTP on the same port is sent to HTTPS.
	res, err = cl.Get("http://" + addr + "/some/page?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 308 || res.Header.Get("Location") != "https://"+addr+"/some/page?x=1" {
		t.Fatalf("plain http: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	// The CA certificate is downloadable, with a page that explains it.
	res, err = cl.Get("https://" + addr + "/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if block, _ := pem.Decode(body); block == nil || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("/ca.crt: %q", body)
	}
	res, _ = cl.Get("https://" + addr + "/trust")
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	for _, os := range []string{"Windows", "macOS", "Linux", "Android", "iPhone"} {
		if !strings.Contains(string(body), os) {
			t.Fatalf("/trust says nothing about %s", os)
		}
	}

	// The session cookie is Secure under TLS.
	ts.AddUser("ana", "member")
	req, _ := http.NewRequest("POST", "https://"+addr+"/api/login", strings.NewReader(`{"username":"ana","password":"`+servertest.Password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err = cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !strings.Contains(strings.ToLower(res.Header.Get("Set-Cookie")), "; secure") {
		t.Fatalf("cookie under TLS: %q", res.Header.Get("Set-Cookie"))
	}

	// A WebSocket over TLS carries a message there and back (the upgrade
	// reads the TLS connection itself), and a file goes up over TLS.
	cookie := strings.SplitN(res.Header.Get("Set-Cookie"), ";", 2)[0]
	ch, err := ts.Store().CreateGroupChannel(archive.NewChannel{Name: "tls", Private: true, Creator: "ana", Members: []string{"ana"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Store().AcceptPolicy("ana", ts.Store().Policy().Version); err != nil {
		t.Fatal(err)
	}
	d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}}
	conn, _, err := d.Dial("wss://"+addr+"/ws", http.Header{"Cookie": {cookie}, "Origin": {"https://" + addr}})
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	defer conn.Close()
	conn.WriteJSON(map[string]any{"type": "send", "id": "t1", "channel": ch.ID, "text": "over TLS"})
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var f map[string]any
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatalf("wss read: %v", err)
		}
		if f["type"] == "ack" {
			break
		}
	}
	up, _ := http.NewRequest("POST", "https://"+addr+"/api/files?channel="+ch.ID+"&name=note.txt", strings.NewReader("a note sent over TLS\n"))
	up.Header.Set("Cookie", cookie)
	res, err = cl.Do(up)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("an upload over TLS: %v %v", res, err)
	}
	res.Body.Close()
}

// writeCert writes a self-signed certificate for 127.0.0.1 named cn.
func writeCert(t *testing.T, certPath, keyPath, cn string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}

func TestGivenCertificateIsReloaded(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	writeCert(t, cert, key, "first")
	ts := servertest.Start(t, func(c *server.Config) { c.TLS = cert + "," + key })
	addr := strings.TrimPrefix(ts.URL, "http://")
	name := func() string {
		c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if n := name(); n != "first" {
		t.Fatalf("serving %q", n)
	}
	writeCert(t, cert, key, "second")
	if err := ts.ReloadCertificates(); err != nil { // what SIGHUP does
		t.Fatal(err)
	}
	if n := name(); n != "second" {
		t.Fatalf("after reload serving %q", n)
	}
	os.WriteFile(cert, []byte("garbage"), 0o600)
	if err := ts.ReloadCertificates(); err == nil {
		t.Fatal("a broken certificate file was accepted")
	}
	if n := name(); n != "second" {
		t.Fatalf("a failed reload dropped the good certificate: %q", n)
	}
}
