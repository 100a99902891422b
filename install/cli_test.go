package install_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"inhouse/install"
	"inhouse/server/cli"
)

func inhouse(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Run(args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// The commands as an operator types them, with --root standing in for /.
func TestInstallCommand(t *testing.T) {
	root := t.TempDir()
	code, out, errs := inhouse("install", "--root", root, "--addr", ":80", "--allow", "192.168.1.0/24", "--tls", "auto")
	if code != 0 {
		t.Fatalf("install: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "no service started") {
		t.Fatalf("install output: %s", out)
	}
	unit, err := os.ReadFile(filepath.Join(root, install.UnitPath))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`Environment="INHOUSE_ALLOW=192.168.1.0/24"`, `Environment="INHOUSE_TLS=auto"`, "AmbientCapabilities=CAP_NET_BIND_SERVICE"} {
		if !strings.Contains(string(unit), want) {
			t.Fatalf("unit lacks %s:\n%s", want, unit)
		}
	}
	// An upgrade run with one flag keeps the other settings.
	if code, _, errs := inhouse("install", "--root", root, "--tls", "off"); code != 0 {
		t.Fatalf("install again: exit %d: %s", code, errs)
	}
	unit, _ = os.ReadFile(filepath.Join(root, install.UnitPath))
	for _, want := range []string{`Environment="INHOUSE_ADDR=:80"`, `Environment="INHOUSE_ALLOW=192.168.1.0/24"`, `Environment="INHOUSE_TLS=off"`} {
		if !strings.Contains(string(unit), want) {
			t.Fatalf("after the upgrade the unit lacks %s:\n%s", want, unit)
		}
	}
	if code, _, errs := inhouse("uninstall", "--root", root, "--purge"); code != 0 {
		t.Fatalf("uninstall: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(root, install.DefaultData)); !os.IsNotExist(err) {
		t.Fatalf("data folder after uninstall --purge: %v", err)
	}
}

func TestInstallCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"install", "extra"},
		{"install", "--root", t.TempDir(), "--addr", "nope"},
		{"install", "--root", t.TempDir(), "--allow", "the internet"},
		{"install", "--root", t.TempDir(), "--data", "/home/ana/chat"},
		{"install", "--bogus"},
		{"uninstall", "--purge", "now"},
	} {
		code, _, errs := inhouse(args...)
		if code != 2 || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "inhouse: ") {
			t.Fatalf("%v: exit %d, stderr %q; want 2 and one line", args, code, errs)
		}
	}
}
