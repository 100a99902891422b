package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/backup"
	"inhouse/server/chat"
	"inhouse/server/office"
	"inhouse/server/servertest"
)

// login posts a sign-in from this machine (127.0.0.1) and returns
// the status and Retry-After.
func login(base, name, password string) (int, string) {
	return loginFrom(http.DefaultClient, base, name, password)
}

// parallel runs n sign-ins at once and counts the answers by status.
func parallel(n int, try func(i int) (int, string)) map[int]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := map[int]int{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			st, _ := try(i)
			mu.Lock()
			got[st]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return got
}

// 24 sign-ins at once, for names that exist and names that do not: the
// password checks (19 MiB of argon2id each) run at most a slot per core,
// and every caller gets an answer.
func TestParallelSignInsAreBounded(t *testing.T) {
	ts := servertest.Start(t)
	for i := range 12 {
		ts.AddUser(fmt.Sprint("user", i), "member")
	}
	got := parallel(24, func(i int) (int, string) {
		if i%2 == 0 {
			return login(ts.URL, fmt.Sprint("user", i/2), "not the password at all")
		}
		return login(ts.URL, fmt.Sprint("nobody", i), "not the password at all")
	})
	peak, slots := server.PasswordChecks(ts.Server)
	if peak > int64(slots) || peak == 0 {
		t.Fatalf("%d password checks ran at once, the bound is %d", peak, slots)
	}
	// One address may fail 20 times: the other 4 are throttled (429).
	if got[http.StatusUnauthorized]+got[http.StatusServiceUnavailable] != 20 || got[http.StatusTooManyRequests] != 4 {
		t.Fatalf("answers %v: want 20 refused as wrong (401) or busy (503), 4 throttled", got)
	}
}

// 24 wrong passwords for one name at once: each attempt is counted before
// it is checked, so no more than the limit (5) are checked.
func TestParallelGuessesCountBeforeTheyAreChecked(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	got := parallel(24, func(int) (int, string) { return login(ts.URL, "ana", "a wrong guess, again") })
	if got[http.StatusUnauthorized] > 5 || got[http.StatusTooManyRequests] < 19 {
		t.Fatalf("answers %v: want at most 5 checked (401), the rest throttled (429)", got)
	}
	if st, retry := login(ts.URL, "ana", servertest.Password); st != http.StatusTooManyRequests || retry == "" {
		t.Fatalf("the right password after the guesses: %d (Retry-After %q)", st, retry)
	}
}

// readClose reads until the socket closes and returns how.
func readClose(t *testing.T, w *servertest.WS, within time.Duration) error {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, err := w.ReadErr(time.Until(deadline))
		if err != nil {
			return err
		}
	}
}

func TestLogoutEndsTheSessionsSockets(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	here, there := ts.Login("ana"), ts.Login("ana")
	ch := here.CreateChannel("desk", false)
	wHere, wThere := here.Dial(), there.Dial()
	if st := here.Do("POST", "/api/logout", nil, nil); st != 200 {
		t.Fatalf("logout: %d", st)
	}
	err := readClose(t, wHere, 3*time.Second)
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("the signed-out session's socket: %v, want closed (1008)", err)
	}
	// The other sign-in keeps its socket.
	send(wThere, "t1", ch.ID, "still here")
	if f := wThere.Next("ack"); f.Str("id") != "t1" {
		t.Fatalf("the other session's socket: %v", f)
	}
}

func TestPasswordChangeGuessingEndsTheSession(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	w := ana.Dial()
	for i := 1; i <= 3; i++ {
		var out struct{ Error string }
		st := ana.Do("POST", "/api/password", map[string]string{"old": fmt.Sprint("guess number ", i), "new": "a brand new passphrase"}, &out)
		want := http.StatusForbidden
		if i == 3 {
			want = http.StatusUnauthorized
		}
		if st != want {
			t.Fatalf("wrong current password %d: %d %v, want %d", i, st, out, want)
		}
	}
	if st := ana.Do("GET", "/api/me", nil, nil); st != http.StatusUnauthorized {
		t.Fatalf("the session after three wrong passwords: %d, want ended (401)", st)
	}
	if err := readClose(t, w, 3*time.Second); err == nil {
		t.Fatal("the socket stayed open")
	}
	// Her password is what it was (this computer now waits a moment: it
	// typed three wrong ones; another signs in at once).
	if st, _ := loginFrom(from("127.0.0.4"), ts.URL, "ana", servertest.Password); st != 200 {
		t.Fatalf("sign-in with her password: %d", st)
	}
}

func TestOneTimePasswordOpensOnlyThePasswordForm(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	if _, err := ts.Store().UpdateUser("ana", func(u *archive.User) error { u.MustChange = true; return nil }); err != nil {
		t.Fatal(err)
	}
	ana := ts.NewClient()
	if st := ana.Do("POST", "/api/login", map[string]string{"username": "ana", "password": servertest.Password}, nil); st != 200 {
		t.Fatalf("login: %d", st)
	}
	var me struct {
		CSRF string
		User struct {
			MustChange bool `json:"must_change"`
		}
	}
	ana.Do("GET", "/api/me", nil, &me)
	ana.CSRF = me.CSRF
	for _, path := range []string{"/api/channels", "/api/search?q=hello"} {
		var out struct{ Error string }
		if st := ana.Do("GET", path, nil, &out); st != http.StatusForbidden || out.Error != "password_change_required" {
			t.Fatalf("GET %s before choosing a password: %d %v", path, st, out)
		}
	}
	if _, err := ana.DialErr(ana.URL); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("a socket before choosing a password: %v", err)
	}
	if st := ana.Do("POST", "/api/password", map[string]string{"old": servertest.Password, "new": "a brand new passphrase"}, nil); st != 200 {
		t.Fatalf("choose a password: %d", st)
	}
	if st := ana.Do("GET", "/api/channels", nil, nil); st != 200 {
		t.Fatalf("after choosing a password: %d", st)
	}
}

// The data folder and what is in it are the owner's only, and a folder
// others could read is made private when it is opened.
func TestDataFolderIsPrivate(t *testing.T) {
	bin := binary(t)
	dir := filepath.Join(t.TempDir(), "data")
	if out, code := runCLI(t, bin, servertest.Password+"\n", "user", "add", "ana", "--data", dir); code != 0 {
		t.Fatalf("user add: %s", out)
	}
	check := func(when string) {
		t.Helper()
		for name, want := range map[string]os.FileMode{"": 0o700, "inhouse.db": 0o600, "archive.key": 0o600, "archive.seal": 0o600} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if fi.Mode().Perm() != want {
				t.Fatalf("%s: %q is %o, want %o", when, name, fi.Mode().Perm(), want)
			}
		}
	}
	check("a new folder")
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, "inhouse.db"), 0o644)
	os.Chmod(filepath.Join(dir, "archive.key"), 0o644)
	if out, code := runCLI(t, bin, "", "user", "list", "--data", dir); code != 0 {
		t.Fatalf("user list: %s", out)
	}
	check("a folder others could read, opened again")
}

// A request with both Content-Length and Transfer-Encoding gets one
// answer, 400, and its connection is closed: what follows it is never
// read as a second request.
func TestAmbiguousBodyLengthIsRefused(t *testing.T) {
	ts := servertest.Start(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprint(conn, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+
		"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	all, _ := io.ReadAll(bufio.NewReader(conn)) // ends when the server closes
	if n := bytes.Count(all, []byte("HTTP/1.1 ")); n != 1 || !bytes.HasPrefix(all, []byte("HTTP/1.1 400")) {
		t.Fatalf("%d answers on one connection:\n%s", n, all)
	}
}

// The office manager cannot add themselves to a private channel: its past
// is an auditor's to read, in the read log. Adding someone else stays
// possible (the members see it in the channel).
func TestManagerCannotAddThemselvesToAPrivateChannel(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("boss", "admin")
	ts.AddUser("ana", "member")
	ts.AddUser("ben", "member")
	ts.AddUser("cleo", "member")
	ch := ts.Login("ana").CreateChannel("salaries", true, "ben")
	boss := ts.Login("boss")
	var out struct{ Message string }
	if st := boss.Do("POST", "/api/admin/channels/"+ch.ID+"/members", map[string]any{"add": []string{"boss"}}, &out); st != http.StatusBadRequest || !strings.Contains(out.Message, "auditor") {
		t.Fatalf("the manager adding themselves: %d %q", st, out.Message)
	}
	if st := boss.Do("POST", "/api/admin/channels/"+ch.ID+"/members", map[string]any{"add": []string{"cleo"}}, nil); st != 200 {
		t.Fatalf("the manager adding someone else: %d", st)
	}
	if c, _ := ts.Store().Channel(ch.ID); c.Has("boss") || !c.Has("cleo") {
		t.Fatalf("members now %v", c.Members)
	}
}

// A person's send limit holds across reconnecting: going offline and
// coming back does not refill it.
func TestSendLimitSurvivesReconnecting(t *testing.T) {
	ts := servertest.Start(t, func(c *server.Config) {
		c.Limits = chat.DefaultLimits
		c.Limits.SendRate, c.Limits.SendBurst = 0.01, 5
	})
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("flood", false)
	w := ana.Dial()
	for i := range 5 {
		send(w, fmt.Sprint("a", i), ch.ID, "one of five")
		w.Next("ack")
	}
	send(w, "a5", ch.ID, "the sixth")
	if f := w.Next("error"); f.Str("code") != "rate_limited" {
		t.Fatalf("the sixth message: %v", f)
	}
	w.Conn.Close()
	// Offline: the hub forgets her connection and presence.
	servertest.WaitFor(t, "her to go offline", 5*time.Second, func() bool { return ts.Hub().Online() == 0 })
	w = ana.Dial()
	send(w, "a6", ch.ID, "after reconnecting")
	if f := w.Next("error"); f.Str("code") != "rate_limited" {
		t.Fatalf("after reconnecting: %v, want still rate_limited", f)
	}
}

// The networks the office chose in the console hold from the moment the
// server opens, with or without the console mounted.
func TestStoredAllowedNetworksHoldWithoutTheConsole(t *testing.T) {
	dir := t.TempDir()
	st, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	set := st.Settings()
	set.Allow = []string{"192.168.7.0/24"}
	if err := st.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ts := servertest.StartIn(t, dir) // no console
	for ip, want := range map[string]bool{"192.168.7.20": true, "192.168.8.20": false, "10.0.0.1": false, "127.0.0.1": true} {
		if got := ts.Allowed(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s allowed: %v, want %v", ip, got, want)
		}
	}
}

// Stopping the server waits for a backup in progress through the control
// socket: the command line gets it whole, Shutdown returns only after it,
// and no background goroutine outlives Shutdown.
func TestShutdownLeavesNoBackgroundGoroutine(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	st := ts.Store()
	c, err := st.CreateGroupChannel(archive.NewChannel{Name: "big", Creator: "ana", Members: []string{"ana"}})
	if err != nil {
		t.Fatal(err)
	}
	// Several megabytes, more than a socket's buffer holds: the backup is
	// still being written while the command line reads slowly.
	var wg sync.WaitGroup
	text := strings.Repeat("0123456789abcdef", 256)
	for i := range 2000 {
		wg.Add(1)
		st.Append(archive.Post{Channel: c.ID, From: "ana", ClientID: fmt.Sprint(i), Text: text}, func(archive.Message, bool, error) { wg.Done() })
	}
	wg.Wait()

	conn, err := server.RequestBackup(ts.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	if _, err := r.Peek(1); err != nil { // the backup has begun
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- ts.Shutdown() }()
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned (%v) while a backup was still being sent", err)
	case <-time.After(500 * time.Millisecond):
	}
	path := filepath.Join(t.TempDir(), "during-shutdown.backup")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, r); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := <-stopped; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := backup.Check(path); err != nil {
		t.Fatalf("the backup sent while stopping is not whole: %v", err)
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, f := range []string{"(*Server).runJobs", "(*Server).serveControl", "(*Server).control1"} {
		if strings.Contains(stacks, "inhouse/server."+f) {
			t.Fatalf("%s still runs after Shutdown:\n%s", f, stacks)
		}
	}
}

// from returns an HTTP client whose connections come from addr (another
// loopback address: another computer, as the server sees it).
func from(addr string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 10 * time.Second}
}

func loginFrom(c *http.Client, base, name, password string) (status int, retryAfter string) {
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, name, password)
	res, err := c.Post(base+"/api/login", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After")
}

// Nobody can lock a colleague out: a stranger's wrong guesses slow the
// stranger's computer, while the person signs in from their own at once.
// A new password, or the manager's Unlock, lifts the stranger's waits.
func TestAStrangerCannotLockAColleagueOut(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ts.AddUser("boss", "admin")
	stranger, desk := from("127.0.0.2"), from("127.0.0.3")
	var refused int
	for i := range 10 {
		if st, _ := loginFrom(stranger, ts.URL, "ana", fmt.Sprint("guess number ", i)); st == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("ten wrong guesses from one computer were never slowed")
	}
	if st, _ := loginFrom(desk, ts.URL, "ana", servertest.Password); st != 200 {
		t.Fatalf("Ana at her own desk after the stranger's guesses: %d, want 200", st)
	}
	if st, _ := loginFrom(stranger, ts.URL, "ana", servertest.Password); st != http.StatusTooManyRequests {
		t.Fatalf("the stranger's computer, even with the right password: %d, want 429", st)
	}
	recent, slowed := ts.FailedSignIns("ana")
	if len(recent) < 3 || recent[0].Addr != "127.0.0.2" || slowed["127.0.0.2"] <= 0 {
		t.Fatalf("what the console would show: %v %v", recent, slowed)
	}
	// The manager lifts the waits.
	boss := ts.Login("boss")
	if st := boss.Do("POST", "/api/admin/users/ana/unlock", nil, nil); st != 200 {
		t.Fatalf("unlock: %d", st)
	}
	if st, _ := loginFrom(stranger, ts.URL, "ana", servertest.Password); st != 200 {
		t.Fatalf("after the manager's unlock: %d", st)
	}
	// A new password lifts them too.
	for i := range 6 {
		loginFrom(stranger, ts.URL, "ana", fmt.Sprint("again ", i))
	}
	if _, err := ts.Office().SetPassword(office.Actor{Name: "boss", Via: office.ViaConsole}, "ana", "a new passphrase for ana", true); err != nil {
		t.Fatal(err)
	}
	if st, _ := loginFrom(stranger, ts.URL, "ana", "a new passphrase for ana"); st != 200 {
		t.Fatalf("after a reset: %d", st)
	}
}

// A body over the bound is answered 413 before it is read, and the client
// reads that answer while it is still sending (not a reset connection),
// for any address: a 3 MiB "channel", a 9 MB "picture".
func TestOversizedBodiesGetTheirAnswer(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	for _, c := range []struct {
		method, path string
		size         int
	}{{"POST", "/api/channels", 3 << 20}, {"PUT", "/api/me/picture", 9 << 20}} {
		for i := 0; i < 5; i++ {
			req, _ := http.NewRequest(c.method, ts.URL+c.path, bytes.NewReader(make([]byte, c.size)))
			req.Header.Set("X-CSRF-Token", ana.CSRF)
			req.Header.Set("Content-Type", "application/json")
			res, err := ana.HTTP.Do(req)
			if err != nil {
				t.Fatalf("%s %s of %d bytes: %v", c.method, c.path, c.size, err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "too_large") {
				t.Fatalf("%s %s of %d bytes: %d %s", c.method, c.path, c.size, res.StatusCode, body)
			}
		}
	}
}
