package server_test

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/office"
	"inhouse/server/rules"
	"inhouse/server/servertest"
)

// settings changes the office's settings in the running server's store.
func settings(t *testing.T, ts *servertest.Server, edit func(*archive.Settings)) {
	t.Helper()
	set := ts.Store().Settings()
	edit(&set)
	if err := ts.Store().SaveSettings(set); err != nil {
		t.Fatal(err)
	}
}

// putRaw sends body as it is (a picture) and returns the status and answer.
func putRaw(t *testing.T, c *servertest.Client, path string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("PUT", c.URL+path, bytes.NewReader(body))
	req.Header.Set("X-CSRF-Token", c.CSRF)
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}

func TestProfileStatusAndQuietAreToldToEveryone(t *testing.T) {
	_, p, _ := talkOffice(t)
	wb := p["ben"].Dial()

	var out struct{ User map[string]any }
	if st := p["ana"].Do("PUT", "/api/me/profile", map[string]string{"title": "Accounts", "phone": "+49 (30) 214"}, &out); st != 200 || out.User["title"] != "Accounts" {
		t.Fatalf("profile: %d %v", st, out)
	}
	if f := wb.Next("person"); f["user"].(map[string]any)["phone"] != "+49 (30) 214" {
		t.Fatalf("person frame: %v", f)
	}
	until := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	if st := p["ana"].Do("PUT", "/api/me/note", map[string]string{"emoji": "🦷", "text": "At the dentist", "until": until}, nil); st != 200 {
		t.Fatalf("note: %d", st)
	}
	if f := wb.Next("person"); f["user"].(map[string]any)["note"].(map[string]any)["text"] != "At the dentist" {
		t.Fatalf("person frame: %v", f)
	}
	if st := p["ana"].Do("PUT", "/api/me/dnd", map[string]int{"minutes": 60}, nil); st != 200 {
		t.Fatalf("dnd: %d", st)
	}
	wb.Next("person")
	var card struct{ User map[string]any }
	p["ben"].Do("GET", "/api/users/ana", nil, &card)
	q, _ := card.User["quiet"].(map[string]any)
	if q == nil || q["now"] != true || q["why"] != "dnd" {
		t.Fatalf("Ana in do-not-disturb, as Ben's card says: %v", card.User)
	}
	untilQuiet, _ := time.Parse(time.RFC3339, q["until"].(string))
	if d := time.Until(untilQuiet); d < 55*time.Minute || d > 61*time.Minute {
		t.Fatalf("quiet until %v: not an hour from now", untilQuiet)
	}
	if st := p["ana"].Do("DELETE", "/api/me/dnd", nil, nil); st != 200 {
		t.Fatalf("end do-not-disturb: %d", st)
	}
	card.User = nil // a decoded map keeps the keys it had
	p["ben"].Do("GET", "/api/users/ana", nil, &card)
	if card.User["quiet"] != nil {
		t.Fatalf("do-not-disturb ended, still quiet: %v", card.User)
	}

	// Working hours that exclude now make her quiet until they begin.
	now := time.Now().In(time.UTC)
	from := now.Add(3 * time.Hour).Format("15:04")
	to := now.Add(4 * time.Hour).Format("15:04")
	var days [7]any
	for i := range days {
		days[i] = []string{from, to}
	}
	if st := p["ana"].Do("PUT", "/api/me/hours", map[string]any{"tz": "UTC", "days": days, "quiet": true}, nil); st != 200 {
		t.Fatalf("hours: %d", st)
	}
	card.User = nil
	p["ben"].Do("GET", "/api/users/ana", nil, &card)
	q, _ = card.User["quiet"].(map[string]any)
	if q == nil || q["why"] != "hours" {
		t.Fatalf("outside working hours, not quiet: %v", card.User)
	}
	if u, _ := time.Parse(time.RFC3339, q["until"].(string)); u.Format("15:04") != from {
		t.Fatalf("quiet until %v, want %s", u, from)
	}

	// Everyone's list carries the same.
	var list struct{ Users []map[string]any }
	p["ben"].Do("GET", "/api/users", nil, &list)
	for _, u := range list.Users {
		if u["name"] == "ana" && (u["title"] != "Accounts" || u["quiet"] == nil) {
			t.Fatalf("Ana in /api/users: %v", u)
		}
	}
}

func TestProfileInputIsValidated(t *testing.T) {
	_, p, _ := talkOffice(t)
	ana := p["ana"]
	var e struct{ Error, Message string }
	for _, c := range []struct {
		path string
		body any
		want string
	}{
		{"/api/me/note", map[string]string{"text": strings.Repeat("x", 10000)}, "at most 100"},
		{"/api/me/note", map[string]string{"text": "two\nlines"}, "one line"},
		{"/api/me/note", map[string]string{"text": "bell\x07"}, "one line"},
		{"/api/me/note", map[string]string{"text": "gone", "until": "2020-01-01T00:00:00Z"}, "future"},
		{"/api/me/note", map[string]string{"emoji": "not-an-emoji"}, "emoji"},
		{"/api/me/dnd", map[string]string{"until": "2020-01-01T00:00:00Z"}, "7 days"},
		{"/api/me/dnd", map[string]int{"minutes": 0}, "minutes"},
		{"/api/me/hours", map[string]any{"tz": "Mars/Olympus", "days": [7]any{}}, "Working hours"},
		{"/api/me/hours", map[string]any{"tz": "UTC", "days": [7]any{[]string{"25:00", "17:00"}}}, "Monday"},
		{"/api/me/profile", map[string]string{"phone": "call me maybe"}, "Phone"},
		{"/api/me/profile", map[string]string{"title": strings.Repeat("t", 65)}, "Title"},
	} {
		e.Message = ""
		if st := ana.Do("PUT", c.path, c.body, &e); st != 400 || !strings.Contains(e.Message, c.want) {
			t.Errorf("PUT %s %v: %d %q, want 400 saying %q", c.path, c.body, st, e.Message, c.want)
		}
	}
	// Nothing of it was kept.
	var me struct{ User map[string]any }
	ana.Do("GET", "/api/me", nil, &me)
	if me.User["note"] != nil || me.User["hours"] != nil || me.User["phone"] != "" {
		t.Fatalf("a refused change was kept: %v", me.User)
	}
	// Quiet hours that wrap midnight are taken.
	night := [7]any{[]string{"22:00", "06:00"}, nil, nil, nil, nil, []string{"22:00", "06:00"}, nil}
	if st := ana.Do("PUT", "/api/me/hours", map[string]any{"tz": "Europe/Berlin", "days": night, "quiet": true}, nil); st != 200 {
		t.Fatalf("night shift: %d", st)
	}
}

func TestPicturesAreCheckedMadeSmallAndServed(t *testing.T) {
	ts, p, _ := talkOffice(t)
	ana := p["ana"]
	for what, body := range map[string][]byte{
		"not a picture": []byte("MZ\x90\x00 this is a program"),
		"empty":         nil,
		"huge":          hugePNG(20000, 20000),
		"animated":      animatedGIF(),
	} {
		if st, ans := putRaw(t, ana, "/api/me/picture", body); st != 400 || !strings.Contains(ans, "Picture") {
			t.Errorf("%s: %d %s", what, st, ans)
		}
	}
	// A photo straight from a phone, over the 1 MiB other requests get.
	noisy := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	rand.Read(noisy.Pix)
	var big bytes.Buffer
	png.Encode(&big, noisy)
	if big.Len() < 2<<20 {
		t.Fatalf("the test picture is only %d bytes", big.Len())
	}
	if st, ans := putRaw(t, ana, "/api/me/picture", big.Bytes()); st != 200 {
		t.Fatalf("a %d-byte picture: %d %s", big.Len(), st, ans)
	}
	if st, _ := putRaw(t, ana, "/api/me/picture", make([]byte, 9<<20)); st != 413 {
		t.Fatalf("9 MB: %d", st)
	}
	st, ans := putRaw(t, ana, "/api/me/picture", pngOf(t, 300, 200))
	if st != 200 || !strings.Contains(ans, `"picture"`) {
		t.Fatalf("a picture: %d %s", st, ans)
	}
	var card struct{ User map[string]any }
	p["ben"].Do("GET", "/api/users/ana", nil, &card)
	v, _ := card.User["picture"].(string)
	if v == "" {
		t.Fatalf("no picture version: %v", card.User)
	}
	res, err := p["ben"].HTTP.Get(ts.URL + "/api/users/ana/picture?v=" + v)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	img, format, err := image.Decode(res.Body)
	if err != nil || format != "jpeg" || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 256 {
		t.Fatalf("served picture: %v %s %v", err, format, img)
	}
	if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("a versioned picture is cached: %q", res.Header.Get("Cache-Control"))
	}
	// Someone who is not signed in gets nothing.
	anon, _ := http.Get(ts.URL + "/api/users/ana/picture?v=" + v)
	if anon.StatusCode != 401 {
		t.Fatalf("picture without a session: %d", anon.StatusCode)
	}
	anon.Body.Close()
	if st := ana.Do("DELETE", "/api/me/picture", nil, nil); st != 200 {
		t.Fatalf("remove: %d", st)
	}
	if st := p["ben"].Do("GET", "/api/users/ana/picture", nil, nil); st != 404 {
		t.Fatalf("removed picture: %d", st)
	}
}

func animatedGIF() []byte {
	pal := color.Palette{color.Black, color.White}
	g := &gif.GIF{}
	for i := 0; i < 2; i++ {
		g.Image = append(g.Image, image.NewPaletted(image.Rect(0, 0, 8, 8), pal))
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	gif.EncodeAll(&b, g)
	return b.Bytes()
}

func TestProfilesKeptByTheManagerWhenTheOfficeSaysSo(t *testing.T) {
	ts, p, _ := talkOffice(t)
	settings(t, ts, func(s *archive.Settings) { s.ProfilesBy = archive.AdminsOnly })
	var me struct {
		ProfilesBy string `json:"profiles_by"`
	}
	p["ana"].Do("GET", "/api/me", nil, &me)
	if me.ProfilesBy != "admins" {
		t.Fatalf("/api/me profiles_by %q", me.ProfilesBy)
	}
	if st := p["ana"].Do("PUT", "/api/me/profile", map[string]string{"title": "Boss"}, nil); st != 403 {
		t.Fatalf("own title when managers keep profiles: %d", st)
	}
	if st, _ := putRaw(t, p["ana"], "/api/me/picture", pngOf(t, 64, 64)); st != 403 {
		t.Fatalf("own picture when managers keep profiles: %d", st)
	}
	// A status line is still one's own.
	if st := p["ana"].Do("PUT", "/api/me/note", map[string]string{"text": "In Lisbon"}, nil); st != 200 {
		t.Fatalf("status line: %d", st)
	}
}

func TestReadReceiptsFollowTheOfficeSetting(t *testing.T) {
	ts, p, ch := talkOffice(t)
	dm := p["ana"].DM("ben")
	wa, wb := p["ana"].Dial(), p["ben"].Dial()
	send(wa, "d1", dm.ID, "Invoice sent?")
	wa.Next("ack")
	send(wa, "c1", ch.ID, "Team, the invoice is out.")
	wa.Next("ack")
	wb.Next("message")
	wb.Next("message")

	// On (the default): Ana hears Ben read the DM, and the channel message she wrote.
	wb.Send(map[string]any{"type": "read", "channel": dm.ID, "seq": 1})
	if f := wa.Next("seen"); f.Str("channel") != dm.ID || f.Str("user") != "ben" || f.Num("seq") != 1 || f.Str("ts") == "" {
		t.Fatalf("seen in the DM: %v", f)
	}
	wb.Send(map[string]any{"type": "read", "channel": ch.ID, "seq": 1})
	if f := wa.Next("seen"); f.Str("channel") != ch.ID || f.Str("user") != "ben" {
		t.Fatalf("seen in the channel: %v", f)
	}
	var seen struct{ Seen []map[string]any }
	if st := p["ana"].Do("GET", "/api/channels/"+ch.ID+"/seen", nil, &seen); st != 200 || len(seen.Seen) != 1 || seen.Seen[0]["user"] != "ben" {
		t.Fatalf("/seen: %d %v", st, seen)
	}
	// Cleo, not in the DM, is told nothing and may not ask.
	if st := p["cleo"].Do("GET", "/api/channels/"+dm.ID+"/seen", nil, nil); st != 404 {
		t.Fatalf("/seen of a DM one is not in: %d", st)
	}

	// Ben hides his: nothing is sent, /seen leaves him out.
	if st := p["ben"].Do("PUT", "/api/me/receipts", map[string]bool{"hide": true}, nil); st != 200 {
		t.Fatalf("hide: %d", st)
	}
	send(wa, "d2", dm.ID, "Hello?")
	wa.Next("ack")
	wb.Next("message")
	wb.Send(map[string]any{"type": "read", "channel": dm.ID, "seq": 2})
	noSeen(t, wa)
	p["ana"].Do("GET", "/api/channels/"+dm.ID+"/seen", nil, &seen)
	if len(seen.Seen) != 0 {
		t.Fatalf("hidden receipts in /seen: %v", seen)
	}

	// Off: no frames for anyone, /seen refused.
	settings(t, ts, func(s *archive.Settings) { s.Receipts = archive.ReceiptsOff })
	p["ben"].Do("PUT", "/api/me/receipts", map[string]bool{"hide": false}, nil)
	send(wa, "d3", dm.ID, "Anyone?")
	wa.Next("ack")
	wb.Next("message")
	wb.Send(map[string]any{"type": "read", "channel": dm.ID, "seq": 3})
	noSeen(t, wa)
	var e struct{ Error string }
	if st := p["ana"].Do("GET", "/api/channels/"+dm.ID+"/seen", nil, &e); st != 403 || e.Error != "receipts_off" {
		t.Fatalf("/seen with receipts off: %d %v", st, e)
	}

	// Always: nobody may hide.
	settings(t, ts, func(s *archive.Settings) { s.Receipts = archive.ReceiptsAlways })
	if st := p["ben"].Do("PUT", "/api/me/receipts", map[string]bool{"hide": true}, nil); st != 403 {
		t.Fatalf("hide when always: %d", st)
	}
}

// noSeen reads ws's frames for a moment: none may be a read receipt.
func noSeen(t *testing.T, ws *servertest.WS) {
	t.Helper()
	deadline := time.Now().Add(400 * time.Millisecond)
	for {
		f, err := ws.ReadErr(time.Until(deadline))
		if err != nil {
			return
		}
		if f.Str("type") == "seen" {
			t.Fatalf("a read receipt was sent: %v", f)
		}
	}
}

func TestAnnouncementsAreConfirmedOnceByThoseAsked(t *testing.T) {
	ts, p, ch := talkOffice(t)
	wboss, wb := p["boss"].Dial(), p["ben"].Dial()
	send(wboss, "plain", ch.ID, "Morning.")
	wboss.Next("ack")

	// A member not named by the office may not ask.
	refused(t, p["ana"].Dial(), map[string]any{"type": "send", "id": "a1", "channel": ch.ID, "text": "Read this!", "confirm": true}, "forbidden")
	// The manager may.
	wboss.Send(map[string]any{"type": "send", "id": "b1", "channel": ch.ID, "text": "New holiday rules.", "confirm": true})
	seq := wboss.Next("ack").Num("seq")
	if m := messageNo(t, wb, seq); m["confirm"] != true {
		t.Fatalf("the announcement as members get it: %v", m)
	}
	var pending struct {
		Pending []struct {
			Channel string
			Seq     uint64
		}
	}
	p["ben"].Do("GET", "/api/announcements", nil, &pending)
	if len(pending.Pending) != 1 || pending.Pending[0].Seq != seq {
		t.Fatalf("Ben's pending: %v", pending)
	}
	p["boss"].Do("GET", "/api/announcements", nil, &pending)
	if len(pending.Pending) != 0 {
		t.Fatalf("the author must not confirm their own: %v", pending)
	}

	path := "/api/announcements/" + ch.ID + "/" + strconv.FormatUint(seq, 10) + "/confirm"
	var c1, c2 struct{ Confirmed string }
	if st := p["ben"].Do("POST", path, nil, &c1); st != 200 || c1.Confirmed == "" {
		t.Fatalf("confirm: %d %v", st, c1)
	}
	if f := wb.Next("confirmed"); f.Num("seq") != seq {
		t.Fatalf("confirmed frame: %v", f)
	}
	p["ben"].Do("POST", path, nil, &c2)
	if c2.Confirmed != c1.Confirmed {
		t.Fatalf("confirmed twice: %s then %s", c1.Confirmed, c2.Confirmed)
	}
	// Dan is not in #team; the boss wrote it; a plain message asks nothing.
	if st := p["dan"].Do("POST", path, nil, nil); st != 404 {
		t.Fatalf("not sent to Dan: %d", st)
	}
	if st := p["boss"].Do("POST", path, nil, nil); st != 404 {
		t.Fatalf("one's own: %d", st)
	}
	if st := p["ben"].Do("POST", "/api/announcements/"+ch.ID+"/1/confirm", nil, nil); st != 404 {
		t.Fatalf("not an announcement: %d", st)
	}

	// The console's view: who confirmed, who has not.
	d, err := ts.Office().Announcement(ch.ID, seq)
	if err != nil || len(d.Done) != 1 || d.Done[0].User != "ben" || len(d.Pending) != 2 {
		t.Fatalf("the announcement's confirmations: %+v %v", d, err)
	}
	// The office names Ana: she may ask now.
	settings(t, ts, func(s *archive.Settings) { s.Announcers = []string{"ana"} })
	wa := p["ana"].Dial()
	wa.Send(map[string]any{"type": "send", "id": "a2", "channel": ch.ID, "text": "Please read.", "confirm": true})
	if ack := wa.Next("ack"); ack.Num("seq") == 0 {
		t.Fatalf("a named announcer: %v", ack)
	}
}

// An announcement from the console goes to each channel chosen, live, and
// the office's content rules see it like any message.
func TestConsoleAnnouncementsAreScreenedAndDelivered(t *testing.T) {
	ts, p, ch := talkOffice(t)
	list := append(rules.Defaults(), rules.Rule{ID: "falcon", Name: "Project Falcon", Kind: rules.KindPattern,
		Pattern: `(?i)project\s+falcon`, Action: rules.ActionBlock, Enabled: true})
	if err := ts.Store().SaveRules(list); err != nil {
		t.Fatal(err)
	}
	boss := office.Actor{Name: "boss", Role: archive.RoleAdmin, Via: office.ViaConsole}
	if _, err := ts.Office().Announce(boss, office.NewAnnouncement{Text: "Project Falcon starts Monday.", Channels: []string{ch.ID}}); err == nil || !strings.Contains(err.Error(), "Project Falcon") {
		t.Fatalf("a blocked announcement: %v", err)
	}
	if last := ts.Store().LastSeq(ch.ID); last != 0 {
		t.Fatalf("a refused announcement was stored: seq %d", last)
	}
	wb := p["ben"].Dial()
	msgs, err := ts.Office().Announce(boss, office.NewAnnouncement{Text: "The office is closed on Friday.", Channels: []string{ch.ID}})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("an announcement: %v %v", msgs, err)
	}
	if m := messageNo(t, wb, msgs[0].Seq); m["confirm"] != true || m.Str("from") != "boss" {
		t.Fatalf("the announcement as Ben gets it live: %v", m)
	}
}
