//go:build linux

package server_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"inhouse/server/servertest"
)

// diskChild marks the re-run of TestFilesCannotFillTheDisk inside its own
// mount namespace, and names the small file system it got.
const diskChild = "INHOUSE_DISK_CHILD"

// TestFilesCannotFillTheDisk runs a server whose data folder is on a
// 300 MiB file system (a tmpfs in a mount namespace of its own, as
// `unshare -rm`): files are refused with 507 once they would leave less
// than the room kept for messages, nothing of a refused upload stays, and
// chat goes on.
func TestFilesCannotFillTheDisk(t *testing.T) {
	if dir := os.Getenv(diskChild); dir != "" {
		filesOnASmallDisk(t, dir)
		return
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("unshare (util-linux) is needed: .ci/run installs it")
		}
		t.Skip("unshare is not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(unshare, "-rm", "sh", "-c", `mount -t tmpfs -o size=300m inhouse-test "$0" && exec "$@"`, dir,
		self, "-test.run=^TestFilesCannotFillTheDisk$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), diskChild+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestFilesCannotFillTheDisk") {
		if os.Getenv("CI") == "" && (strings.Contains(string(out), "unshare failed") || strings.Contains(string(out), "mount:")) {
			t.Skipf("this machine does not allow a mount namespace: %s", out)
		}
		t.Fatalf("on a 300 MiB file system: %v\n%s", err, out)
	}
}

func filesOnASmallDisk(t *testing.T, dir string) {
	ts := servertest.StartIn(t, filepath.Join(dir, "data"))
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("scans", true)
	big := bytes.Repeat([]byte("0123456789abcdef"), 30<<20/16) // 30 MiB
	st, up := upload(t, ana, ch.ID, "first.bin", big)
	if st != 201 {
		t.Fatalf("the first 30 MiB: %d %+v", st, up)
	}
	big[0] = 'X' // other bytes: not the same file again
	st, refused := upload(t, ana, ch.ID, "second.bin", big)
	if st != 507 || refused.Error != "storage_full" || !strings.Contains(refused.Message, "disk") {
		t.Fatalf("the second 30 MiB on a nearly full disk: %d %+v", st, refused)
	}
	if entries, _ := os.ReadDir(filepath.Join(ts.Dir, "files", "tmp")); len(entries) != 0 {
		t.Fatalf("a refused upload left %d temporary files", len(entries))
	}
	if n := storedFiles(t, ts.Dir); n != 1 {
		t.Fatalf("%d files stored, want the first only", n)
	}
	// Messages still have their room: the first file goes out, and text.
	ws := ana.Dial()
	ws.Send(map[string]any{"type": "send", "id": "d1", "channel": ch.ID, "text": "the scan", "files": []string{up.File.ID}})
	if ack := ws.Next("ack"); ack.Num("seq") != 1 {
		t.Fatalf("ack %v", ack)
	}
	for i := range 50 {
		ws.Send(map[string]any{"type": "send", "id": fmt.Sprintf("t%d", i), "channel": ch.ID, "text": "still talking"})
		ws.Next("ack")
	}
	if err := ts.Store().Healthy(); err != nil {
		t.Fatalf("the archive failed: %v", err)
	}
}
