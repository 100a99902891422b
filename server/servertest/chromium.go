package servertest

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium finds Debian's chromium for the browser tests. In CI (CI set)
// a missing browser fails the test: .ci/run installs it, so its absence is
// a broken setup. Elsewhere the test is skipped with a hint.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: browser tests must run in CI (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; set CI=true to make this a failure")
	return ""
}
