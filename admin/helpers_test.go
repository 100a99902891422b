package admin_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inhouse/admin"
	"inhouse/server"
	"inhouse/server/servertest"
)

// start runs a real server with the console mounted, an admin "boss" and
// a member "mia".
func start(t *testing.T) *servertest.Server {
	t.Helper()
	ts := servertest.StartWith(t, func(s *server.Server) { s.Mount("/admin", admin.New(s).Handler()) })
	ts.AddUser("boss", "admin")
	ts.AddUser("mia", "member")
	return ts
}

// browser is a signed-in client that does not follow redirects, so tests
// see each 303.
type browser struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func signIn(t *testing.T, ts *servertest.Server, name string) *browser {
	t.Helper()
	c := ts.Login(name)
	return wrap(t, ts, c.HTTP, c.CSRF)
}

func signedOut(t *testing.T, ts *servertest.Server) *browser {
	return wrap(t, ts, ts.NewClient().HTTP, "")
}

func wrap(t *testing.T, ts *servertest.Server, hc *http.Client, csrf string) *browser {
	cl := *hc
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, base: ts.URL, http: &cl, csrf: csrf}
}

type page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

// post submits a form as a browser on this site does: the token in the
// form and Sec-Fetch-Site: same-origin. headers override.
func (b *browser) post(path string, form url.Values, headers map[string]string) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return b.do(req)
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	// fasthttp writes absolute redirects; tests compare paths.
	loc := strings.TrimPrefix(res.Header.Get("Location"), b.base)
	return page{Status: res.StatusCode, Body: string(data), Location: loc, Header: res.Header}
}

// mustPost posts and expects a redirect (POST-redirect-GET); it returns the
// page redirected to.
func (b *browser) mustPost(path string, form url.Values) page {
	b.t.Helper()
	p := b.post(path, form, nil)
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("POST %s: status %d, want 303; body:\n%s", path, p.Status, excerpt(p.Body))
	}
	return b.get(p.Location)
}

var secretRE = regexp.MustCompile(`<code class="secret">([^<]+)</code>`)

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000]
	}
	return s
}

// jarClient gives a signed-out browser a cookie jar of its own.
func jarClient(b *browser) {
	if b.http.Jar == nil {
		jar, _ := cookiejar.New(nil)
		b.http.Jar = jar
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the page")
	}
	return m[1]
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
