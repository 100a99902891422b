package servertest

import (
	"testing"
	"time"
)

// The harness itself: a real server, a signed-in browser, a socket whose
// reads time out without spoiling it.
func TestHarness(t *testing.T) {
	ts := Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	if ana.CSRF == "" || ana.Cookie() == "" {
		t.Fatalf("login left no session: csrf %q cookie %q", ana.CSRF, ana.Cookie())
	}
	ch := ana.CreateChannel("harness", false)
	w := ana.Dial()
	w.Quiet(100 * time.Millisecond) // a timed-out wait leaves the socket usable
	w.Send(map[string]any{"type": "send", "id": "h1", "channel": ch.ID, "text": "hello"})
	if f := w.Next("ack"); f.Str("id") != "h1" || f.Num("seq") != 1 {
		t.Fatalf("ack %v", f)
	}
	if cs := ana.Channels(); len(cs) != 1 || cs[0].LastSeq != 1 {
		t.Fatalf("channels %+v", cs)
	}
	remote := Remote(t, ts.URL).Login("ana") // a second browser, as for another process
	if remote.Cookie() == ana.Cookie() {
		t.Fatal("two sign-ins share a session")
	}
}
