package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"inhouse/server"
	"inhouse/server/servertest"
)

func post(t *testing.T, url, body string, headers map[string]string) (*http.Response, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]string
	data, _ := io.ReadAll(res.Body)
	json.Unmarshal(data, &out)
	return res, out
}

func TestLoginLogoutAndSessions(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	res, out := post(t, ts.URL+"/api/login", `{"username":"ana","password":"wrong password here"}`, nil)
	if res.StatusCode != 401 || out["error"] != "bad_credentials" {
		t.Fatalf("wrong password: %d %v", res.StatusCode, out)
	}
	res, _ = post(t, ts.URL+"/api/login", `{"username":"ana","password":"`+servertest.Password+`"}`, nil)
	if res.StatusCode != 200 {
		t.Fatalf("login: %d", res.StatusCode)
	}
	ck := res.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "inhouse_session="} {
		if !strings.Contains(ck, want) {
			t.Fatalf("cookie %q lacks %s", ck, want)
		}
	}
	// The token is stored hashed: the raw value is nowhere in the database.
	tok := strings.TrimPrefix(strings.Split(ck, ";")[0], "inhouse_session=")
	ana := ts.Login("ana")
	if st := ana.Do("GET", "/api/me", nil, nil); st != 200 {
		t.Fatalf("me: %d", st)
	}
	if st := ana.Do("POST", "/api/logout", nil, nil); st != 200 {
		t.Fatalf("logout: %d", st)
	}
	if st := ana.Do("GET", "/api/me", nil, nil); st != 401 {
		t.Fatalf("me after logout: %d", st)
	}
	ts.Shutdown()
	db := readFile(t, ts.Dir+"/inhouse.db")
	if bytes.Contains(db, []byte(tok)) {
		t.Fatal("a session token is stored in the clear")
	}
	if bytes.Contains(db, []byte(servertest.Password)) {
		t.Fatal("a password is stored in the clear")
	}
}

func TestLoginIsThrottled(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	var last *http.Response
	for i := 0; i < 4; i++ {
		last, _ = post(t, ts.URL+"/api/login", `{"username":"ana","password":"guess number `+string(rune('a'+i))+`"}`, nil)
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth wrong guess in a row: %d, Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
	// Even the right password waits now, from this computer.
	res, _ := post(t, ts.URL+"/api/login", `{"username":"ana","password":"`+servertest.Password+`"}`, nil)
	if res.StatusCode != 429 {
		t.Fatalf("right password while throttled: %d", res.StatusCode)
	}
}

func TestDisablingEndsSessionsAndSocketsAtOnce(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("boss", "admin")
	ts.AddUser("ana", "member")
	boss, ana := ts.Login("boss"), ts.Login("ana")
	w := ana.Dial()
	if st := boss.Do("POST", "/api/admin/users/ana/disable", nil, nil); st != 200 {
		t.Fatalf("disable: %d", st)
	}
	for {
		_, err := w.ReadErr(3 * time.Second)
		if err != nil {
			if !strings.Contains(err.Error(), "1008") {
				t.Fatalf("socket closed with %v, want 1008", err)
			}
			break
		}
	}
	if st := ana.Do("GET", "/api/me", nil, nil); st != 401 {
		t.Fatalf("disabled person's session still works: %d", st)
	}
	// With her password she learns why; a stranger guessing learns nothing.
	res, out := post(t, ts.URL+"/api/login", `{"username":"ana","password":"`+servertest.Password+`"}`, nil)
	if res.StatusCode != 403 || out["error"] != "disabled" || !strings.Contains(out["message"], "Ask your office manager") {
		t.Fatalf("disabled person signs in: %d %v", res.StatusCode, out)
	}
	res, out = post(t, ts.URL+"/api/login", `{"username":"ana","password":"not her password at all"}`, nil)
	if res.StatusCode != 401 || out["error"] != "bad_credentials" {
		t.Fatalf("a wrong password for a disabled account: %d %v", res.StatusCode, out)
	}
	if st := ana.Do("POST", "/api/admin/users/boss/disable", nil, nil); st != 401 {
		t.Fatalf("signed-out person calls admin API: %d", st)
	}
}

func TestAdminAPIChecksRole(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("boss", "admin")
	ts.AddUser("ana", "member")
	boss, ana := ts.Login("boss"), ts.Login("ana")
	body := map[string]string{"name": "ben", "display": "Ben", "role": "member", "password": servertest.Password}
	if st := ana.Do("POST", "/api/admin/users", body, nil); st != 403 {
		t.Fatalf("member adds a person: %d", st)
	}
	if st := boss.Do("POST", "/api/admin/users", body, nil); st != 200 {
		t.Fatalf("admin adds a person: %d", st)
	}
	if st := boss.Do("POST", "/api/admin/users", body, nil); st != 409 {
		t.Fatalf("adding twice: %d", st)
	}
	weak := map[string]string{"name": "cleo", "password": "short"}
	var out map[string]string
	if st := boss.Do("POST", "/api/admin/users", weak, &out); st != 400 || !strings.Contains(out["message"], "12") {
		t.Fatalf("weak password: %d %v", st, out)
	}
	ben := ts.Login("ben")
	ch := boss.CreateChannel("team", true)
	if st := boss.Do("POST", "/api/admin/channels/"+ch.ID+"/members", map[string][]string{"add": {"ben"}}, nil); st != 200 {
		t.Fatalf("add member: %d", st)
	}
	if cs := ben.Channels(); len(cs) != 1 || cs[0].ID != ch.ID {
		t.Fatalf("ben's channels: %v", cs)
	}
	if st := ana.Do("POST", "/api/admin/channels/"+ch.ID+"/members", map[string][]string{"add": {"ana"}}, nil); st != 403 {
		t.Fatalf("member adds herself: %d", st)
	}
}

func TestCrossOriginRequestsChangeNothing(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	evil := map[string]string{"Cookie": ana.Cookie(), "Origin": "http://evil.example"}
	res, out := post(t, ts.URL+"/api/channels", `{"name":"pwned"}`, evil)
	if res.StatusCode != 403 || out["error"] != "csrf" {
		t.Fatalf("cross-origin POST: %d %v", res.StatusCode, out)
	}
	site := map[string]string{"Cookie": ana.Cookie(), "Sec-Fetch-Site": "cross-site"}
	if res, _ = post(t, ts.URL+"/api/channels", `{"name":"pwned"}`, site); res.StatusCode != 403 {
		t.Fatalf("cross-site POST: %d", res.StatusCode)
	}
	bad := map[string]string{"Cookie": ana.Cookie(), "X-CSRF-Token": "not-the-token"}
	if res, _ = post(t, ts.URL+"/api/channels", `{"name":"pwned"}`, bad); res.StatusCode != 403 {
		t.Fatalf("wrong token: %d", res.StatusCode)
	}
	if len(ana.Channels()) != 0 {
		t.Fatal("a forged request made a channel")
	}
	// A form post (no JSON) is refused too.
	req, _ := http.NewRequest("POST", ts.URL+"/api/channels", strings.NewReader("name=pwned"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", ana.Cookie())
	r, _ := http.DefaultClient.Do(req)
	if r.StatusCode != 415 {
		t.Fatalf("form post: %d", r.StatusCode)
	}
	// Cross-origin WebSocket.
	if _, err := ana.DialErr("http://evil.example"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("cross-origin websocket: %v", err)
	}
	signedOut := ts.NewClient()
	if _, err := signedOut.DialErr(ts.URL); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("websocket without session: %v", err)
	}
}

func TestOnlyAllowedNetworksAreServed(t *testing.T) {
	ts := servertest.Start(t, func(c *server.Config) {
		c.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}
	})
	res, err := http.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("request from 127.0.0.1 outside --allow: %d", res.StatusCode)
	}
	// From 127.0.0.2 it is served.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	cl := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	res, err = cl.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Fatalf("from 127.0.0.2: %d %q", res.StatusCode, body)
	}
}

func TestSecurityHeadersAndStaticPaths(t *testing.T) {
	ts := servertest.Start(t)
	res, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("no nosniff")
	}
	for _, p := range []string{"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets.go", "/..%2fgo.mod"} {
		res, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if bytes.Contains(body, []byte("root:")) || bytes.Contains(body, []byte("package assets")) || bytes.Contains(body, []byte("module inhouse")) {
			t.Fatalf("%s served a file outside the web client", p)
		}
	}
}

func TestSetupLinkCreatesFirstAdmin(t *testing.T) {
	ts := servertest.Start(t)
	link := ts.SetupURL()
	if link == "" {
		t.Fatal("no setup link without an admin")
	}
	token := link[strings.Index(link, "token=")+6:]
	res, _ := post(t, ts.URL+"/api/setup", `{"token":"wrong","name":"boss","password":"`+servertest.Password+`"}`, nil)
	if res.StatusCode != 403 {
		t.Fatalf("wrong token: %d", res.StatusCode)
	}
	res, _ = post(t, ts.URL+"/api/setup", `{"token":"`+token+`","name":"boss","display":"The Boss","password":"`+servertest.Password+`"}`, nil)
	if res.StatusCode != 200 {
		t.Fatalf("setup: %d", res.StatusCode)
	}
	u, err := ts.Store().User("boss")
	if err != nil || u.Role != "admin" {
		t.Fatalf("boss = %+v, %v", u, err)
	}
	if ts.SetupURL() != "" {
		t.Fatal("the setup link still works after use")
	}
	res, _ = post(t, ts.URL+"/api/setup", `{"token":"`+token+`","name":"boss2","password":"`+servertest.Password+`"}`, nil)
	if res.StatusCode != 403 {
		t.Fatalf("second use: %d", res.StatusCode)
	}
}

func TestOneProcessOwnsTheDataFolder(t *testing.T) {
	ts := servertest.Start(t)
	_, err := server.Open(server.Config{Addr: "127.0.0.1:0", DataDir: ts.Dir, TLS: "off"})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v", err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestConsoleCanBeNarrowedToOneAddress(t *testing.T) {
	ts := servertest.Start(t, func(c *server.Config) {
		c.AdminAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}
	})
	ts.AddUser("boss", "admin")
	boss := ts.Login("boss") // the chat itself is served from 127.0.0.1
	if st := boss.Do("POST", "/api/admin/users", map[string]string{"name": "x", "password": servertest.Password}, nil); st != 403 {
		t.Fatalf("admin API from outside the console list: %d", st)
	}
	res, err := http.Get(ts.URL + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("console from outside the console list: %d", res.StatusCode)
	}
	var office map[string]string
	if st := ts.NewClient().Do("GET", "/api/office", nil, &office); st != 200 || office["office"] == "" {
		t.Fatalf("office name before sign-in: %d %v", st, office)
	}
}

// TestMetricsParseAsPrometheusText checks every line of /metrics against the
// text format: comments, or NAME{labels} VALUE.
func TestMetricsParseAsPrometheusText(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("m", false)
	w := ana.Dial()
	send(w, "1", ch.ID, "count me")
	w.Next("ack")
	res, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	line := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(, ?)?)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$`)
	seen := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if !line.MatchString(l) {
			t.Fatalf("not Prometheus text: %q", l)
		}
		name, val, _ := strings.Cut(l, " ")
		seen[name] = val
	}
	for _, name := range []string{"inhouse_connections", "inhouse_messages_total", "inhouse_commit_batches_total", "inhouse_disk_sync_seconds_total", "inhouse_database_bytes", "inhouse_login_failures_total", "process_resident_memory_bytes"} {
		if _, ok := seen[name]; !ok {
			t.Fatalf("metric %s missing", name)
		}
	}
	if seen["inhouse_messages_total"] != "1" || seen["inhouse_connections"] != "1" {
		t.Fatalf("messages %s, connections %s", seen["inhouse_messages_total"], seen["inhouse_connections"])
	}
}
