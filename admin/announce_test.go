package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
)

// settingsBase is the Settings page's form as it comes, before the part
// about people.
func settingsBase() url.Values {
	return url.Values{"office": {"Ruiz & Co"}, "max_text": {"4000"}, "channels_by": {"everyone"}, "direct_by": {"everyone"},
		"max_file_mb": {"20"}, "files_space_gb": {"0"}, "files_by": {"everyone"}, "blocked_kinds": {"program"},
		"editing": {"always"}, "edit_minutes": {"15"}, "mention_all_by": {"everyone"}, "mention_confirm": {"20"}}
}

func TestSettingsAboutPeople(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	ts.AddUser("ben", "member")

	// The defaults: receipts on, each person their own card, nobody else asks.
	p := boss.get("/admin/settings")
	for _, want := range []string{`name="receipts" value="on" checked`, `name="profiles_by" value="everyone" checked`, `id="f-announcers"`, "Read receipts", "each person may hide their own"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("settings page lacks %q:\n%s", want, excerpt(p.Body))
		}
	}

	// Wrong choices and unknown people come back beside their fields, as
	// typed, and nothing is saved (the office name included).
	bad := settingsBase()
	bad.Set("receipts", "sometimes")
	bad.Set("profiles_by", "nobody")
	bad.Set("announcers", "mia, <ghost>")
	p = boss.post("/admin/settings", bad, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-receipts"`) || !strings.Contains(p.Body, `id="e-profiles_by"`) ||
		!strings.Contains(p.Body, `id="e-announcers"`) || !strings.Contains(p.Body, `value="mia, &lt;ghost&gt;"`) {
		t.Fatalf("invalid settings: %d\n%s", p.Status, excerpt(p.Body))
	}
	if st := ts.Store().Settings(); st.OfficeName == "Ruiz & Co" || st.Receipts != "" || st.Announcers != nil {
		t.Fatalf("a refused form was saved: %+v", st)
	}

	good := settingsBase()
	good.Set("receipts", "always")
	good.Set("profiles_by", "admins")
	good.Set("announcers", "Mia; @ben mia")
	p = boss.mustPost("/admin/settings", good)
	if !strings.Contains(p.Body, "Settings saved") {
		t.Fatalf("no flash:\n%s", excerpt(p.Body))
	}
	st := ts.Store().Settings()
	if st.OfficeName != "Ruiz & Co" || st.Receipts != archive.ReceiptsAlways || st.ProfilesBy != archive.AdminsOnly || !slices.Equal(st.Announcers, []string{"ben", "mia"}) {
		t.Fatalf("stored: %+v", st)
	}
	// The page shows what is stored.
	for _, want := range []string{`name="receipts" value="always" checked`, `name="profiles_by" value="admins" checked`, `value="ben, mia"`} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("after saving the page lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	// The audit log says what changed about people.
	if p := boss.get("/admin/audit"); !strings.Contains(p.Body, "read receipts: always on") || !strings.Contains(p.Body, "ben, mia may ask for confirmation") {
		t.Fatalf("audit log:\n%s", excerpt(p.Body))
	}
	// The server tells the chat the office's choice.
	var me struct{ Receipts string }
	if ts.Login("mia").Do("GET", "/api/me", nil, &me); me.Receipts != "" && me.Receipts != "always" {
		t.Fatalf("/api/me receipts: %q", me.Receipts)
	}

	// A form from before these fields were on the page keeps them.
	boss.mustPost("/admin/settings", settingsBase())
	if st := ts.Store().Settings(); st.Receipts != archive.ReceiptsAlways || st.ProfilesBy != archive.AdminsOnly || len(st.Announcers) != 2 {
		t.Fatalf("an older form changed them: %+v", st)
	}
	// Off, each their own, nobody else.
	good.Set("receipts", "off")
	good.Set("profiles_by", "everyone")
	good.Set("announcers", "")
	boss.mustPost("/admin/settings", good)
	if st := ts.Store().Settings(); st.Receipts != archive.ReceiptsOff || st.ProfilesBy != "" || st.Announcers != nil {
		t.Fatalf("stored: %+v", st)
	}
	good.Set("receipts", "on")
	boss.mustPost("/admin/settings", good)
	if st := ts.Store().Settings(); st.Receipts != archive.ReceiptsOn {
		t.Fatalf("receipts back on: %q", st.Receipts)
	}
}

var announcementLinkRE = regexp.MustCompile(`href="/admin/announcements/([a-z0-9]+)/(\d+)"`)

func TestAnnouncementConfirmedRemindedExported(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	ts.AddUser("ben", "member")
	ts.AddUser("cleo", "member")
	sales := channelID(t, ts, "sales", "mia", "ben")
	support := channelID(t, ts, "support", "mia", "cleo", "ben")
	// A display name a spreadsheet would run.
	if _, err := ts.Store().UpdateUser("cleo", func(u *archive.User) error { u.Display = "=HYPERLINK(\"x\")"; return nil }); err != nil {
		t.Fatal(err)
	}

	p := boss.get("/admin/announcements")
	if p.Status != 200 || !strings.Contains(p.Body, "No announcements yet") || !strings.Contains(p.Body, `href="/admin/announcements/new"`) {
		t.Fatalf("empty list: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.get("/admin/announcements/new")
	if !strings.Contains(p.Body, `value="`+sales+`"`) || !strings.Contains(p.Body, "#support") {
		t.Fatalf("the form lacks the channels:\n%s", excerpt(p.Body))
	}

	// Mistakes come back with what was typed.
	p = boss.post("/admin/announcements/new", url.Values{"text": {"Fire drill"}, "to": {"channels"}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-to"`) || !strings.Contains(p.Body, ">Fire drill</textarea>") {
		t.Fatalf("no channel ticked: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.post("/admin/announcements/new", url.Values{"text": {"Fire drill"}, "to": {"everyone"}, "channel": {sales}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-to"`) || !strings.Contains(p.Body, `value="`+sales+`" checked`) {
		t.Fatalf("everyone and channels: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.post("/admin/announcements/new", url.Values{"text": {"   "}, "to": {"channels"}, "channel": {sales}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `class="field-error"`) {
		t.Fatalf("no text: %d\n%s", p.Status, excerpt(p.Body))
	}

	text := "Fire drill on Friday at 10\nMeet at the car park. <b>Bring a coat.</b>"
	p = boss.mustPost("/admin/announcements/new", url.Values{"text": {text}, "to": {"channels"}, "channel": {sales, support}})
	if !strings.Contains(p.Body, "posted to #sales and #support") {
		t.Fatalf("no flash:\n%s", excerpt(p.Body))
	}
	if strings.Count(p.Body, "Fire drill on Friday at 10</a>") != 2 || !strings.Contains(p.Body, "0 of 2 confirmed") || !strings.Contains(p.Body, "0 of 3 confirmed") {
		t.Fatalf("the list:\n%s", excerpt(p.Body))
	}
	var seq string
	for _, m := range announcementLinkRE.FindAllStringSubmatch(p.Body, -1) {
		if m[1] == sales {
			seq = m[2]
		}
	}
	if seq == "" {
		t.Fatalf("no link to the announcement in #sales:\n%s", excerpt(p.Body))
	}
	page := "/admin/announcements/" + sales + "/" + seq
	p = boss.get(page)
	if p.Status != 200 || !strings.Contains(p.Body, "Not yet confirmed (2)") || !strings.Contains(p.Body, "&lt;b&gt;Bring a coat.&lt;/b&gt;") {
		t.Fatalf("the announcement's page: %d\n%s", p.Status, excerpt(p.Body))
	}

	// Mia confirms in the chat, through the real API.
	mia := ts.Login("mia")
	var ok struct{ Confirmed string }
	if st := mia.Do("POST", "/api/announcements/"+sales+"/"+seq+"/confirm", nil, &ok); st != 200 {
		t.Fatalf("confirm: %d", st)
	}
	p = boss.get(page)
	if !strings.Contains(p.Body, "1 of 2 confirmed") || !strings.Contains(p.Body, "Not yet confirmed (1)") || !regexp.MustCompile(`Confirmed \(1\)[\s\S]*Mia <span class="id">mia</span>`).MatchString(p.Body) {
		t.Fatalf("after Mia confirmed:\n%s", excerpt(p.Body))
	}

	// The list as CSV: Mia with her time, Ben with none.
	csv := boss.get(page + "/confirmations.csv")
	if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(csv.Header.Get("Content-Disposition"), `filename="inhouse-announcement-sales-`+seq+`.csv"`) {
		t.Fatalf("csv: %d %v", csv.Status, csv.Header)
	}
	lines := strings.Split(strings.TrimSpace(csv.Body), "\n")
	if len(lines) != 3 || lines[0] != "name,display name,confirmed at" || lines[2] != "ben,Ben," {
		t.Fatalf("csv:\n%s", csv.Body)
	}
	at, err := time.Parse(time.RFC3339, strings.TrimPrefix(lines[1], "mia,Mia,"))
	if err != nil || time.Since(at) > time.Minute {
		t.Fatalf("Mia's time in the csv: %q", lines[1])
	}
	// A display name that starts a formula is neutralised.
	csv = boss.get("/admin/announcements/" + support + "/" + announcementSeq(t, boss, support) + "/confirmations.csv")
	if !strings.Contains(csv.Body, `cleo,"'=HYPERLINK(""x"")",`) {
		t.Fatalf("formula not neutralised:\n%s", csv.Body)
	}

	// A reminder reaches the one who has not confirmed, and the list says when.
	ben := ts.Login("ben").Dial()
	p = boss.mustPost(page+"/remind", nil)
	if !strings.Contains(p.Body, "Reminded 1 person.") {
		t.Fatalf("no flash after the reminder:\n%s", excerpt(p.Body))
	}
	if f := ben.Next("remind"); f.Str("channel") != sales {
		t.Fatalf("Ben's reminder: %v", f)
	}
	if p := boss.get("/admin/announcements"); strings.Count(p.Body, `<span class="muted">never</span>`) != 1 {
		t.Fatalf("the last reminder is not in the list:\n%s", excerpt(p.Body))
	}
	if st := ts.Login("ben").Do("POST", "/api/announcements/"+sales+"/"+seq+"/confirm", nil, nil); st != 200 {
		t.Fatalf("Ben confirms: %d", st)
	}
	if p := boss.mustPost(page+"/remind", nil); !strings.Contains(p.Body, "Everyone has confirmed.") || !strings.Contains(p.Body, "2 of 2 confirmed") {
		t.Fatalf("everyone confirmed:\n%s", excerpt(p.Body))
	}

	if p := boss.get("/admin/audit"); !strings.Contains(p.Body, "Posted an announcement") || !strings.Contains(p.Body, "Sent a reminder") {
		t.Fatalf("audit log:\n%s", excerpt(p.Body))
	}

	// Pages for what is not an announcement are not found.
	for _, path := range []string{"/admin/announcements/" + sales + "/999", "/admin/announcements/nope/1", "/admin/announcements/" + sales + "/x"} {
		if p := boss.get(path); p.Status != 404 {
			t.Fatalf("GET %s: %d", path, p.Status)
		}
	}
	// Members may not open the page or post.
	miaB := signIn(t, ts, "mia")
	if p := miaB.get("/admin/announcements"); p.Status != 403 {
		t.Fatalf("member opened the list: %d", p.Status)
	}
	if p := miaB.post("/admin/announcements/new", url.Values{"text": {"hi"}, "to": {"channels"}, "channel": {sales}}, nil); p.Status != 403 {
		t.Fatalf("member posted: %d", p.Status)
	}
}

func TestAnnouncementToEveryone(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	general := channelID(t, ts, "general", "boss", "mia")
	if p := boss.get("/admin/announcements/new"); !strings.Contains(p.Body, `value="everyone" disabled`) {
		t.Fatalf("everyone offered without a welcome channel:\n%s", excerpt(p.Body))
	}
	// Posted all the same (an old page), the office says why beside "To".
	if p := boss.post("/admin/announcements/new", url.Values{"text": {"Hello"}, "to": {"everyone"}}, nil); p.Status != 400 || !strings.Contains(p.Body, `id="e-to"`) || !strings.Contains(p.Body, "no welcome channel") {
		t.Fatalf("everyone without a welcome channel: %d\n%s", p.Status, excerpt(p.Body))
	}
	st := ts.Store().Settings()
	st.Welcome = general
	if err := ts.Store().SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	p := boss.get("/admin/announcements/new")
	if !strings.Contains(p.Body, `value="everyone" checked`) || !strings.Contains(p.Body, "#general, the channel every new person joins") {
		t.Fatalf("the form:\n%s", excerpt(p.Body))
	}
	p = boss.mustPost("/admin/announcements/new", url.Values{"text": {"The office is closed on Monday."}, "to": {"everyone"}})
	if !strings.Contains(p.Body, "posted to #general") || !strings.Contains(p.Body, "0 of 1 confirmed") {
		t.Fatalf("to everyone:\n%s", excerpt(p.Body))
	}
	if p.Status != http.StatusOK {
		t.Fatalf("list: %d", p.Status)
	}
}

// announcementSeq is the seq of the first announcement the list links to
// in channel.
func announcementSeq(t *testing.T, b *browser, channel string) string {
	t.Helper()
	for _, m := range announcementLinkRE.FindAllStringSubmatch(b.get("/admin/announcements").Body, -1) {
		if m[1] == channel {
			return m[2]
		}
	}
	t.Fatalf("no announcement in %s", channel)
	return ""
}
