package server_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"inhouse/server/servertest"
)

// binDir holds the binary the tests build; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary compiles inhouse once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "inhouse-bin")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "inhouse")
	out, err := exec.Command("go", "build", "-o", bin, "inhouse").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the inhouse binary: make test runs it, make unit does not")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startBinary runs `inhouse serve` and waits until /healthz answers.
func startBinary(t *testing.T, bin, dir, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", dir, "--tls", "off")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	up := servertest.Eventually(10*time.Second, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	if !up {
		t.Fatalf("server did not answer /healthz within 10 s: %s", logs.String())
	}
	return cmd
}

func runCLI(t *testing.T, bin, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestKill9LosesNoAcknowledgedMessage sends bursts from several people,
// kills the server with SIGKILL in the middle, restarts it and checks that
// every acknowledged message is there, once, at its acknowledged seq.
func TestKill9LosesNoAcknowledgedMessage(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	senders := []string{"ana", "ben", "cleo", "dan"}
	for _, n := range senders {
		if out, code := runCLI(t, bin, servertest.Password+"\n", "user", "add", n, "--data", dir); code != 0 {
			t.Fatalf("user add %s: %d %s", n, code, out)
		}
	}
	addr := freeAddr(t)
	srv := startBinary(t, bin, dir, addr)

	// The folder is held: the CLI says so and exits 1.
	if out, code := runCLI(t, bin, servertest.Password+"\n", "user", "add", "eve", "--data", dir); code != 1 || !strings.Contains(out, "in use") {
		t.Fatalf("user add while serving: %d %q", code, out)
	}

	remote := servertest.Remote(t, "http://"+addr)
	clients := map[string]*servertest.Client{}
	for _, n := range senders {
		clients[n] = remote.Login(n)
	}
	ch := clients["ana"].CreateChannel("burst", false, senders...)

	type acked struct {
		id  string
		seq uint64
	}
	var mu sync.Mutex
	var acks []acked
	var wg sync.WaitGroup
	for _, n := range senders {
		ws := clients[n].Dial()
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 150; i++ {
				if err := ws.Conn.WriteJSON(map[string]any{"type": "send", "id": fmt.Sprintf("%s-%d", n, i), "channel": ch.ID, "text": "burst"}); err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for {
				f, err := ws.ReadErr(10 * time.Second)
				if err != nil {
					return
				}
				if f.Str("type") == "ack" {
					mu.Lock()
					acks = append(acks, acked{f.Str("id"), f.Num("seq")})
					mu.Unlock()
				}
			}
		}()
	}
	// Kill once some, but not all, sends are acknowledged.
	servertest.WaitFor(t, "100 acknowledgements before the kill", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acks) >= 100
	})
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()
	wg.Wait()
	if len(acks) >= 600 {
		t.Logf("all 600 sends were acknowledged before the kill landed")
	}

	startBinary(t, bin, dir, addr)
	ana := remote.Login("ana")
	ws := ana.Dial()
	stored := syncAll(t, ws, ch.ID)
	for _, a := range acks {
		seq, ok := stored[a.id]
		if !ok {
			t.Fatalf("acknowledged message %s (seq %d) was lost", a.id, a.seq)
		}
		if seq != a.seq {
			t.Fatalf("acknowledged message %s moved from seq %d to %d", a.id, a.seq, seq)
		}
	}
	t.Logf("%d acknowledged before the kill, %d stored after restart", len(acks), len(stored))

	// A resend of an acknowledged id after the restart is not stored again.
	for _, a := range acks {
		if !strings.HasPrefix(a.id, "ana-") {
			continue
		}
		ws.Send(map[string]any{"type": "send", "id": a.id, "channel": ch.ID, "text": "burst"})
		if f := ws.Next("ack"); f.Num("seq") != a.seq {
			t.Fatalf("resend of %s after restart acked with seq %d, want %d", a.id, f.Num("seq"), a.seq)
		}
		break
	}
}

// TestKill9Loop kills the server 20 times during a steady stream of sends:
// the database opens every time and no acknowledged message is lost.
func TestKill9Loop(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	senders := []string{"ana", "ben", "cleo"}
	for _, n := range senders {
		if out, code := runCLI(t, bin, servertest.Password+"\n", "user", "add", n, "--data", dir); code != 0 {
			t.Fatalf("user add: %s", out)
		}
	}
	addr := freeAddr(t)
	srv := startBinary(t, bin, dir, addr)
	remote := servertest.Remote(t, "http://"+addr)
	clients := map[string]*servertest.Client{}
	for _, n := range senders {
		clients[n] = remote.Login(n) // sessions are stored: they outlive every restart
	}
	ch := clients["ana"].CreateChannel("stream", false, senders...)
	acked := map[string]uint64{}
	for round := 0; round < 20; round++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, n := range senders {
			ws := clients[n].Dial()
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := 0; i < 30; i++ {
					id := fmt.Sprintf("%s-%d-%d", n, round, i)
					if ws.Conn.WriteJSON(map[string]any{"type": "send", "id": id, "channel": ch.ID, "text": "steady"}) != nil {
						return
					}
					time.Sleep(time.Millisecond) // a steady stream, not one burst: the kill lands between sends
				}
			}()
			go func() {
				defer wg.Done()
				for {
					f, err := ws.ReadErr(5 * time.Second)
					if err != nil {
						return
					}
					if f.Str("type") == "ack" {
						mu.Lock()
						acked[f.Str("id")] = f.Num("seq")
						mu.Unlock()
					}
				}
			}()
		}
		// The moment of the kill is what varies from round to round: a
		// sleep on purpose, 5 ms to 62 ms into the stream.
		time.Sleep(time.Duration(5+round*3) * time.Millisecond)
		srv.Process.Signal(syscall.SIGKILL)
		srv.Wait()
		wg.Wait()
		srv = startBinary(t, bin, dir, addr)
	}
	stored := syncAll(t, clients["ana"].Dial(), ch.ID)
	for id, seq := range acked {
		if stored[id] != seq {
			t.Fatalf("acknowledged %s (seq %d) is stored at %d after 20 kills", id, seq, stored[id])
		}
	}
	t.Logf("20 kills: %d acknowledged, %d stored, all acknowledged present", len(acked), len(stored))
}

// syncAll syncs channel from the start and returns client id -> seq of
// every stored message, failing on a gap or a repeated id.
func syncAll(t *testing.T, ws *servertest.WS, channel string) map[string]uint64 {
	t.Helper()
	ws.Send(map[string]any{"type": "sync", "channels": map[string]int{channel: 0}})
	stored := map[string]uint64{}
	var next uint64 = 1
	for {
		f := ws.Read()
		if f.Str("type") == "synced" {
			return stored
		}
		if f.Str("type") != "message" {
			continue
		}
		if f.Num("seq") != next {
			t.Fatalf("seq %d follows %d: a gap", f.Num("seq"), next-1)
		}
		next++
		if _, dup := stored[f.Str("id")]; dup {
			t.Fatalf("id %s stored twice", f.Str("id"))
		}
		stored[f.Str("id")] = f.Num("seq")
	}
}
