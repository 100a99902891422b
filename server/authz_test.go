package server_test

import (
	"strings"
	"testing"

	"inhouse/server/servertest"
)

// TestAuthorizationMatrix calls every endpoint as every role and as a
// stranger, and sends every frame type into a channel the caller belongs
// to and one it does not.
func TestAuthorizationMatrix(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("owner", "member")
	for _, r := range []string{"member", "auditor", "admin"} {
		ts.AddUser(r, r)
	}
	ts.AddUser("victim", "member")
	owner := ts.Login("owner")
	secret := owner.CreateChannel("secret", true)
	pub := owner.CreateChannel("open", false)

	type call struct {
		method, path, body string
		want               map[string]int // role -> status; "stranger" for signed out
	}
	all := func(st int) map[string]int {
		return map[string]int{"stranger": 401, "member": st, "auditor": st, "admin": st}
	}
	adminOnly := func(st int) map[string]int {
		return map[string]int{"stranger": 401, "member": 403, "auditor": 403, "admin": st}
	}
	calls := []call{
		{"GET", "/api/me", "", all(200)},
		{"GET", "/api/users", "", all(200)},
		{"GET", "/api/channels", "", all(200)},
		{"GET", "/api/channels/public", "", all(200)},
		{"GET", "/api/search?q=x", "", all(200)},
		{"GET", "/api/archive/search?q=x", "", map[string]int{"stranger": 401, "member": 403, "auditor": 200, "admin": 403}},
		{"POST", "/api/channels/" + secret.ID + "/join", "", all(404)},
		{"POST", "/api/channels/" + pub.ID + "/join", "", all(200)},
		{"POST", "/api/dm", `{"user":"owner"}`, all(200)},
		{"POST", "/api/policy/accept", `{"version":1}`, all(200)},
		{"POST", "/api/admin/users", `{"name":"new-ROLE","password":"` + servertest.Password + `"}`, adminOnly(200)},
		{"POST", "/api/admin/channels/" + secret.ID + "/members", `{"add":["victim"]}`, adminOnly(200)},
		{"POST", "/api/admin/users/victim/disable", "", adminOnly(200)},
		{"GET", "/healthz", "", map[string]int{"stranger": 200, "member": 200, "auditor": 200, "admin": 200}},
		{"POST", "/api/logout", "", all(200)},
	}
	clients := map[string]*servertest.Client{"stranger": ts.NewClient()}
	for _, r := range []string{"member", "auditor", "admin"} {
		clients[r] = ts.Login(r)
	}
	for _, c := range calls {
		for role, want := range c.want {
			var body any
			if c.body != "" {
				body = rawJSON(strings.ReplaceAll(c.body, "ROLE", role))
			}
			if got := clients[role].Do(c.method, c.path, body, nil); got != want {
				t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, role, got, want)
			}
		}
	}
	// The stranger opens no socket; the others talk only where they belong.
	if _, err := clients["stranger"].DialErr(ts.URL); err == nil {
		t.Error("a stranger opened a WebSocket")
	}
	for _, role := range []string{"member", "auditor", "admin"} {
		c := ts.Login(role)
		w := c.Dial()
		frames := []map[string]any{
			{"type": "send", "id": "x", "channel": secret.ID, "text": "hi"},
			{"type": "edit", "id": "y", "channel": secret.ID, "seq": 1, "text": "hi"},
			{"type": "delete", "id": "z", "channel": secret.ID, "seq": 1},
			{"type": "history", "channel": secret.ID},
			{"type": "typing", "channel": secret.ID},
			{"type": "read", "channel": secret.ID, "seq": 1},
			{"type": "sync", "channels": map[string]int{secret.ID: 0}},
		}
		for _, f := range frames {
			w.Send(f)
			if e := w.Next("error"); e.Str("code") != "forbidden" {
				t.Errorf("%s frame %v into a private channel of others: %v", role, f["type"], e)
			}
		}
		w.Next("synced")
		// In the public channel they joined, the same frames work.
		w.Send(map[string]any{"type": "send", "id": "p-" + role, "channel": pub.ID, "text": "hello"})
		if f := w.Next("ack"); f.Str("channel") != pub.ID {
			t.Errorf("%s send into a joined channel: %v", role, f)
		}
		w.Send(map[string]any{"type": "history", "channel": pub.ID})
		w.Next("history")
	}
}

// rawJSON is a body already in JSON.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
