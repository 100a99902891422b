package server_test

import (
	"fmt"
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
