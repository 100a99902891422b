package server_test

import (
	"strings"
	"testing"
	"time"

	"inhouse/server/rules"
	"inhouse/server/servertest"
)

// TestContentRules sends through the real server: a blocked text is
// refused and nothing of it is stored, a masked one reaches members masked
// while the auditor reads the original, and both land in the review queue.
func TestContentRules(t *testing.T) {
	ts := servertest.Start(t)
	ts.AddUser("ana", "member")
	ts.AddUser("ben", "member")
	ts.AddUser("aud", "auditor")
	list := append(rules.Defaults(), rules.Rule{ID: "falcon", Name: "Project Falcon", Kind: rules.KindPattern,
		Pattern: `(?i)project\s+falcon`, Action: rules.ActionBlock, Enabled: true})
	if err := ts.Store().SaveRules(list); err != nil {
		t.Fatal(err)
	}
	ana, ben := ts.Login("ana"), ts.Login("ben")
	dm := ana.DM("ben")
	wa, wb := ana.Dial(), ben.Dial()

	send(wa, "b1", dm.ID, "the launch date of Project  Falcon is June 3")
	if f := wa.Next("error"); f.Str("code") != "blocked" || f.Str("id") != "b1" || !strings.Contains(f.Str("message"), "Project Falcon") {
		t.Fatalf("blocked send: %v", f)
	}
	if ts.Store().LastSeq(dm.ID) != 0 {
		t.Fatal("a blocked message was stored")
	}

	send(wa, "m1", dm.ID, "my card is 4111 1111 1111 1111, thanks")
	wa.Next("ack")
	got := wb.Next("message")
	if strings.Contains(got.Str("text"), "4111") || !strings.Contains(got.Str("text"), "•") || !strings.HasSuffix(got.Str("text"), ", thanks") {
		t.Fatalf("member got %q", got.Str("text"))
	}
	wb.Send(map[string]any{"type": "history", "channel": dm.ID})
	if h := wb.Next("history")["messages"].([]any)[0].(map[string]any)["text"].(string); strings.Contains(h, "4111") {
		t.Fatalf("history shows %q", h)
	}
	var res searchAnswer
	ben.Do("GET", "/api/search?q=4111", nil, &res)
	if len(res.Results) != 0 {
		t.Fatalf("member search finds the masked number: %+v", res.Results)
	}
	aud := ts.Login("aud")
	aud.Do("GET", "/api/archive/search?q=4111", nil, &res)
	if len(res.Results) != 1 || !strings.Contains(res.Results[0].Message.Text, "4111 1111 1111 1111") {
		t.Fatalf("auditor search: %+v", res.Results)
	}

	flags := ts.Store().Flags(true, 10)
	servertest.Eventually(5*time.Second, func() bool { // the mask flag is queued after delivery
		flags = ts.Store().Flags(true, 10)
		return len(flags) >= 2
	})
	if len(flags) != 2 {
		t.Fatalf("review queue: %+v", flags)
	}
	for _, f := range flags {
		if strings.Contains(f.Excerpt, "Falcon") || strings.Contains(f.Excerpt, "4111") {
			t.Fatalf("the queue keeps the matched text: %q", f.Excerpt)
		}
	}
}
