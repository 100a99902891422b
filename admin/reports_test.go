package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"inhouse/server/archive"
)

func TestReportsCountWithoutShowingContent(t *testing.T) {
	ts := start(t)
	ts.AddUser("audra", "auditor")
	ts.AddUser("ben", "member")
	if err := ts.Store().AddUser(archive.User{Name: "eve", Display: "<b>Eve</b>", Role: "member", Hash: "x"}); err != nil {
		t.Fatal(err)
	}
	general := channelID(t, ts, "general", "mia", "eve")
	for _, from := range []string{"mia", "mia", "eve"} {
		say(t, ts, archive.Post{Channel: general, From: from, Text: "secret plans"})
	}
	m := say(t, ts, archive.Post{Channel: general, From: "boss", Text: "hello"})
	say(t, ts, archive.Post{Channel: general, From: "boss", Text: "hello all", Kind: archive.KindEdit, Ref: m.Seq})
	dm := ts.Login("mia").DM("ben")
	say(t, ts, archive.Post{Channel: dm.ID, From: "ben", Text: "private note"})

	boss := signIn(t, ts, "boss")
	p := boss.get("/admin/reports?days=7")
	if p.Status != 200 || !strings.Contains(p.Body, "Messages per day") || !strings.Contains(p.Body, "Hour of the week") || !strings.Contains(p.Body, "Most active people") {
		t.Fatalf("reports: %d\n%s", p.Status, excerpt(p.Body))
	}
	if strings.Contains(p.Body, "secret plans") || strings.Contains(p.Body, "private note") || strings.Contains(p.Body, dm.ID) {
		t.Fatalf("the reports show content or a direct conversation")
	}
	if strings.Contains(p.Body, "<b>Eve</b>") || !strings.Contains(p.Body, "&lt;b&gt;Eve&lt;/b&gt;") {
		t.Fatalf("a name was not escaped")
	}
	if strings.Contains(p.Body, "style=") || strings.Contains(p.Body, "<style") {
		t.Fatalf("inline style")
	}
	if got := strings.Count(p.Body, `class="heat heat-`); got != 7*24 {
		t.Fatalf("hour grid has %d cells", got)
	}
	csv := map[string]string{
		"days":     ",5\n", // today: 5 messages, the edit left out
		"channels": general + ",#general,4\n,direct conversations (together),1\n",
		"people":   "mia,Mia,2\n",
		"hours":    "Monday,",
	}
	for name, want := range csv {
		p := boss.get("/admin/reports/" + name + ".csv?days=7")
		if p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") || !strings.Contains(p.Body, want) {
			t.Fatalf("%s.csv: %d %q, want %q in:\n%s", name, p.Status, p.Header.Get("Content-Type"), want, p.Body)
		}
	}
	if p := boss.get("/admin/reports/nothing.csv"); p.Status != 404 {
		t.Fatalf("unknown CSV: %d", p.Status)
	}
	for who, b := range map[string]*browser{"auditor": signIn(t, ts, "audra"), "member": signIn(t, ts, "mia")} {
		for _, path := range []string{"/admin/reports", "/admin/reports/people.csv", "/admin/retention"} {
			if p := b.get(path); p.Status != http.StatusForbidden {
				t.Fatalf("%s GET %s: %d", who, path, p.Status)
			}
		}
	}
	if p := signedOut(t, ts).get("/admin/reports"); p.Status != http.StatusSeeOther {
		t.Fatalf("signed out: %d", p.Status)
	}
}

func TestRetentionIsTheOfficeManagers(t *testing.T) {
	ts := start(t)
	ts.AddUser("audra", "auditor")
	general := channelID(t, ts, "general", "mia")
	boss := signIn(t, ts, "boss")
	if p := boss.get("/admin/retention"); p.Status != 200 || !strings.Contains(p.Body, "Messages are kept forever.") {
		t.Fatalf("retention page: %d", p.Status)
	}
	form := url.Values{"keep": {"days"}, "days": {"30"}, "hold_user": {"mia", "nobody"}, "hold_channel": {general}}
	if p := boss.post("/admin/retention", form, nil); p.Status != 400 || !strings.Contains(p.Body, `id="e-confirm"`) {
		t.Fatalf("shortening without the tick: %d", p.Status)
	}
	if rt := ts.Store().Retention(); rt.Days != 0 {
		t.Fatalf("stored without the tick: %+v", rt)
	}
	if p := boss.post("/admin/retention", url.Values{"keep": {"days"}, "days": {"0"}}, nil); p.Status != 400 || !strings.Contains(p.Body, `id="e-days"`) {
		t.Fatalf("zero days: %d", p.Status)
	}
	form.Set("confirm", "yes")
	p := boss.mustPost("/admin/retention", form)
	rt := ts.Store().Retention()
	if rt.Days != 30 || len(rt.HoldUsers) != 1 || rt.HoldUsers[0] != "mia" || len(rt.HoldChannels) != 1 || rt.HoldChannels[0] != general {
		t.Fatalf("stored: %+v", rt)
	}
	if !strings.Contains(p.Body, "kept for 30 days") || !strings.Contains(p.Body, "Legal hold: Mia (mia), #general.") {
		t.Fatalf("after saving:\n%s", excerpt(p.Body))
	}
	if p := boss.get("/admin/audit"); !strings.Contains(p.Body, "Changed retention") || !strings.Contains(p.Body, "Was: Messages are kept forever.") {
		t.Fatalf("not in the audit log:\n%s", excerpt(p.Body))
	}
	// Longer again needs no tick.
	boss.mustPost("/admin/retention", url.Values{"keep": {"forever"}})
	if rt := ts.Store().Retention(); rt.Days != 0 || len(rt.HoldUsers) != 0 {
		t.Fatalf("forever: %+v", rt)
	}
	if p := signIn(t, ts, "audra").post("/admin/retention", url.Values{"keep": {"days"}, "days": {"1"}, "confirm": {"yes"}}, nil); p.Status != 403 || ts.Store().Retention().Days != 0 {
		t.Fatalf("an auditor set retention: %d", p.Status)
	}
}
