package server_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"inhouse/server/servertest"
)

// netnsChild names, in the environment of the re-run test, the inhouse
// binary it is to serve with.
const netnsChild = "INHOUSE_NETNS_CHILD"

// TestServeWithoutANetwork runs `inhouse serve` where nothing but loopback
// exists (a new network namespace, as `unshare -rn`) and uses it as an
// office does: sign-in, chat, the console, a backup and its restore. A
// server that needed the Internet for any of it (an update check, a time
// server, a name lookup) would fail here instead of leaking.
func TestServeWithoutANetwork(t *testing.T) {
	if bin := os.Getenv(netnsChild); bin != "" {
		serveWithoutANetwork(t, bin)
		return
	}
	bin := binary(t)
	unshare, err1 := exec.LookPath("unshare")
	_, err2 := exec.LookPath("ip")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("unshare (util-linux) and ip (iproute2) are needed: .ci/run installs them")
		}
		t.Skip("unshare or ip is not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary runs this test again inside the namespace, where the
	// server and its clients both live.
	cmd := exec.Command(unshare, "-rn", "sh", "-c", `ip link set lo up && exec "$@"`, "sh",
		self, "-test.run=^TestServeWithoutANetwork$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), netnsChild+"="+bin)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestServeWithoutANetwork") {
		if strings.Contains(string(out), "unshare failed") && os.Getenv("CI") == "" {
			t.Skipf("this machine does not allow new namespaces: %s", out)
		}
		t.Fatalf("inside a loopback-only namespace: %v\n%s", err, out)
	}
}

func serveWithoutANetwork(t *testing.T, bin string) {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) != 1 || ifs[0].Flags&net.FlagLoopback == 0 {
		t.Fatalf("not a loopback-only namespace: %v", ifs)
	}
	dir := t.TempDir()
	for _, u := range [][]string{{"boss", "admin"}, {"ana", "member"}} {
		if out, code := runCLI(t, bin, servertest.Password+"\n", "user", "add", u[0], "--role", u[1], "--data", dir); code != 0 {
			t.Fatalf("user add %s: %s", u[0], out)
		}
	}
	addr := freeAddr(t)
	srv := startBinary(t, bin, dir, addr)
	office := servertest.Remote(t, "http://"+addr)

	ana := office.Login("ana")
	ch := ana.CreateChannel("offline", false)
	w := ana.Dial()
	for i := 1; i <= 5; i++ {
		send(w, fmt.Sprint(i), ch.ID, fmt.Sprintf("no Internet here %d", i))
		if f := w.Next("ack"); f.Num("seq") != uint64(i) {
			t.Fatalf("ack %d: %v", i, f)
		}
	}
	boss := office.Login("boss")
	for _, path := range []string{"/admin", "/admin/people", "/admin/channels", "/admin/backups", "/admin/reach", "/admin/firewall", "/api/me"} {
		if st := boss.Do("GET", path, nil, nil); st != 200 {
			t.Fatalf("GET %s: %d", path, st)
		}
	}

	file := filepath.Join(t.TempDir(), "office.backup")
	out, code := runCLI(t, bin, "", "backup", file, "--data", dir)
	if code != 0 {
		t.Fatalf("backup: %s", out)
	}
	key := backupKey(t, out)
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	logs := fmt.Sprint(srv.Stdout)
	for _, bad := range []string{"lookup ", "dial tcp", "dial udp", "network is unreachable"} {
		if strings.Contains(logs, bad) {
			t.Fatalf("the server tried to reach the network (%q):\n%s", bad, logs)
		}
	}
	target := filepath.Join(t.TempDir(), "restored")
	if out, code := runCLI(t, bin, "", "restore", file, "--data", target, "--trust", key); code != 0 || !strings.Contains(out, "archive verified") {
		t.Fatalf("restore: %d %s", code, out)
	}
	if out, _ := runCLI(t, bin, "", "archive", "export", "--data", target); strings.Count(out, "no Internet here") != 5 {
		t.Fatalf("the restored archive lacks messages:\n%s", out)
	}
}
