package server_test

import (
	"fmt"
	"strings"
	"testing"

	"inhouse/server/servertest"
)

// unreadIn is the unread count the API gives c for channel id.
func unreadIn(t *testing.T, c *servertest.Client, id string) uint64 {
	t.Helper()
	for _, ch := range c.Channels() {
		if ch.ID == id {
			return ch.Unread
		}
	}
	t.Fatalf("%s is not in the channel", c.User)
	return 0
}

// What one sends oneself is read: after a new sign-in elsewhere, and after
// a restart, one's own messages never come back as unread.
func TestOwnMessagesAreNeverUnread(t *testing.T) {
	dir := t.TempDir()
	ts := servertest.StartIn(t, dir)
	ts.AddUser("ana", "member")
	ts.AddUser("ben", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("desk", false, "ben")
	w := ana.Dial()
	for i := range 3 {
		send(w, fmt.Sprint("a", i), ch.ID, "from Ana")
		w.Next("ack")
	}
	if n := unreadIn(t, ts.Login("ana"), ch.ID); n != 0 {
		t.Fatalf("Ana, signed in elsewhere, has %d unread of her own", n)
	}
	if n := unreadIn(t, ts.Login("ben"), ch.ID); n != 3 {
		t.Fatalf("Ben has %d unread, want 3", n)
	}
	ts.Shutdown()
	ts = servertest.StartIn(t, dir)
	if n := unreadIn(t, ts.Login("ana"), ch.ID); n != 0 {
		t.Fatalf("after a restart Ana has %d unread of her own", n)
	}
	if n := unreadIn(t, ts.Login("ben"), ch.ID); n != 3 {
		t.Fatalf("after a restart Ben has %d unread, want 3", n)
	}
}

// Every problem with a form is told at once, field by field, whatever the
// door: here the first-run setup page's call.
func TestSetupTellsEveryProblemAtOnce(t *testing.T) {
	ts := servertest.Start(t)
	link := ts.SetupURL()
	_, token, _ := strings.Cut(link, "token=")
	var out struct {
		Error  string
		Fields map[string]string
	}
	c := ts.NewClient()
	st := c.Do("POST", "/api/setup", map[string]string{"token": token, "name": "Not A Name!", "display": "", "password": "short"}, &out)
	if st != 400 || out.Error != "bad_request" || out.Fields["name"] == "" || out.Fields["password"] == "" {
		t.Fatalf("setup with two bad fields: %d %+v", st, out)
	}
}
