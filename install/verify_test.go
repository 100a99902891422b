package install

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool finds a command. In CI (CI set) a missing tool fails the test:
// CI installs it, so its absence is a broken setup, not a reason to pass.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed (CI must apt-get install systemd)", name)
		}
		t.Skipf("%s not installed; skipping (apt-get install systemd; fails instead when CI is set)", name)
	}
	return p
}

// verifiedUnit writes Unit(o) as inhouse.service in a temp folder, with
// ExecStart pointing at a binary that exists here: verify checks that.
func verifiedUnit(t *testing.T, o Options) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	o.Binary = exe
	path := filepath.Join(t.TempDir(), "inhouse.service")
	if err := os.WriteFile(path, []byte(Unit(o)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// systemd-analyze verify needs no running systemd. It exits 0 on unknown
// or misspelt keys and only warns, so any output counts as a failure.
func TestUnitVerifies(t *testing.T) {
	tool := needTool(t, "systemd-analyze")
	for _, o := range []Options{{}, {Addr: ":443", LowPort: true, TLS: "auto", Allow: "10.0.0.0/8"}, {Data: "/srv/inhouse", User: "chat"}} {
		path := verifiedUnit(t, o)
		out, err := exec.Command(tool, "verify", path).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Fatalf("systemd-analyze verify %+v: %v\n%s", o, err, out)
		}
	}
}

// The offline security review scores the sandbox; 2.5 or less is what
// systemd calls OK. A change that loosens the unit shows up here.
func TestUnitExposure(t *testing.T) {
	tool := needTool(t, "systemd-analyze")
	for _, o := range []Options{{}, {Addr: ":443"}} {
		path := verifiedUnit(t, o)
		out, err := exec.Command(tool, "security", "--offline=true", "--threshold=25", "--no-pager", path).CombinedOutput()
		if err != nil {
			t.Fatalf("systemd-analyze security %+v: exposure above 2.5 or error: %v\n%s", o, err, out)
		}
		if !strings.Contains(string(out), "Overall exposure level") {
			t.Fatalf("systemd-analyze security %+v: no score:\n%s", o, out)
		}
	}
}
