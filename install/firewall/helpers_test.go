package firewall

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// needTool finds a command. In CI (CI set) a missing tool fails the test:
// CI installs every tool these tests use, so absence is a broken setup.
func needTool(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not installed (CI must apt-get install nftables iptables ipset unbound dnsmasq bind9-utils iproute2 util-linux)", n)
			}
			t.Skipf("%s not installed; skipping (install nftables iptables ipset unbound dnsmasq bind9-utils; fails instead when CI is set)", n)
		}
	}
}

// needNetns checks that unprivileged user+network namespaces work here.
func needNetns(t *testing.T) {
	t.Helper()
	needTool(t, "unshare")
	if out, err := run(t, "", "unshare", "-rn", "true"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("unshare -rn does not work: %v %s", err, out)
		}
		t.Skipf("unshare -rn does not work here: %v %s", err, out)
	}
}

// run executes a command with a short timeout, returning combined output.
func run(t *testing.T, dir string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

// render is Render into a string, failing the test on error.
func render(t *testing.T, format string, cat *Catalog, ids ...string) string {
	t.Helper()
	var b strings.Builder
	if err := Render(&b, format, cat, ids); err != nil {
		t.Fatalf("Render %s %v: %v", format, ids, err)
	}
	return b.String()
}

// renderAt is RenderAt into a string, failing the test on error.
func renderAt(t *testing.T, format string, cat *Catalog, now time.Time, ids ...string) string {
	t.Helper()
	var b strings.Builder
	if err := RenderAt(&b, format, cat, ids, now); err != nil {
		t.Fatalf("RenderAt %s %v: %v", format, ids, err)
	}
	return b.String()
}

// comparedDay is the day the catalog was last compared with its sources:
// a "now" at which it is never stale.
func comparedDay(t *testing.T, cat *Catalog) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, cat.Compared())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	cat, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cat
}

// everything selects every entry, categories included.
var everything = []string{"all", "doh", "stun"}

func writeFile(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
