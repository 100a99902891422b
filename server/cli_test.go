package server_test

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"inhouse/server/servertest"
)

// TestArchiveCommands exports and verifies a real archive with the real
// binary, after a clean stop of a real server.
func TestArchiveCommands(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	for _, n := range []string{"ana", "ben"} {
		if out, code := runCLI(t, bin, servertest.Password+"\n", "user", "add", n, "--data", dir); code != 0 {
			t.Fatalf("user add: %s", out)
		}
	}
	addr := freeAddr(t)
	srv := startBinary(t, bin, dir, addr)
	remote := servertest.Remote(t, "http://"+addr)
	ana, ben := remote.Login("ana"), remote.Login("ben")
	general := ana.CreateChannel("general", false, "ben")
	other := ana.CreateChannel("other", false, "ben")
	wa, wb := ana.Dial(), ben.Dial()
	for i := 0; i < 6; i++ {
		send(wa, fmt.Sprint("a", i), general.ID, fmt.Sprintf("ana in general %d", i))
		wa.Next("ack")
		send(wb, fmt.Sprint("b", i), general.ID, fmt.Sprintf("=ben in general %d", i))
		wb.Next("ack")
		send(wa, fmt.Sprint("o", i), other.ID, "ana elsewhere")
		wa.Next("ack")
	}
	// SIGTERM: sockets get 1001 and the process exits in time.
	srv.Process.Signal(syscall.SIGTERM)
	for {
		if _, err := wa.ReadErr(5 * time.Second); err != nil {
			if !strings.Contains(err.Error(), "1001") {
				t.Fatalf("socket closed with %v, want 1001", err)
			}
			break
		}
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("server exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop within 10 s of SIGTERM")
	}

	out, code := runCLI(t, bin, "", "archive", "export", "--format", "jsonl", "--channel", "general", "--user", "ana", "--data", dir)
	if code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		var rec struct{ Channel, From, Text, H string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		if rec.Channel != general.ID || rec.From != "ana" || rec.Text != fmt.Sprintf("ana in general %d", n) || rec.H == "" {
			t.Fatalf("export line %d: %+v", n, rec)
		}
		n++
	}
	if n != 6 {
		t.Fatalf("exported %d records, want 6", n)
	}
	out, code = runCLI(t, bin, "", "archive", "export", "--format", "csv", "--user", "ben", "--data", dir)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 7 || rows[1][5] != "'=ben in general 0" {
		t.Fatalf("csv export: %d %v %v", code, err, rows)
	}
	if _, code = runCLI(t, bin, "", "archive", "export", "--format", "xml", "--data", dir); code != 2 {
		t.Fatalf("bad format exit %d", code)
	}
	if _, code = runCLI(t, bin, "", "archive", "export", "--channel", "nope", "--data", dir); code != 2 {
		t.Fatalf("unknown channel exit %d", code)
	}

	out, code = runCLI(t, bin, "", "archive", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "archive intact") {
		t.Fatalf("verify: %d %s", code, out)
	}
	path := filepath.Join(dir, "inhouse.db")
	data, _ := os.ReadFile(path)
	i := strings.Index(string(data), "ana in general 3")
	data[i] = 'X'
	os.WriteFile(path, data, 0o600)
	out, code = runCLI(t, bin, "", "archive", "verify", "--data", dir)
	if code != 1 || !strings.Contains(out, "message 7: changed") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("verify after a changed byte: %d %q", code, out)
	}
}

// TestBackupOfARunningServerRestores backs up a running server through its
// control socket, restores into an empty folder and finds every message.
func TestBackupOfARunningServerRestores(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	runCLI(t, bin, servertest.Password+"\n", "user", "add", "ana", "--data", dir)
	addr := freeAddr(t)
	startBinary(t, bin, dir, addr)
	ana := servertest.Remote(t, "http://"+addr).Login("ana")
	ch := ana.CreateChannel("kept", false)
	w := ana.Dial()
	for i := 1; i <= 50; i++ {
		send(w, fmt.Sprint(i), ch.ID, fmt.Sprintf("keep me %d", i))
		w.Next("ack")
	}
	file := filepath.Join(t.TempDir(), "office.backup")
	out, code := runCLI(t, bin, "", "backup", file, "--data", dir)
	if code != 0 {
		t.Fatalf("backup of a running server: %d %s", code, out)
	}
	key := backupKey(t, out)
	target := filepath.Join(t.TempDir(), "restored")
	// A new machine has no key of its own: the office names it.
	if out, code := runCLI(t, bin, "", "restore", file, "--data", target); code != 1 || !strings.Contains(out, "--trust "+key) {
		t.Fatalf("restore without naming the key: %d %s", code, out)
	}
	out, code = runCLI(t, bin, "", "restore", file, "--data", target, "--trust", key)
	if code != 0 || !strings.Contains(out, "archive verified") {
		t.Fatalf("restore: %d %s", code, out)
	}
	out, code = runCLI(t, bin, "", "archive", "export", "--data", target)
	if code != 0 || strings.Count(out, "keep me") != 50 {
		t.Fatalf("restored export has %d messages: %s", strings.Count(out, "keep me"), out)
	}
	// A second restore into the same (now full) folder is refused.
	if out, code := runCLI(t, bin, "", "restore", file, "--data", target); code != 1 || !strings.Contains(out, "not empty") {
		t.Fatalf("restore into a full folder: %d %s", code, out)
	}
	// Over a folder with the same archive key, no --trust is needed.
	if out, code := runCLI(t, bin, "", "restore", file, "--data", target, "--force"); code != 0 {
		t.Fatalf("forced restore: %d %s", code, out)
	}

	// A damaged backup is refused with a clear message, and nothing is restored.
	data, _ := os.ReadFile(file)
	data[len(data)/2] ^= 0xff
	bad := filepath.Join(t.TempDir(), "bad.backup")
	os.WriteFile(bad, data, 0o600)
	empty := filepath.Join(t.TempDir(), "empty")
	if out, code := runCLI(t, bin, "", "restore", bad, "--data", empty); code != 1 || !strings.Contains(out, "damaged") {
		t.Fatalf("damaged backup: %d %s", code, out)
	}
	if entries, _ := os.ReadDir(empty); len(entries) > 0 {
		t.Fatalf("a damaged backup left files: %v", entries)
	}
	os.WriteFile(bad, data[:len(data)/3], 0o600)
	if out, code := runCLI(t, bin, "", "restore", bad, "--data", empty); code != 1 || !strings.Contains(out, "damaged") {
		t.Fatalf("cut-off backup: %d %s", code, out)
	}
}

// backupKey is the archive key `inhouse backup` printed.
func backupKey(t *testing.T, out string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, "signed by the archive key ")
	key, _, _ := strings.Cut(rest, ":")
	if !ok || len(key) != 64 {
		t.Fatalf("backup printed no archive key: %q", out)
	}
	return key
}
