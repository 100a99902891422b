package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// firstLoadBudget is the limit for what the first visit moves.
const firstLoadBudget = 100 << 10

var (
	htmlRef   = regexp.MustCompile(`(?:href|src)="(/[^"]+)"`)
	importRef = regexp.MustCompile(`(?m)^\s*(?:import|export)\s[^'"]*?['"](\.{1,2}/[^'"]+)['"]`)
)

// The first load (the page, every module it imports, the CSS, the icon and
// the manifest) stays under 100 KB as served, gzip-compressed.
func TestFirstLoadSize(t *testing.T) {
	e := newEnv(t)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path string) ([]byte, int) {
		req, _ := http.NewRequest("GET", e.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: status %d", path, res.StatusCode)
		}
		wire := len(body)
		if res.Header.Get("Content-Encoding") == "gzip" {
			plain, err := http.Get(e.URL + path) // Go's client inflates this one
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(plain.Body)
			plain.Body.Close()
		}
		if path == "/manifest.webmanifest" && res.Header.Get("Content-Type") != "application/manifest+json" {
			t.Errorf("manifest served as %q", res.Header.Get("Content-Type"))
		}
		return body, wire
	}

	seen := map[string]bool{}
	total, raw := 0, 0
	var walk func(path string)
	walk = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		body, wire := get(path)
		total += wire
		raw += len(body)
		t.Logf("%-28s %6d B gzip (%6d B plain)", path, wire, len(body))
		switch {
		case path == "/":
			for _, m := range htmlRef.FindAllStringSubmatch(string(body), -1) {
				walk(m[1])
			}
		case strings.HasSuffix(path, ".js"):
			dir := path[:strings.LastIndex(path, "/")+1]
			for _, m := range importRef.FindAllStringSubmatch(string(body), -1) {
				walk(resolve(dir, m[1]))
			}
		}
	}
	walk("/")
	t.Logf("first load: %d files, %d B compressed (%.1f KB), %d B plain", len(seen), total, float64(total)/1024, raw)
	if total > firstLoadBudget {
		t.Fatalf("first load is %d B compressed, over the %d B budget", total, firstLoadBudget)
	}
	if len(seen) < 10 {
		t.Fatalf("only %d files found: the import scan is broken", len(seen))
	}
}

func resolve(dir, rel string) string {
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if parts[0] == "" {
		parts = nil
	}
	for _, p := range strings.Split(rel, "/") {
		switch p {
		case ".":
		case "..":
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, p)
		}
	}
	return "/" + strings.Join(parts, "/")
}
