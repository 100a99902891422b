package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"inhouse/server/archive"
	"inhouse/server/servertest"
)

type searchAnswer struct {
	Results []struct {
		ChannelName string `json:"channel_name"`
		Message     struct {
			Channel string
			Seq     uint64
			From    string
			Text    string
			Kind    string
		}
		Context []json.RawMessage
	}
	Next uint64
}

func TestEditAndDeleteKeepEveryVersion(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ts.AddUser("ben", "member")
	ts.AddUser("aud", "auditor")
	ana, ben := ts.Login("ana"), ts.Login("ben")
	ch := ana.CreateChannel("plans", false, "ben")
	wa, wb := ana.Dial(), ben.Dial()
	send(wa, "m1", ch.ID, "meet at noon")
	wa.Next("ack")
	wa.Next("message")
	wb.Next("message")

	wb.Send(map[string]any{"type": "edit", "id": "e0", "channel": ch.ID, "seq": 1, "text": "not yours"})
	if f := wb.Next("error"); f.Str("code") != "forbidden" {
		t.Fatalf("editing another's message: %v", f)
	}
	wa.Send(map[string]any{"type": "edit", "id": "e1", "channel": ch.ID, "seq": 1, "text": "meet at one"})
	if f := wa.Next("ack"); f.Num("seq") != 2 {
		t.Fatalf("edit ack: %v", f)
	}
	wa.Next("message")
	if f := wb.Next("message"); f.Str("kind") != "edit" || f.Num("ref") != 1 || f.Str("text") != "meet at one" {
		t.Fatalf("edit frame: %v", f)
	}
	wb.Send(map[string]any{"type": "history", "channel": ch.ID})
	first := wb.Next("history")["messages"].([]any)[0].(map[string]any)
	if first["text"] != "meet at one" || first["edited"] != true {
		t.Fatalf("history after edit: %v", first)
	}
	wa.Send(map[string]any{"type": "delete", "id": "d1", "channel": ch.ID, "seq": 1})
	wa.Next("ack")
	if f := wb.Next("message"); f.Str("kind") != "delete" || f.Num("ref") != 1 {
		t.Fatalf("delete frame: %v", f)
	}
	wb.Send(map[string]any{"type": "history", "channel": ch.ID})
	msgs := wb.Next("history")["messages"].([]any)
	for _, m := range msgs {
		if txt := m.(map[string]any)["text"]; txt != "" {
			t.Fatalf("after delete a member still reads %q", txt)
		}
	}
	// Members no longer find it; the auditor finds every version.
	var res searchAnswer
	ben.Do("GET", "/api/search?q=meet", nil, &res)
	if len(res.Results) != 0 {
		t.Fatalf("member finds a deleted message: %+v", res.Results)
	}
	aud := ts.Login("aud")
	aud.Do("GET", "/api/archive/search?q=meet", nil, &res)
	texts := []string{}
	for _, r := range res.Results {
		texts = append(texts, r.Message.Text)
	}
	if strings.Join(texts, "|") != "meet at one|meet at noon" {
		t.Fatalf("auditor's versions, newest first: %v", texts)
	}
}

func TestSearchOnlyWhatOneMayRead(t *testing.T) {
	ts := servertest.Start(t)
	for _, n := range []string{"ana", "ben", "eve"} {
		ts.AddUser(n, "member")
	}
	ts.AddUser("aud", "auditor")
	ana, eve := ts.Login("ana"), ts.Login("eve")
	dm := ana.DM("ben")
	pub := ana.CreateChannel("general", false, "eve")
	wa := ana.Dial()
	send(wa, "1", dm.ID, "the salary figures are attached")
	wa.Next("ack")
	wa.Next("message")
	send(wa, "2", pub.ID, "salary day is friday")
	wa.Next("ack")
	var res searchAnswer
	if st := eve.Do("GET", "/api/search?q=salary", nil, &res); st != 200 {
		t.Fatalf("search: %d", st)
	}
	if len(res.Results) != 1 || res.Results[0].Message.Channel != pub.ID {
		t.Fatalf("eve finds %+v", res.Results)
	}
	if st := eve.Do("GET", "/api/search?q=salary&channel="+dm.ID, nil, &res); st != 200 || len(res.Results) != 0 {
		t.Fatalf("eve searching ana and ben's direct messages: %d %+v", st, res.Results)
	}
	if st := eve.Do("GET", "/api/archive/search?q=salary", nil, nil); st != 403 {
		t.Fatalf("member uses the archive search: %d", st)
	}
	// Each auditor search adds exactly one read record.
	aud := ts.Login("aud")
	before := len(ts.Store().ReadLog(0, 1000))
	aud.Do("GET", "/api/archive/search?q=salary", nil, &res)
	if len(res.Results) != 2 {
		t.Fatalf("auditor finds %d", len(res.Results))
	}
	aud.Do("GET", "/api/archive/search?from=ana&q=figures", nil, &res)
	log := ts.Store().ReadLog(0, 1000)
	if len(log) != before+2 || log[0].By != "aud" || log[0].Action != "search" || log[0].Results != 1 {
		t.Fatalf("read log: %+v", log)
	}
}

func TestSearchPagesNewestFirst(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ana := ts.Login("ana")
	ch := ana.CreateChannel("log", false)
	w := ana.Dial()
	for i := 1; i <= 45; i++ {
		send(w, fmt.Sprint(i), ch.ID, fmt.Sprintf("invoice %d paid", i))
		w.Next("ack")
		w.Next("message")
	}
	var seqs []uint64
	next := uint64(0)
	for page := 0; page < 5; page++ {
		var res searchAnswer
		ana.Do("GET", fmt.Sprintf("/api/search?q=invoice+paid&limit=20&before=%d", next), nil, &res)
		for _, r := range res.Results {
			seqs = append(seqs, r.Message.Seq)
		}
		if res.Next == 0 {
			break
		}
		next = res.Next
	}
	if len(seqs) != 45 || seqs[0] != 45 || seqs[44] != 1 {
		t.Fatalf("paged seqs: %v", seqs)
	}
}

// Edits and deletes pass the checks sends pass: an archived channel takes
// none, and content rules run only for members (a stranger cannot fill the
// review queue).
func TestEditsFollowTheChannelRules(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ts.AddUser("eve", "member")
	ana, eve := ts.Login("ana"), ts.Login("eve")
	ch := ana.CreateChannel("old-news", false)
	wa := ana.Dial()
	send(wa, "m1", ch.ID, "first draft")
	wa.Next("ack")
	we := eve.Dial()
	we.Send(map[string]any{"type": "edit", "id": "x", "channel": ch.ID, "seq": 1, "text": "-----BEGIN PRIVATE KEY-----"})
	if f := we.Next("error"); f.Str("code") != "forbidden" {
		t.Fatalf("a stranger's edit: %v", f)
	}
	if n := len(ts.Store().Flags(true, 10)); n != 0 {
		t.Fatalf("a stranger's edit put %d entries on the review queue", n)
	}
	if _, err := ts.Store().UpdateChannel(ch.ID, func(c *archive.Channel) error { c.Archived = true; return nil }); err != nil {
		t.Fatal(err)
	}
	wa.Send(map[string]any{"type": "edit", "id": "e1", "channel": ch.ID, "seq": 1, "text": "final"})
	if f := wa.Next("error"); f.Str("code") != "forbidden" {
		t.Fatalf("edit in an archived channel: %v", f)
	}
	wa.Send(map[string]any{"type": "delete", "id": "d1", "channel": ch.ID, "seq": 1})
	if f := wa.Next("error"); f.Str("code") != "forbidden" {
		t.Fatalf("delete in an archived channel: %v", f)
	}
}
