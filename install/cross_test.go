package install

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The binary must keep building for every platform it is shipped for; the
// Windows service code is compiled only here. Static, as released.
func TestCrossCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("cross builds take minutes on a cold cache; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	for _, target := range [][2]string{{"windows", "amd64"}, {"darwin", "arm64"}, {"linux", "arm64"}} {
		start := time.Now()
		out := filepath.Join(t.TempDir(), "inhouse")
		cmd := exec.Command(goTool, "build", "-trimpath", "-o", out, "inhouse")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+target[0], "GOARCH="+target[1], "GOFLAGS=")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("GOOS=%s GOARCH=%s go build: %v\n%s", target[0], target[1], err, b)
		}
		t.Logf("%s/%s built in %s", target[0], target[1], time.Since(start).Round(time.Second))
	}
}
