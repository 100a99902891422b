package admin_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"inhouse/server/archive"
	"inhouse/server/servertest"
)

func TestChannelsFromTheConsoleReachTheChat(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	ts.AddUser("ben", "member")
	mia := ts.Login("mia")
	ws := mia.Dial()

	p := boss.post("/admin/channels/new", url.Values{"name": {"bad name!"}, "kind": {"public"}, "member": {"mia"}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-name"`) || !strings.Contains(p.Body, `value="mia" checked`) {
		t.Fatalf("invalid channel form: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.mustPost("/admin/channels/new", url.Values{"name": {"Front Desk"}, "kind": {"private"}, "announce": {"on"}, "member": {"mia", "boss"}})
	if !strings.Contains(p.Body, "#front-desk was created") {
		t.Fatalf("no flash:\n%s", excerpt(p.Body))
	}
	var ch archive.Channel
	for _, c := range ts.Store().Channels(nil) {
		if c.Name == "front-desk" {
			ch = c
		}
	}
	if ch.ID == "" || ch.Kind != "private" || !ch.Announce || !ch.Has("mia") || ch.Has("ben") {
		t.Fatalf("stored channel: %+v", ch)
	}
	if f := ws.Next("channel"); !strings.Contains(f.Str("type"), "channel") {
		t.Fatalf("mia was not told: %v", f)
	}
	// Announcement channel: members may not post, admins may.
	ws.Send(map[string]any{"type": "send", "id": "a1", "channel": ch.ID, "text": "hello"})
	if f := ws.Next("error"); f.Str("code") != "forbidden" || !strings.Contains(f.Str("message"), "announcement") {
		t.Fatalf("member post in announcement channel: %v", f)
	}
	bossWS := ts.Login("boss").Dial()
	bossWS.Send(map[string]any{"type": "send", "id": "b1", "channel": ch.ID, "text": "Office closed Friday"})
	if f := bossWS.Next("ack"); f.Num("seq") != 1 {
		t.Fatalf("admin post: %v", f)
	}

	// Rename, add and remove members, archive.
	boss.mustPost("/admin/channels/"+ch.ID, url.Values{"name": {"reception"}, "kind": {"public"}})
	boss.mustPost("/admin/channels/"+ch.ID+"/members", url.Values{"member": {"ben"}})
	if p := boss.get("/admin/channels/" + ch.ID + "/remove/mia"); !strings.Contains(p.Body, "Remove Mia from #reception?") {
		t.Fatalf("remove confirmation does not name both")
	}
	boss.mustPost("/admin/channels/"+ch.ID+"/remove/mia", nil)
	got, _ := ts.Store().Channel(ch.ID)
	if got.Name != "reception" || got.Kind != "public" || got.Announce || got.Has("mia") || !got.Has("ben") {
		t.Fatalf("after edits: %+v", got)
	}
	boss.mustPost("/admin/channels/"+ch.ID+"/archive", nil)
	bossWS.Send(map[string]any{"type": "send", "id": "b2", "channel": ch.ID, "text": "still here?"})
	if f := nextError(bossWS); f.Str("code") != "forbidden" || !strings.Contains(f.Str("message"), "archived") {
		t.Fatalf("post in archived channel: %v", f)
	}
	if p := boss.get("/admin/channels"); !strings.Contains(p.Body, "Archived") {
		t.Fatalf("list does not show archived")
	}
	// Direct conversations are not the console's.
	dm := mia.DM("ben")
	if p := boss.get("/admin/channels/" + dm.ID); p.Status != 404 {
		t.Fatalf("direct conversation page: %d", p.Status)
	}
	if p := boss.get("/admin/channels"); strings.Contains(p.Body, dm.ID) {
		t.Fatalf("direct conversation listed")
	}
}

func TestPolicyNewVersionAndLedger(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	mia := ts.Login("mia") // accepts version 1
	ts.AddUser("ned", "member")
	p := boss.get("/admin/policy")
	if !strings.Contains(p.Body, "Save as version 2") || !strings.Contains(p.Body, "1 person not yet") {
		t.Fatalf("policy page:\n%s", excerpt(p.Body))
	}
	if p := boss.post("/admin/policy", url.Values{"text": {"  "}, "banner": {"a\nb"}}, nil); p.Status != 400 || !strings.Contains(p.Body, `id="e-text"`) || !strings.Contains(p.Body, `id="e-banner"`) {
		t.Fatalf("invalid policy: %d", p.Status)
	}
	boss.mustPost("/admin/policy", url.Values{"text": {"Use it for work. <b>Archived.</b>"}, "banner": {"Archived & monitored"}})
	var me struct {
		Policy struct {
			Version  int
			Accepted bool
		}
	}
	mia.Do("GET", "/api/me", nil, &me)
	if me.Policy.Version != 2 || me.Policy.Accepted {
		t.Fatalf("after a new version: %+v", me.Policy)
	}
	p = boss.get("/admin/policy?show=pending")
	if !strings.Contains(p.Body, "&lt;b&gt;Archived.&lt;/b&gt;") || !strings.Contains(p.Body, "1 (old)") || !strings.Contains(p.Body, "Never") {
		t.Fatalf("ledger:\n%s", excerpt(p.Body))
	}
	// Saving the same text again makes no new version.
	boss.mustPost("/admin/policy", url.Values{"text": {"Use it for work. <b>Archived.</b>"}, "banner": {"Archived & monitored"}})
	if v := ts.Store().Policy().Version; v != 2 {
		t.Fatalf("unchanged save made version %d", v)
	}
}

func TestSettingsTakeEffect(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	mia := ts.Login("mia")
	ts.AddUser("ben", "member")
	base := url.Values{"office": {"Ruiz & Co"}, "max_text": {"500"}, "channels_by": {"admins"}, "direct_by": {"admins"},
		"max_file_mb": {"20"}, "files_space_gb": {"0"}, "files_by": {"not_announce"}, "blocked_kinds": {"program", "script", "archive"},
		"editing": {"window"}, "edit_minutes": {"15"}, "mention_all_by": {"admins"}, "mention_confirm": {"30"}}
	// A list that leaves out the admin's own address would lock them out
	// (loopback is always allowed, so pretend to come from elsewhere is not
	// possible here; a bad network is refused instead).
	bad := url.Values{}
	for k, v := range base {
		bad[k] = v
	}
	bad.Set("allow", "10.0.0.0/8\nnot-a-net")
	bad.Set("max_text", "0")
	if p := boss.post("/admin/settings", bad, nil); p.Status != 400 || !strings.Contains(p.Body, `id="e-allow"`) || !strings.Contains(p.Body, `id="e-max_text"`) || !strings.Contains(p.Body, "not-a-net") {
		t.Fatalf("invalid settings: %d\n%s", p.Status, excerpt(p.Body))
	}
	base.Set("allow", "10.0.0.0/8, 192.168.5.7")
	boss.mustPost("/admin/settings", base)
	st := ts.Store().Settings()
	if st.OfficeName != "Ruiz & Co" || st.MaxText != 500 || !st.AdminsOnlyChannels() || !st.AdminsOnlyDirect() || len(st.Allow) != 2 ||
		st.MaxFileBytes() != 20<<20 || st.FilesBy != archive.FilesNotInAnnounce || !slices.Equal(st.Blocked(), []string{"program", "script", "archive"}) ||
		st.EditWindow != 15 || st.MentionAllBy != archive.AdminsOnly || st.ConfirmAbove() != 30 {
		t.Fatalf("stored: %+v", st)
	}
	// Loopback stays allowed, so this test still talks to the server.
	if !ts.Allowed(mustAddr("127.0.0.1")) || ts.Allowed(mustAddr("192.168.1.9")) || !ts.Allowed(mustAddr("192.168.5.7")) {
		t.Fatalf("allow-list not in force")
	}
	var out map[string]string
	if st := mia.Do("POST", "/api/channels", map[string]any{"name": "mine"}, &out); st != 403 {
		t.Fatalf("member created a channel: %d %v", st, out)
	}
	if st := mia.Do("POST", "/api/dm", map[string]any{"user": "ben"}, &out); st != 403 {
		t.Fatalf("member started a direct message: %d %v", st, out)
	}
	bossAPI := ts.Login("boss")
	bossAPI.CreateChannel("boss-made", false)
	bossAPI.DM("mia")
	mia.DM("boss") // the conversation exists: it continues
	// Back to the start-up list.
	base.Set("allow", "")
	base.Set("channels_by", "everyone")
	boss.mustPost("/admin/settings", base)
	if !ts.Allowed(mustAddr("192.168.1.9")) {
		t.Fatalf("empty list did not restore the start-up networks")
	}
	mia.CreateChannel("mine", false)
}

func TestAuditLogRecordsConsoleAndAPI(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	boss.mustPost("/admin/people/new", url.Values{"display": {"Ana Ruiz"}, "name": {"ana"}, "role": {"member"}})
	api := ts.Login("boss")
	if st := api.Do("POST", "/api/admin/users/mia/disable", nil, nil); st != 200 {
		t.Fatalf("API disable: %d", st)
	}
	entries, _, err := ts.Store().AuditLog(0, 10, nil)
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit entries: %+v %v", entries, err)
	}
	if e := entries[0]; e.Actor != "boss" || e.Via != "api" || e.Action != "person.disable" || e.Target != "mia" {
		t.Fatalf("API entry: %+v", e)
	}
	if e := entries[1]; e.Via != "console" || e.Action != "person.add" || e.Target != "ana" {
		t.Fatalf("console entry: %+v", e)
	}
	p := boss.get("/admin/audit")
	if !strings.Contains(p.Body, "Disabled a person") || !strings.Contains(p.Body, "admin API") || !strings.Contains(p.Body, "Added Ana Ruiz") {
		t.Fatalf("audit page:\n%s", excerpt(p.Body))
	}
	// There is nothing to post to: the log cannot be edited.
	if p := boss.post("/admin/audit", nil, nil); p.Status == 200 || p.Status == 303 {
		t.Fatalf("POST to the audit log: %d", p.Status)
	}
}

func TestFirewallPreviewAndDownload(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	if p := boss.get("/admin/firewall?format=nftables&preview=1"); p.Status != 400 || !strings.Contains(p.Body, "Tick at least one") {
		t.Fatalf("nothing ticked: %d", p.Status)
	}
	p := boss.get("/admin/firewall?format=dnsmasq&id=whatsapp&id=telegram&preview=1")
	if p.Status != 200 || !strings.Contains(p.Body, "whatsapp.com") || !strings.Contains(p.Body, `value="telegram" checked`) {
		t.Fatalf("preview: %d\n%s", p.Status, excerpt(p.Body))
	}
	d := boss.get("/admin/firewall/download?format=nftables&id=whatsapp")
	if d.Status != 200 || !strings.Contains(d.Header.Get("Content-Disposition"), `attachment; filename="inhouse-block.nft"`) || !strings.Contains(d.Body, "31.13.") {
		t.Fatalf("download: %d %v", d.Status, d.Header)
	}
	if d := boss.get("/admin/firewall/download?format=evil&id=whatsapp"); d.Status != 400 {
		t.Fatalf("unknown format: %d", d.Status)
	}
}

func TestDashboard(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	mia := ts.Login("mia")
	ws := mia.Dial()
	id := channelID(t, ts, "general", "mia")
	for _, n := range []string{"1", "2", "3"} {
		ws.Send(map[string]any{"type": "send", "id": n, "channel": id, "text": "hi"})
		ws.Next("ack")
	}
	p := boss.get("/admin")
	for _, want := range []string{"online now", "No backup yet", `<li class="step" id="step-backup">`, "<svg", `class="bar today"`, "<td class=\"n\">3</td>", "HTTPS is off"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("dashboard lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	csv := boss.get("/admin/stats.csv")
	if !strings.HasPrefix(csv.Body, "date,messages\n") || !strings.HasSuffix(csv.Body, ",3\n") {
		t.Fatalf("csv: %q", csv.Body)
	}
}

// nextError skips the frames before the next error frame.
func nextError(ws *servertest.WS) servertest.Frame {
	for {
		if f := ws.Read(); f.Str("type") == "error" {
			return f
		}
	}
}
