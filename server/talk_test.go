package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"inhouse/server/archive"
	"inhouse/server/servertest"
)

// talkOffice: Ana, Ben and Cleo in #team; the boss is the office manager.
func talkOffice(t *testing.T) (*servertest.Server, map[string]*servertest.Client, servertest.Channel) {
	ts := servertest.Start(t)
	people := map[string]*servertest.Client{}
	ts.AddUser("boss", "admin")
	for _, n := range []string{"ana", "ben", "cleo", "dan"} {
		ts.AddUser(n, "member")
	}
	for _, n := range []string{"boss", "ana", "ben", "cleo", "dan"} {
		people[n] = ts.Login(n)
	}
	ch := people["ana"].CreateChannel("team", true, "ben", "cleo", "boss")
	return ts, people, ch
}

// historyOf is the channel's newest messages as the person's history sees them.
func historyOf(t *testing.T, ws *servertest.WS, channel string) map[uint64]map[string]any {
	t.Helper()
	ws.Send(map[string]any{"type": "history", "channel": channel, "limit": 100})
	out := map[uint64]map[string]any{}
	for _, m := range ws.Next("history")["messages"].([]any) {
		mm := m.(map[string]any)
		out[uint64(mm["seq"].(float64))] = mm
	}
	return out
}

// messageNo reads message frames until the one of seq.
func messageNo(t *testing.T, ws *servertest.WS, seq uint64) servertest.Frame {
	t.Helper()
	for {
		if m := ws.Next("message"); m.Num("seq") == seq {
			return m
		}
	}
}

// refused sends frame and expects an error frame of code.
func refused(t *testing.T, ws *servertest.WS, frame map[string]any, code string) {
	t.Helper()
	ws.Send(frame)
	if e := ws.Next("error"); e.Str("code") != code {
		t.Fatalf("%v: got %v, want %s", frame, e, code)
	}
}

func TestRepliesMakeThreadsPeopleFollow(t *testing.T) {
	ts, p, ch := talkOffice(t)
	wa, wb, wc := p["ana"].Dial(), p["ben"].Dial(), p["cleo"].Dial()
	send(wa, "root", ch.ID, "Who has the Lisbon invoice?")
	wa.Next("ack")
	wb.Send(map[string]any{"type": "send", "id": "r1", "channel": ch.ID, "text": "I do, @cleo checks it", "parent": 1})
	if ack := wb.Next("ack"); ack.Num("seq") != 2 {
		t.Fatalf("reply ack %v", ack)
	}
	if m := messageNo(t, wc, 2); m.Num("parent") != 1 || m.Str("text") != "I do, @cleo checks it" {
		t.Fatalf("the reply as members get it: %v", m)
	}
	// A reply to a reply joins the thread of the root; "also" shows it in the channel.
	wc.Send(map[string]any{"type": "send", "id": "r2", "channel": ch.ID, "text": "Checked.", "parent": 2, "also": true})
	wc.Next("ack")
	h := historyOf(t, wa, ch.ID)
	if h[3]["parent"].(float64) != 1 || h[3]["also"] != true {
		t.Fatalf("a reply to a reply: %v", h[3])
	}
	th, _ := h[1]["thread"].(map[string]any)
	if th == nil || th["replies"].(float64) != 2 || fmt.Sprint(th["people"]) != "[ben cleo]" {
		t.Fatalf("the root's thread: %v", h[1])
	}
	refused(t, wa, map[string]any{"type": "send", "id": "x1", "channel": ch.ID, "text": "?", "parent": 99}, "not_found")

	// Who follows: the root's author, those who replied, those mentioned.
	type threads struct {
		Threads []struct {
			Channel string
			Seq     uint64
			Replies int
			Unread  int
		}
	}
	for _, who := range []string{"ana", "ben", "cleo"} {
		var got threads
		p[who].Do("GET", "/api/threads", nil, &got)
		if len(got.Threads) != 1 || got.Threads[0].Seq != 1 || got.Threads[0].Replies != 2 {
			t.Fatalf("%s follows %+v", who, got)
		}
	}
	var boss threads
	p["boss"].Do("GET", "/api/threads", nil, &boss)
	if len(boss.Threads) != 0 {
		t.Fatalf("the boss follows a thread he is not in: %+v", boss)
	}
	var ana threads
	p["ana"].Do("GET", "/api/threads", nil, &ana)
	if ana.Threads[0].Unread != 2 {
		t.Fatalf("ana's unread replies: %+v", ana)
	}
	wa.Send(map[string]any{"type": "read", "channel": ch.ID, "seq": 3, "thread": 1})
	servertest.WaitFor(t, "ana's thread read", 5e9, func() bool {
		p["ana"].Do("GET", "/api/threads", nil, &ana)
		return ana.Threads[0].Unread == 0
	})
	// Replies kept in their thread are not unread in the channel; "also" is.
	var chans struct{ Channels []servertest.Channel }
	p["boss"].Do("GET", "/api/channels", nil, &chans)
	for _, c := range chans.Channels {
		if c.ID == ch.ID && c.Unread != 2 {
			t.Fatalf("the boss's unread in #team: %d, want 2 (the root and the reply shown in the channel)", c.Unread)
		}
	}
	// The archive keeps the relation.
	if m, _ := ts.Store().RawMessage(ch.ID, 3); m.Parent != 1 {
		t.Fatalf("stored reply: %+v", m)
	}
}

func TestReactionsArePerPersonRecords(t *testing.T) {
	ts, p, ch := talkOffice(t)
	wa, wb := p["ana"].Dial(), p["ben"].Dial()
	send(wb, "m1", ch.ID, "Lunch at 12?")
	wb.Next("ack")
	wa.Send(map[string]any{"type": "react", "id": "r1", "channel": ch.ID, "seq": 1, "emoji": "👍"})
	wa.Next("ack")
	if m := messageNo(t, wb, 2); m.Str("kind") != "react" || m.Num("ref") != 1 || m.Str("text") != "👍" || m.Str("from") != "ana" {
		t.Fatalf("the reaction as members get it: %v", m)
	}
	last := ts.Store().LastSeq(ch.ID)
	wa.Send(map[string]any{"type": "react", "id": "r2", "channel": ch.ID, "seq": 1, "emoji": "👍"})
	if ack := wa.Next("ack"); ack.Num("seq") != 1 || ts.Store().LastSeq(ch.ID) != last {
		t.Fatalf("a second identical reaction was stored: ack %v, last seq %d → %d", ack, last, ts.Store().LastSeq(ch.ID))
	}
	wb.Send(map[string]any{"type": "react", "id": "r3", "channel": ch.ID, "seq": 1, "emoji": "👍"})
	wb.Next("ack")
	h := historyOf(t, wa, ch.ID)
	if got, _ := json.Marshal(h[1]["reactions"]); string(got) != `[{"emoji":"👍","people":["ana","ben"]}]` {
		t.Fatalf("reactions: %s", got)
	}
	wa.Send(map[string]any{"type": "react", "id": "r4", "channel": ch.ID, "seq": 1, "emoji": "👍", "remove": true})
	wa.Next("ack")
	h = historyOf(t, wa, ch.ID)
	if got, _ := json.Marshal(h[1]["reactions"]); string(got) != `[{"emoji":"👍","people":["ben"]}]` {
		t.Fatalf("after taking one back: %s", got)
	}
	refused(t, wa, map[string]any{"type": "react", "id": "r5", "channel": ch.ID, "seq": 1, "emoji": "smile"}, "bad_request")
	refused(t, wa, map[string]any{"type": "react", "id": "r6", "channel": ch.ID, "seq": 99, "emoji": "👍"}, "not_found")
	refused(t, wa, map[string]any{"type": "react", "id": "r7", "channel": ch.ID, "seq": 2, "emoji": "👍"}, "not_found") // a reaction is not a message
	wd := p["dan"].Dial()
	refused(t, wd, map[string]any{"type": "react", "id": "r8", "channel": ch.ID, "seq": 1, "emoji": "👍"}, "forbidden")
	// Reactions are not unread.
	var chans struct{ Channels []servertest.Channel }
	p["cleo"].Do("GET", "/api/channels", nil, &chans)
	for _, c := range chans.Channels {
		if c.ID == ch.ID && c.Unread != 1 {
			t.Fatalf("cleo's unread: %d, want 1", c.Unread)
		}
	}
}

func TestPinsSavedAndTheChannelMenu(t *testing.T) {
	ts, p, ch := talkOffice(t)
	wa, wb := p["ana"].Dial(), p["ben"].Dial()
	send(wa, "m1", ch.ID, "The wifi password is on the fridge.")
	wa.Next("ack")
	wb.Send(map[string]any{"type": "pin", "id": "p1", "channel": ch.ID, "seq": 1})
	wb.Next("ack")
	var pins struct{ Messages []map[string]any }
	if p["cleo"].Do("GET", "/api/channels/"+ch.ID+"/pins", nil, &pins); len(pins.Messages) != 1 || pins.Messages[0]["pinned"] != true {
		t.Fatalf("pins: %+v", pins)
	}
	if st := p["dan"].Do("GET", "/api/channels/"+ch.ID+"/pins", nil, nil); st != 404 {
		t.Fatalf("pins of a channel one is not in: %d", st)
	}

	if st := p["ben"].Do("POST", "/api/saved", map[string]any{"channel": ch.ID, "seq": 1}, nil); st != 200 {
		t.Fatalf("save: %d", st)
	}
	var saved struct{ Messages []map[string]any }
	if p["ben"].Do("GET", "/api/saved", nil, &saved); len(saved.Messages) != 1 {
		t.Fatalf("saved: %+v", saved)
	}
	if st := p["dan"].Do("POST", "/api/saved", map[string]any{"channel": ch.ID, "seq": 1}, nil); st != 404 {
		t.Fatalf("saving a message of a channel one is not in: %d", st)
	}
	p["ben"].Do("DELETE", fmt.Sprintf("/api/saved/%s/1", ch.ID), nil, nil)
	if p["ben"].Do("GET", "/api/saved", nil, &saved); len(saved.Messages) != 0 {
		t.Fatalf("unsaved: %+v", saved)
	}

	var out struct{ Channel map[string]any }
	if st := p["ben"].Do("POST", "/api/channels/"+ch.ID+"/topic", map[string]any{"topic": "Invoices and orders"}, &out); st != 200 || out.Channel["topic"] != "Invoices and orders" {
		t.Fatalf("topic: %d %v", st, out)
	}
	if st := p["ben"].Do("POST", "/api/channels/"+ch.ID+"/topic", map[string]any{"topic": strings.Repeat("x", 251)}, nil); st != 400 {
		t.Fatalf("a long topic: %d", st)
	}
	if st := p["ben"].Do("PUT", "/api/channels/"+ch.ID+"/notify", map[string]any{"notify": "mentions", "muted": true}, &out); st != 200 || out.Channel["notify"] != "mentions" || out.Channel["muted"] != true {
		t.Fatalf("notify: %d %v", st, out)
	}
	if st := p["ben"].Do("PUT", "/api/channels/"+ch.ID+"/notify", map[string]any{"notify": "loud"}, nil); st != 400 {
		t.Fatalf("a made-up level: %d", st)
	}

	// Adding people, then leaving: the channel stops arriving.
	wd := p["dan"].Dial()
	if st := p["ben"].Do("POST", "/api/channels/"+ch.ID+"/members", map[string]any{"add": []string{"dan"}}, nil); st != 200 {
		t.Fatalf("add dan: %d", st)
	}
	if f := wd.Next("channel"); f["channel"].(map[string]any)["id"] != ch.ID {
		t.Fatalf("dan was not told: %v", f)
	}
	if st := p["dan"].Do("POST", "/api/channels/"+ch.ID+"/leave", nil, nil); st != 200 {
		t.Fatalf("leave: %d", st)
	}
	if f := wd.Next("left"); f.Str("channel") != ch.ID {
		t.Fatalf("left frame: %v", f)
	}
	send(wa, "m2", ch.ID, "after dan left")
	wa.Next("ack")
	wd.Quiet(300e6)
	dm := p["ana"].DM("ben")
	if st := p["ana"].Do("POST", "/api/channels/"+dm.ID+"/leave", nil, nil); st != 400 {
		t.Fatalf("leaving a direct conversation: %d", st)
	}
	_ = ts
}

func TestGroupsEditWindowAndNotifyingEveryone(t *testing.T) {
	ts, p, ch := talkOffice(t)
	var g1, g2 struct{ Channel servertest.Channel }
	if st := p["ana"].Do("POST", "/api/dm", map[string]any{"users": []string{"ben", "cleo"}}, &g1); st != 200 || len(g1.Channel.Members) != 3 || g1.Channel.Kind != "direct" {
		t.Fatalf("a group of three: %d %+v", st, g1)
	}
	if p["cleo"].Do("POST", "/api/dm", map[string]any{"users": []string{"ana", "ben"}}, &g2); g2.Channel.ID != g1.Channel.ID {
		t.Fatalf("the same people got another conversation: %s and %s", g1.Channel.ID, g2.Channel.ID)
	}
	many := []string{"ben", "cleo", "dan", "boss", "x1", "x2", "x3", "x4"}
	if st := p["ana"].Do("POST", "/api/dm", map[string]any{"users": many}, nil); st != 400 && st != 404 {
		t.Fatalf("nine people: %d", st)
	}

	wa := p["ana"].Dial()
	send(wa, "m1", ch.ID, "typo")
	wa.Next("ack")
	set := ts.Store().Settings()
	set.EditWindow, set.MentionAllBy = -1, archive.AdminsOnly
	if err := ts.Store().SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	refused(t, wa, map[string]any{"type": "edit", "id": "e1", "channel": ch.ID, "seq": 1, "text": "fixed"}, "forbidden")
	refused(t, wa, map[string]any{"type": "delete", "id": "d1", "channel": ch.ID, "seq": 1}, "forbidden")
	refused(t, wa, map[string]any{"type": "send", "id": "m2", "channel": ch.ID, "text": "@channel lunch!"}, "forbidden")
	wboss := p["boss"].Dial()
	send(wboss, "m3", ch.ID, "@channel the office closes at 3 today")
	if ack := wboss.Next("ack"); ack.Num("seq") == 0 {
		t.Fatalf("the manager's @channel: %v", ack)
	}
	var me map[string]any
	p["ana"].Do("GET", "/api/me", nil, &me)
	if me["edit_window"].(float64) != -1 || me["mention_all_by"] != "admins" || me["mention_confirm_above"].(float64) != 20 {
		t.Fatalf("/api/me: %v", me)
	}
}

// Search matches word starts, and filters by links, files and pins
// (docs/search.md).
func TestSearchPrefixesAndFilters(t *testing.T) {
	_, p, ch := talkOffice(t)
	wa := p["ana"].Dial()
	for i, text := range []string{"The printer on floor 2 is jammed", "Manual: https://intranet.example/printers", "lunch?"} {
		send(wa, fmt.Sprint("s", i), ch.ID, text)
		wa.Next("ack")
	}
	wa.Send(map[string]any{"type": "pin", "id": "p1", "channel": ch.ID, "seq": 3})
	wa.Next("ack")
	search := func(query string) []uint64 {
		var out struct {
			Results []struct{ Message struct{ Seq uint64 } }
		}
		if st := p["ben"].Do("GET", "/api/search?"+query, nil, &out); st != 200 {
			t.Fatalf("%s: %d", query, st)
		}
		var seqs []uint64
		for _, r := range out.Results {
			seqs = append(seqs, r.Message.Seq)
		}
		return seqs
	}
	for _, c := range []struct{ query, want string }{
		{"q=print", "[2 1]"},   // printer, printers
		{"q=pr", "[]"},         // too short to be a prefix
		{"q=printer", "[2 1]"}, // printers starts with printer
		{"q=print+jammed", "[1]"},
		{"has=link", "[2]"},
		{"q=print&has=link", "[2]"},
		{"is=pinned", "[3]"},
		{"q=lunch&is=pinned", "[3]"},
		{"q=print&is=pinned", "[]"},
	} {
		if got := fmt.Sprint(search(c.query)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.query, got, c.want)
		}
	}
	if st := p["ben"].Do("GET", "/api/search?has=cats", nil, nil); st != 400 {
		t.Fatalf("has:cats: %d", st)
	}
}
