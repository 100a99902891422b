package install

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func fakeBinary(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "inhouse-new")
	if err := os.WriteFile(p, []byte(content), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInstallUninstallRoot(t *testing.T) {
	root := t.TempDir()
	o := Options{Root: root, Source: fakeBinary(t, "binary v1"), Addr: ":443"}
	var out bytes.Buffer
	if err := Install(o, &out); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, DefaultBinary)
	unit := filepath.Join(root, UnitPath)
	data := filepath.Join(root, DefaultData)
	if b, _ := os.ReadFile(bin); string(b) != "binary v1" {
		t.Fatalf("binary holds %q", b)
	}
	if m := mode(t, bin); m != 0o755 {
		t.Fatalf("binary mode %v", m)
	}
	if m := mode(t, unit); m != 0o644 {
		t.Fatalf("unit mode %v", m)
	}
	if b, _ := os.ReadFile(unit); string(b) != Unit(Options{Addr: ":443"}) {
		t.Fatalf("unit on disk is not Unit(opts):\n%s", b)
	}
	if m := mode(t, data); m != 0o700 {
		t.Fatalf("data folder mode %v", m)
	}
	if m := mode(t, filepath.Join(root, DefaultBackup)); m != 0o700 {
		t.Fatalf("backup folder mode %v", m)
	}
	// Parents stay traversable for the service user.
	if m := mode(t, filepath.Dir(data)); m != 0o755 {
		t.Fatalf("%s mode %v", filepath.Dir(data), m)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "usr/local/bin/.*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}

	// Installing again is the upgrade: new binary, data untouched.
	if err := os.WriteFile(filepath.Join(data, "inhouse.db"), []byte("messages"), 0o600); err != nil {
		t.Fatal(err)
	}
	o.Source = fakeBinary(t, "binary v2")
	if err := Install(o, &out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(bin); string(b) != "binary v2" {
		t.Fatalf("after upgrade the binary holds %q", b)
	}

	out.Reset()
	if err := Uninstall(Options{Root: root}, false, &out); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{bin, unit} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s still there after uninstall (%v)", p, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(data, "inhouse.db")); err != nil || string(b) != "messages" {
		t.Fatalf("uninstall without --purge lost the data: %q %v", b, err)
	}
	if !strings.Contains(out.String(), "kept the data folder /var/lib/inhouse") {
		t.Fatalf("uninstall output: %s", out.String())
	}
	// Uninstalling twice is fine.
	if err := Uninstall(Options{Root: root}, false, &out); err != nil {
		t.Fatal(err)
	}
}

func TestInstalledRoundTrip(t *testing.T) {
	for _, o := range []Options{
		{},
		{Addr: "10.0.0.2:8443", Data: "/srv/chat", TLS: "auto", Allow: "10.0.0.0/8", Backups: "/srv/chat-backups", User: "chat", LowPort: true},
		{Addr: ":443"},
	} {
		root := t.TempDir()
		o.Root, o.Source = root, fakeBinary(t, "x")
		if err := Install(o, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		got, ok := Installed(root)
		want := o
		want.Root, want.Source, want.Binary = "", "", ""
		want = want.withDefaults()
		got.Binary = ""
		got = got.withDefaults()
		if !ok || got != want {
			t.Fatalf("Installed: %+v %v, want %+v", got, ok, want)
		}
	}
	if _, ok := Installed(t.TempDir()); ok {
		t.Fatal("Installed found a unit in an empty root")
	}
}

// --purge finds the data folder in the installed unit, not in its flags.
func TestUninstallPurge(t *testing.T) {
	root := t.TempDir()
	if err := Install(Options{Root: root, Source: fakeBinary(t, "x"), Data: "/srv/chat/data", Backups: "/srv/chat/backups"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(root, "srv/chat/data")
	if err := os.WriteFile(filepath.Join(data, "inhouse.db"), []byte("messages"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Uninstall(Options{Root: root}, true, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("data folder still there after --purge (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(root, "srv/chat")); err != nil {
		t.Fatalf("purge removed more than the data folder: %v", err)
	}
	// Backups outlive even a purge: they may be the only copy left.
	if _, err := os.Stat(filepath.Join(root, "srv/chat/backups")); err != nil {
		t.Fatalf("purge removed the backups: %v", err)
	}
	if !strings.Contains(out.String(), "purged the data folder /srv/chat/data") || !strings.Contains(out.String(), "backups in /srv/chat/backups are kept") {
		t.Fatalf("uninstall output: %s", out.String())
	}
}

func TestInstallRefusesBadOptions(t *testing.T) {
	root := t.TempDir()
	err := Install(Options{Root: root, Source: fakeBinary(t, "x"), Data: "/home/ana/chat"}, &bytes.Buffer{})
	if err == nil {
		t.Fatal("data folder under /home accepted")
	}
	if entries, _ := os.ReadDir(root); len(entries) > 0 {
		t.Fatalf("refused install still wrote %v", entries)
	}
}

// What serve prints at start (server/cli/serve.go), as the journal shows it.
const (
	firstStart = "time=... level=INFO msg=\"tls: made a local CA\"\n" +
		"Inhouse v1.2 is running at https://192.168.1.10:8080 (data in /var/lib/inhouse)\n" +
		"No administrator yet. Open this one-time link to create one:\n" +
		"  https://192.168.1.10:8080/setup?token=abc123\n"
	laterStart = "Inhouse v1.2 is running at https://192.168.1.10:8080 (data in /var/lib/inhouse)\n" +
		"Sign in at https://192.168.1.10:8080 with your user name and password; the office manager adds people at https://192.168.1.10:8080/admin.\n"
)

func TestParseStarted(t *testing.T) {
	s, ok := parseStarted(firstStart)
	if !ok || s.URL != "https://192.168.1.10:8080" || s.Setup != "https://192.168.1.10:8080/setup?token=abc123" {
		t.Fatalf("first start: %+v %v", s, ok)
	}
	s, ok = parseStarted(laterStart)
	if !ok || s.URL != "https://192.168.1.10:8080" || s.Setup != "" {
		t.Fatalf("later start: %+v %v", s, ok)
	}
	// The link line may not be in the journal yet: keep waiting.
	if _, ok := parseStarted(strings.SplitAfter(firstStart, "\n")[1]); ok {
		t.Fatal("address line alone taken as complete")
	}
}

func TestWaitStarted(t *testing.T) {
	calls := 0
	src := func() (string, bool) {
		calls++
		if calls < 3 {
			return "", false
		}
		return firstStart, false
	}
	s, err := waitStarted(src, 5*time.Second)
	if err != nil || s.Setup == "" {
		t.Fatalf("%+v %v", s, err)
	}
	var out bytes.Buffer
	s.print(&out)
	if !strings.Contains(out.String(), "setup?token=abc123") {
		t.Fatalf("print: %s", out.String())
	}

	_, err = waitStarted(func() (string, bool) { return "inhouse: the data folder is in use\n", true }, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "stopped right after starting: inhouse: the data folder is in use") {
		t.Fatalf("failed start: %v", err)
	}
	_, err = waitStarted(func() (string, bool) { return "", false }, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not report its address") {
		t.Fatalf("silent start: %v", err)
	}
}
