package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"inhouse/server"
	"inhouse/server/chat"
	"inhouse/server/servertest"
)

func send(ws *servertest.WS, id, channel, text string) {
	ws.Send(map[string]any{"type": "send", "id": id, "channel": channel, "text": text})
}

func TestTwoAndThreePeopleTalk(t *testing.T) {
	ts := servertest.Start(t)
	for _, n := range []string{"ana", "ben", "cleo"} {
		ts.AddUser(n, "member")
	}
	ana, ben, cleo := ts.Login("ana"), ts.Login("ben"), ts.Login("cleo")

	// Two people in a direct conversation.
	dm := ana.DM("ben")
	if again := ben.DM("ana"); again.ID != dm.ID {
		t.Fatalf("the pair got two direct channels: %s and %s", dm.ID, again.ID)
	}
	wa, wb, wc := ana.Dial(), ben.Dial(), cleo.Dial()
	send(wa, "a1", dm.ID, "Morning! Is the invoice out?")
	ack := wa.Next("ack")
	if ack.Str("id") != "a1" || ack.Num("seq") != 1 || ack.Str("channel") != dm.ID {
		t.Fatalf("ack = %v", ack)
	}
	if _, err := time.Parse(time.RFC3339, ack.Str("ts")); err != nil {
		t.Fatalf("ack ts %q: %v", ack.Str("ts"), err)
	}
	got := wb.Next("message")
	if got.Str("text") != "Morning! Is the invoice out?" || got.Str("from") != "ana" || got.Num("seq") != 1 || got.Str("id") != "a1" {
		t.Fatalf("ben got %v", got)
	}
	if echo := wa.Next("message"); echo.Num("seq") != 1 {
		t.Fatalf("ana's own copy: %v", echo)
	}
	wc.Quiet(200 * time.Millisecond) // cleo is not in the direct conversation

	// Three people in a channel.
	ch := ana.CreateChannel("invoices", false, "ben", "cleo")
	for _, w := range []*servertest.WS{wa, wb, wc} {
		if f := w.Next("channel"); f["channel"].(map[string]any)["id"] != ch.ID {
			t.Fatalf("channel frame %v", f)
		}
	}
	send(wb, "b1", ch.ID, "Sent it at 9.")
	wb.Next("ack")
	if f := wc.Next("message"); f.Str("id") != "b1" {
		t.Fatalf("cleo got %v", f)
	}
	send(wc, "c1", ch.ID, "Thanks both")
	wc.Next("ack")
	if f := wc.Next("message"); f.Str("id") != "c1" {
		t.Fatalf("cleo's own copy: %v", f)
	}
	for _, w := range []*servertest.WS{wa, wb} {
		m1, m2 := w.Next("message"), w.Next("message")
		if m1.Num("seq") != 1 || m1.Str("from") != "ben" || m2.Num("seq") != 2 || m2.Str("from") != "cleo" {
			t.Fatalf("order: %v then %v", m1, m2)
		}
	}
}

func TestSameIDStoredOnce(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ts.AddUser("ben", "member")
	ana := ts.Login("ana")
	dm := ana.DM("ben")
	w := ana.Dial()
	send(w, "same", dm.ID, "once")
	first := w.Next("ack")
	w.Next("message")
	send(w, "same", dm.ID, "once")
	second := w.Next("ack")
	if first.Num("seq") != second.Num("seq") || first.Str("ts") != second.Str("ts") {
		t.Fatalf("repeat acked differently: %v vs %v", first, second)
	}
	w.Quiet(200 * time.Millisecond) // no second message
	// And after a reconnect, too.
	w2 := ana.Dial()
	send(w2, "same", dm.ID, "once")
	if third := w2.Next("ack"); third.Num("seq") != 1 {
		t.Fatalf("after reconnect: %v", third)
	}
	if n := ts.Store().LastSeq(dm.ID); n != 1 {
		t.Fatalf("stored %d messages, want 1", n)
	}
}

func TestNonMemberIsRefused(t *testing.T) {
	ts := servertest.Start(t)
	for _, n := range []string{"ana", "ben", "eve"} {
		ts.AddUser(n, "member")
	}
	ana, eve := ts.Login("ana"), ts.Login("eve")
	priv := ana.CreateChannel("board", true, "ben")
	dm := ana.DM("ben")
	pub := ana.CreateChannel("general", false)
	wa := ana.Dial()
	send(wa, "x", priv.ID, "secret plan")
	wa.Next("ack")

	we := eve.Dial()
	for _, ch := range []string{priv.ID, dm.ID, pub.ID} {
		send(we, "e-"+ch, ch, "let me in")
		if f := we.Next("error"); f.Str("code") != "forbidden" || f.Str("id") != "e-"+ch {
			t.Fatalf("send to %s: %v", ch, f)
		}
		we.Send(map[string]any{"type": "history", "channel": ch, "before": 0, "limit": 50})
		if f := we.Next("error"); f.Str("code") != "forbidden" {
			t.Fatalf("history of %s: %v", ch, f)
		}
		we.Send(map[string]any{"type": "typing", "channel": ch})
		if f := we.Next("error"); f.Str("code") != "forbidden" {
			t.Fatalf("typing in %s: %v", ch, f)
		}
		we.Send(map[string]any{"type": "read", "channel": ch, "seq": 1})
		if f := we.Next("error"); f.Str("code") != "forbidden" {
			t.Fatalf("read in %s: %v", ch, f)
		}
	}
	we.Send(map[string]any{"type": "sync", "channels": map[string]int{priv.ID: 0}})
	if f := we.Next("error"); f.Str("code") != "forbidden" {
		t.Fatalf("sync: %v", f)
	}
	if f := we.Next("synced"); f == nil {
		t.Fatal("no synced")
	}
	send(we, "nochan", "cnosuchchannel", "hello")
	if f := we.Next("error"); f.Str("code") != "not_found" {
		t.Fatalf("unknown channel: %v", f)
	}
	for _, c := range eve.Channels() {
		t.Fatalf("eve lists %v", c)
	}
	// Joining: a public channel yes, a private one looks missing.
	if st := eve.Do("POST", "/api/channels/"+priv.ID+"/join", nil, nil); st != 404 {
		t.Fatalf("join private: %d", st)
	}
	if st := eve.Do("POST", "/api/channels/"+pub.ID+"/join", nil, nil); st != 200 {
		t.Fatalf("join public: %d", st)
	}
	if cs := eve.Channels(); len(cs) != 1 || cs[0].ID != pub.ID {
		t.Fatalf("after join eve lists %v", cs)
	}
	we.Next("channel")
	send(wa, "y", pub.ID, "welcome eve")
	if f := we.Next("message"); f.Str("text") != "welcome eve" {
		t.Fatalf("eve in general got %v", f)
	}
}

func TestPipelinedSendsAckInOrder(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("burst", false)
	w := ana.Dial()
	for i := 0; i < 100; i++ {
		send(w, fmt.Sprintf("p%03d", i), ch.ID, fmt.Sprintf("message %d", i))
	}
	acks, msgs := 0, 0
	for acks < 100 || msgs < 100 {
		f := w.Read()
		switch f.Str("type") {
		case "ack":
			if want := fmt.Sprintf("p%03d", acks); f.Str("id") != want || f.Num("seq") != uint64(acks+1) {
				t.Fatalf("ack %d = %v, want id %s seq %d", acks, f, want, acks+1)
			}
			acks++
		case "message":
			if f.Num("seq") != uint64(msgs+1) {
				t.Fatalf("message %d has seq %d", msgs, f.Num("seq"))
			}
			msgs++
		case "presence":
		default:
			t.Fatalf("unexpected %v", f)
		}
	}
}

func TestReconnectSyncGetsExactlyWhatWasMissed(t *testing.T) {
	// 250 quick sends: the send limit is lifted so that none waits for
	// the allowance to refill (the limit has tests of its own).
	ana, ben := anaAndBen(t, func(c *server.Config) {
		c.Limits = chat.DefaultLimits
		c.Limits.SendRate, c.Limits.SendBurst = 1e9, 1e9
	})
	ch := ana.CreateChannel("sync", false, "ben")
	other := ana.CreateChannel("other", false, "ben")
	wa, wb := ana.Dial(), ben.Dial()
	for i := 1; i <= 3; i++ {
		send(wa, fmt.Sprint("s", i), ch.ID, fmt.Sprint("before ", i))
		wa.Next("ack")
		wa.Next("message")
	}
	for i := 1; i <= 3; i++ {
		wb.Next("message")
	}
	wb.Conn.Close() // ben goes offline having seen seq 3
	for i := 4; i <= 250; i++ {
		send(wa, fmt.Sprint("s", i), ch.ID, fmt.Sprint("missed ", i))
		wa.Next("ack")
		wa.Next("message")
	}
	send(wa, "o1", other.ID, "elsewhere")
	wa.Next("ack")
	wa.Next("message")

	wb = ben.Dial()
	wb.Send(map[string]any{"type": "sync", "channels": map[string]int{ch.ID: 3, other.ID: 0}})
	// Live messages sent during the sync must neither be lost nor doubled.
	// They start once the sync has begun: one committed before ben's sync
	// frame is read would be heard live first, as a new socket hears every
	// message committed after its upgrade (docs/protocol.md).
	live := func() {
		for i := 251; i <= 260; i++ {
			wa.Send(map[string]any{"type": "send", "id": fmt.Sprint("s", i), "channel": ch.ID, "text": "live"})
		}
	}
	next := map[string]uint64{ch.ID: 4, other.ID: 1}
	synced := false
	for next[ch.ID] <= 260 || !synced || next[other.ID] <= 1 {
		f := wb.Read()
		switch f.Str("type") {
		case "message":
			c := f.Str("channel")
			if f.Num("seq") != next[c] {
				t.Fatalf("channel %s: got seq %d, want %d", c, f.Num("seq"), next[c])
			}
			if c == ch.ID && next[c] == 4 {
				go live()
			}
			next[c]++
		case "synced":
			synced = true
		case "presence":
		default:
			t.Fatalf("unexpected %v", f)
		}
	}
	wb.Quiet(300 * time.Millisecond)
}

// A socket hears every message committed after its upgrade answered, even
// one committed before the server had registered the connection.
func TestNewSocketHearsWhatFollowsItsOpening(t *testing.T) {
	ana, ben := anaAndBen(t)
	ch := ana.CreateChannel("opening", false, "ben")
	wa := ana.Dial()
	for i := 1; i <= 20; i++ {
		wb := ben.Dial()
		send(wa, fmt.Sprint("o", i), ch.ID, "right after you connected")
		if f := wb.Next("message"); f.Num("seq") != uint64(i) {
			t.Fatalf("socket %d: got seq %d, want %d", i, f.Num("seq"), i)
		}
		wa.Next("ack")
		wb.Conn.Close()
	}
}

func TestBadFramesGetErrorsAndConnectionLives(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("errors", false)
	w := ana.Dial()
	cases := []struct{ frame, code string }{
		{`{not json`, "bad_request"},
		{`[]`, "bad_request"},
		{`{"type":"shout"}`, "bad_request"},
		{`{}`, "bad_request"},
		{`{"type":"send","channel":"` + ch.ID + `","text":"no id"}`, "bad_request"},
		{`{"type":"send","id":"x","channel":"` + ch.ID + `"}`, "bad_request"},
		{`{"type":"send","id":"x","channel":"` + ch.ID + `","text":42}`, "bad_request"},
		{`{"type":"send","id":"x","text":"no channel"}`, "bad_request"},
		{`{"type":"send","id":"x","channel":"` + ch.ID + `","text":"` + strings.Repeat("a", 9000) + `"}`, "too_large"},
		{`{"type":"history","channel":"` + ch.ID + `","before":-1}`, "bad_request"},
		{`{"type":"read","channel":"` + ch.ID + `"}`, "bad_request"},
		{`{"type":"sync","channels":["x"]}`, "bad_request"},
		{`{"type":"presence","status":"invisible"}`, "bad_request"},
	}
	for _, c := range cases {
		w.SendRaw(c.frame)
		if f := w.Next("error"); f.Str("code") != c.code {
			t.Fatalf("frame %.60s: got %v, want code %s", c.frame, f, c.code)
		}
	}
	send(w, "ok", ch.ID, "still here")
	if f := w.Next("ack"); f.Str("id") != "ok" {
		t.Fatalf("after bad frames: %v", f)
	}
	// Over the 64 KiB read limit the connection is closed with 1009 (the
	// server may close before the client has finished writing).
	w.Conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"send","text":"`+strings.Repeat("a", 70<<10)+`"}`))
	for {
		if _, err := w.ReadErr(5 * time.Second); err != nil {
			if !strings.Contains(err.Error(), "1009") {
				t.Fatalf("oversized frame closed with %v, want 1009", err)
			}
			break
		}
	}
}

func TestHistoryPagesOldestFirst(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("hist", false)
	w := ana.Dial()
	for i := 1; i <= 30; i++ {
		send(w, fmt.Sprint("h", i), ch.ID, fmt.Sprint("m", i))
		w.Next("ack")
		w.Next("message")
	}
	w.Send(map[string]any{"type": "history", "channel": ch.ID, "limit": 10})
	page := w.Next("history")["messages"].([]any)
	if len(page) != 10 || page[0].(map[string]any)["seq"].(float64) != 21 || page[9].(map[string]any)["seq"].(float64) != 30 {
		t.Fatalf("latest page: %v", page)
	}
	w.Send(map[string]any{"type": "history", "channel": ch.ID, "before": 21, "limit": 500})
	page = w.Next("history")["messages"].([]any)
	if len(page) != 20 || page[0].(map[string]any)["text"] != "m1" {
		t.Fatalf("older page: %d messages, first %v", len(page), page[0])
	}
}

func TestUnreadCountsFollowReadMarkers(t *testing.T) {
	ana, ben := anaAndBen(t)
	ch := ana.CreateChannel("news", false, "ben")
	wa := ana.Dial()
	for i := 1; i <= 5; i++ {
		send(wa, fmt.Sprint("n", i), ch.ID, "news")
		wa.Next("ack")
		wa.Next("message")
	}
	if cs := ben.Channels(); cs[0].LastSeq != 5 || cs[0].Unread != 5 {
		t.Fatalf("ben before reading: %+v", cs[0])
	}
	tab1, tab2 := ben.Dial(), ben.Dial()
	tab1.Send(map[string]any{"type": "read", "channel": ch.ID, "seq": 3})
	if f := tab2.Next("read"); f.Num("seq") != 3 {
		t.Fatalf("other tab: %v", f)
	}
	if cs := ben.Channels(); cs[0].Unread != 2 {
		t.Fatalf("ben after reading 3: %+v", cs[0])
	}
	tab1.Send(map[string]any{"type": "read", "channel": ch.ID, "seq": 99})
	tab2.Next("read")
	if cs := ben.Channels(); cs[0].Unread != 0 {
		t.Fatalf("ben after reading all: %+v", cs[0])
	}
}

func TestSendRateLimit(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("flood", false)
	w := ana.Dial()
	// Far more than the burst of 200 plus what 20 a second refill while the
	// server works through them, even on a slow machine.
	const sends = 600
	for i := 0; i < sends; i++ {
		send(w, fmt.Sprint("f", i), ch.ID, "spam")
	}
	acked, limited := 0, 0
	for acked+limited < sends {
		f := w.Read()
		switch f.Str("type") {
		case "ack":
			acked++
		case "error":
			if f.Str("code") != "rate_limited" {
				t.Fatalf("error %v", f)
			}
			limited++
		}
	}
	if limited == 0 {
		t.Fatalf("%d sends at once were never rate limited", sends)
	}
	if acked < 200 {
		t.Fatalf("only %d of a burst of 200 were accepted", acked)
	}
}

func TestTypingAndPresence(t *testing.T) {
	ana, ben := anaAndBen(t)
	dm := ana.DM("ben")
	wb := ben.Dial()
	wa := ana.Dial()
	if f := wb.Next("presence"); f.Str("user") != "ana" || f.Str("status") != "online" {
		// ben may first see his own presence.
		if f.Str("user") != "ben" {
			t.Fatalf("presence %v", f)
		}
		if f = wb.Next("presence"); f.Str("user") != "ana" || f.Str("status") != "online" {
			t.Fatalf("presence %v", f)
		}
	}
	wa.Send(map[string]any{"type": "typing", "channel": dm.ID})
	if f := wb.Next("typing"); f.Str("user") != "ana" || f.Str("channel") != dm.ID {
		t.Fatalf("typing %v", f)
	}
	wa.Send(map[string]any{"type": "presence", "status": "away"})
	if f := wb.Next("presence"); f.Str("user") != "ana" || f.Str("status") != "away" {
		t.Fatalf("away %v", f)
	}
	var users struct {
		Users []struct{ Name, Status string }
	}
	ben.Do("GET", "/api/users", nil, &users)
	for _, u := range users.Users {
		if u.Name == "ana" && u.Status != "away" {
			t.Fatalf("/api/users says ana is %s", u.Status)
		}
	}
	wa.Conn.Close()
	if f := wb.Next("presence"); f.Str("user") != "ana" || f.Str("status") != "offline" {
		t.Fatalf("offline %v", f)
	}
}

func TestPolicyMustBeAcceptedBeforeSending(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("rules", false)
	w := ana.Dial()
	if _, err := ts.Store().SetPolicy("New rules: be kind.", "Archived."); err != nil {
		t.Fatal(err)
	}
	send(w, "p1", ch.ID, "hello")
	if f := w.Next("error"); f.Str("code") != "policy_required" {
		t.Fatalf("send before accepting: %v", f)
	}
	var me struct {
		Policy struct {
			Version  int
			Accepted bool
		}
	}
	ana.Do("GET", "/api/me", nil, &me)
	if me.Policy.Version != 2 || me.Policy.Accepted {
		t.Fatalf("me.policy = %+v", me.Policy)
	}
	if st := ana.Do("POST", "/api/policy/accept", map[string]int{"version": 1}, nil); st != 400 {
		t.Fatalf("accepting an old version: %d", st)
	}
	ana.Do("POST", "/api/policy/accept", map[string]int{"version": 2}, nil)
	send(w, "p1", ch.ID, "hello")
	if f := w.Next("ack"); f.Num("seq") != 1 {
		t.Fatalf("after accepting: %v", f)
	}
}

// anaAndBen starts a server with two members and signs both in.
func anaAndBen(t *testing.T, edit ...func(*server.Config)) (*servertest.Client, *servertest.Client) {
	ts := servertest.Start(t, edit...)
	ts.AddUser("ana", "member")
	ts.AddUser("ben", "member")
	return ts.Login("ana"), ts.Login("ben")
}
