package chat

import (
	"fmt"
	"testing"
)

// checkMessages fails unless fs holds channel's messages first..last, each
// once, in order.
func checkMessages(t *testing.T, who string, fs []wireFrame, channel string, first, last uint64) {
	t.Helper()
	msgs := ofType(fs, "message")
	if len(msgs) != int(last-first+1) {
		t.Fatalf("%s got %d messages, want %d (seq %d to %d)", who, len(msgs), last-first+1, first, last)
	}
	for i, m := range msgs {
		want := first + uint64(i)
		if m.Channel != channel || m.Seq != want || m.Text != fmt.Sprint("text ", want) {
			t.Fatalf("%s's message %d: %s, want seq %d of %s", who, i, m.raw, want, channel)
		}
	}
}

// A commit is acked to its sender and delivered to every connection that
// hears its channel, once each and in seq order; nobody else gets it.
func TestCommitReachesEachMemberOnceInOrder(t *testing.T) {
	store, c1, _ := officeStore(t)
	h := testHub(t, store)
	ana := connect(t, h, "ana", admit(t, h, "ana"))
	ben := connect(t, h, "ben", admit(t, h, "ben"))
	cleo := connect(t, h, "cleo", admit(t, h, "cleo"))

	const n = 40
	for i := 1; i <= n; i++ {
		ana.send(t, map[string]any{"type": "send", "id": fmt.Sprint("m", i), "channel": c1, "text": fmt.Sprint("text ", i)})
	}
	anaFrames := ana.waitFrames(t, "message", n)
	checkMessages(t, "ben", ben.waitFrames(t, "message", n), c1, 1, n)
	checkMessages(t, "ana", anaFrames, c1, 1, n)

	// Each ack names its message and comes before that message's frame.
	acked := map[uint64]bool{}
	for _, f := range anaFrames {
		switch f.Type {
		case "ack":
			if f.ID != fmt.Sprint("m", f.Seq) || acked[f.Seq] {
				t.Fatalf("ack %s", f.raw)
			}
			acked[f.Seq] = true
		case "message":
			if !acked[f.Seq] {
				t.Fatalf("message %d before its ack", f.Seq)
			}
		}
	}
	if len(acked) != n {
		t.Fatalf("%d acks, want %d", len(acked), n)
	}

	// A resend of a stored client id is acked again, not delivered again.
	ana.send(t, map[string]any{"type": "send", "id": "m7", "channel": c1, "text": "text 7"})
	ana.waitFrames(t, "ack", n+1)
	ben.send(t, map[string]any{"type": "history", "channel": c1, "limit": 5}) // after the dup's commit
	fs := ben.waitFrames(t, "history", 1)
	checkMessages(t, "ben", fs, c1, 1, n)
	checkMessages(t, "ana", ana.frames(t), c1, 1, n)

	// History frames come from the message encoder.
	all, err := store.After(c1, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	want := encodeHistory(c1, all[n-5:])
	if got := ofType(fs, "history")[0].raw; string(got) != string(want) {
		t.Fatalf("history frame\n got %s\nwant %s", got, want)
	}
	if m := ofType(cleo.frames(t), "message"); len(m) != 0 {
		t.Fatalf("cleo, not a member, got %d messages", len(m))
	}
	for name, p := range map[string]*pipe{"ana": ana, "ben": ben, "cleo": cleo} {
		if p.early {
			t.Errorf("%s's transport was queued to before Start", name)
		}
	}
}

// A connection admitted before messages it was not yet registered for
// catches them up from the store while live delivery goes on: every message
// arrives once, in order, whichever of the two carries it.
func TestCatchUpAndLiveDeliveryKeepOrder(t *testing.T) {
	store, c1, _ := officeStore(t)
	h := testHub(t, store)
	benMark := admit(t, h, "ben") // ben's socket opened here, before the messages below
	ana := connect(t, h, "ana", admit(t, h, "ana"))

	const early, late = 300, 200 // more than a catch-up chunk
	for i := 1; i <= early; i++ {
		ana.send(t, map[string]any{"type": "send", "id": fmt.Sprint("m", i), "channel": c1, "text": fmt.Sprint("text ", i)})
	}
	ana.waitFrames(t, "ack", early)
	ben := connect(t, h, "ben", benMark)
	for i := early + 1; i <= early+late; i++ {
		ana.send(t, map[string]any{"type": "send", "id": fmt.Sprint("m", i), "channel": c1, "text": fmt.Sprint("text ", i)})
	}
	checkMessages(t, "ben", ben.waitFrames(t, "message", early+late), c1, 1, early+late)
}

// A connection whose session ended before it was registered is closed with
// 1008, and one over the person's limit is refused with 1013.
func TestOpenRefuses(t *testing.T) {
	store, _, _ := officeStore(t)
	h := testHub(t, store)
	p := newPipe()
	if run := h.Open(p, "ana", "s", admit(t, h, "ana"), func() bool { return false }); run != nil {
		t.Fatal("a signed-out connection was opened")
	}
	if p.code != closePolicy || p.reason != "signed out" {
		t.Fatalf("closed with %d %q", p.code, p.reason)
	}
	mark := admit(t, h, "ben")
	for range DefaultLimits.ConnsPerPerson {
		connect(t, h, "ben", mark)
	}
	p = newPipe()
	if run := h.Open(p, "ben", "s", mark, func() bool { return true }); run != nil {
		t.Fatal("a connection over the person's limit was opened")
	}
	if p.code != closeTryAgain || p.reason != ErrTooManyConns.Error() {
		t.Fatalf("closed with %d %q", p.code, p.reason)
	}
}
