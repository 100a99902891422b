package admin_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/servertest"
)

// say stores a message (or an edit or delete) as the chat would.
func say(t *testing.T, ts *servertest.Server, p archive.Post) archive.Message {
	t.Helper()
	if p.ClientID == "" {
		p.ClientID = fmt.Sprintf("c%d", time.Now().UnixNano())
	}
	if p.Masked == "" {
		p.Masked = p.Text
	}
	type res struct {
		m   archive.Message
		err error
	}
	done := make(chan res, 1)
	ts.Store().Append(p, func(m archive.Message, _ bool, err error) { done <- res{m, err} })
	r := <-done
	if r.err != nil {
		t.Fatalf("append %+v: %v", p, r.err)
	}
	return r.m
}

// archiveOffice has an auditor "audra", #general with a little history
// (an edit, a deletion, markup typed by people) and #other.
type archiveOffice struct {
	ts                *servertest.Server
	general, other    string
	auditor, boss     *browser
	mia, anon         *browser
	generalRecords    int
	scriptSeq, edited uint64
}

func newArchiveOffice(t *testing.T) *archiveOffice {
	t.Helper()
	ts := start(t)
	ts.AddUser("audra", "auditor")
	if err := ts.Store().AddUser(archive.User{Name: "eve", Display: "<b>Eve</b>", Role: "member", Hash: "x"}); err != nil {
		t.Fatal(err)
	}
	o := &archiveOffice{ts: ts}
	o.general = channelID(t, ts, "general", "mia", "eve", "boss")
	o.other = channelID(t, ts, "other", "mia", "boss")
	say(t, ts, archive.Post{Channel: o.general, From: "boss", Text: "good morning"})
	o.scriptSeq = say(t, ts, archive.Post{Channel: o.general, From: "mia", Text: "<script>alert(1)</script>"}).Seq
	typo := say(t, ts, archive.Post{Channel: o.general, From: "eve", Text: "invoice 42 is lost"})
	say(t, ts, archive.Post{Channel: o.general, From: "eve", Text: "invoice 42 is paid", Kind: archive.KindEdit, Ref: typo.Seq})
	gone := say(t, ts, archive.Post{Channel: o.general, From: "mia", Text: "oops wrong channel"})
	say(t, ts, archive.Post{Channel: o.general, From: "mia", Kind: archive.KindDelete, Ref: gone.Seq})
	say(t, ts, archive.Post{Channel: o.other, From: "mia", Text: "lunch?"})
	o.edited, o.generalRecords = typo.Seq, 6
	o.auditor, o.boss = signIn(t, ts, "audra"), signIn(t, ts, "boss")
	o.mia, o.anon = signIn(t, ts, "mia"), signedOut(t, ts)
	return o
}

func (o *archiveOffice) reads() []archive.ReadEntry { return o.ts.Store().ReadLog(0, 100000) }

// archivePages lists the auditor's GET pages with a word each must show.
func (o *archiveOffice) archivePages() map[string]string {
	return map[string]string{
		"/admin/archive":                             "Each search and each view is written",
		"/admin/archive?search=1&q=invoice":          "Results, newest first",
		"/admin/archive/message/" + o.general + "/3": "Every version, oldest first",
		"/admin/archive/export":                      "Download the evidence pack",
		"/admin/archive/chain":                       "Verify now",
		"/admin/archive/reads":                       "Who searched, viewed or exported",
	}
}

func TestArchivePagesForAuditorsOnly(t *testing.T) {
	o := newArchiveOffice(t)
	for path, want := range o.archivePages() {
		p := o.auditor.get(path)
		if p.Status != 200 || !strings.Contains(p.Body, want) {
			t.Fatalf("auditor GET %s: status %d, want 200 with %q:\n%s", path, p.Status, want, excerpt(p.Body))
		}
		if strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, "style=") || strings.Contains(p.Body, "<style") {
			t.Fatalf("GET %s has inline script or style", path)
		}
		if !strings.Contains(p.Body, `href="/admin/archive"`) || strings.Contains(p.Body, `href="/admin/people"`) || strings.Contains(p.Body, `href="/admin/reports"`) {
			t.Fatalf("auditor navigation on %s is not the archive's:\n%s", path, p.Body[:min(len(p.Body), 3000)])
		}
		for who, b := range map[string]*browser{"admin": o.boss, "member": o.mia} {
			if who == "admin" && path == "/admin/archive/reads" {
				continue // the office manager oversees the auditors: TestReadLogPages
			}
			if p := b.get(path); p.Status != http.StatusForbidden || strings.Contains(p.Body, want) {
				t.Fatalf("%s GET %s: status %d, want 403 without the page", who, path, p.Status)
			}
		}
		if p := o.anon.get(path); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/login?next=") {
			t.Fatalf("signed-out GET %s: %d to %q", path, p.Status, p.Location)
		}
	}
	for _, path := range []string{"/admin/archive/export", "/admin/archive/verify"} {
		for who, b := range map[string]*browser{"admin": o.boss, "member": o.mia, "signed out": o.anon} {
			if p := b.post(path, url.Values{"channel": {o.general}}, nil); p.Status != http.StatusForbidden && p.Status != http.StatusSeeOther {
				t.Fatalf("%s POST %s: status %d", who, path, p.Status)
			} else if strings.Contains(p.Header.Get("Content-Type"), "zip") {
				t.Fatalf("%s got an evidence pack", who)
			}
		}
	}
	// The office manager's navigation has no archive; the refusal says why.
	p := o.boss.get("/admin")
	if strings.Contains(p.Body, `href="/admin/archive"`) || !strings.Contains(p.Body, `href="/admin/reports"`) {
		t.Fatalf("admin navigation:\n%s", excerpt(p.Body))
	}
	if p := o.auditor.get("/admin"); p.Status != http.StatusSeeOther || p.Location != "/admin/archive" {
		t.Fatalf("auditor on the dashboard: %d to %q, want the archive", p.Status, p.Location)
	}
	if p := o.auditor.get("/admin/people"); p.Status != 403 || !strings.Contains(p.Body, "open the archive") {
		t.Fatalf("auditor on an office manager's page: %d", p.Status)
	}
	if n := len(o.reads()); n != 2 {
		t.Fatalf("read log holds %d entries after one search and one view, want 2", n)
	}
}

func TestEveryArchiveReadIsLoggedOnce(t *testing.T) {
	o := newArchiveOffice(t)
	step := func(what, action string, do func() page, wantStatus int) archive.ReadEntry {
		t.Helper()
		before := len(o.reads())
		p := do()
		if p.Status != wantStatus {
			t.Fatalf("%s: status %d, want %d:\n%s", what, p.Status, wantStatus, excerpt(p.Body))
		}
		log := o.reads()
		if action == "" {
			if len(log) != before {
				t.Fatalf("%s added %d read-log entries, want none", what, len(log)-before)
			}
			return archive.ReadEntry{}
		}
		if len(log) != before+1 {
			t.Fatalf("%s added %d read-log entries, want 1", what, len(log)-before)
		}
		e := log[0]
		if e.Action != action || e.By != "audra" || e.Role != "auditor" {
			t.Fatalf("%s logged %+v", what, e)
		}
		return e
	}
	step("the empty search form", "", func() page { return o.auditor.get("/admin/archive") }, 200)
	step("a search with a bad date", "", func() page { return o.auditor.get("/admin/archive?search=1&since=yesterday") }, 400)
	step("an admin's search", "", func() page { return o.boss.get("/admin/archive?search=1&q=invoice") }, 403)

	e := step("a search", "search", func() page { return o.auditor.get("/admin/archive?search=1&q=invoice&from=eve") }, 200)
	if e.Results != 2 || !strings.Contains(e.Query, `"invoice"`) || !strings.Contains(e.Query, "eve") {
		t.Fatalf("search entry: %+v (want both versions of the invoice message)", e)
	}
	e = step("a search for everything", "search", func() page { return o.auditor.get("/admin/archive?search=1") }, 200)
	if e.Results != 7 || e.Query != "everything" {
		t.Fatalf("search entry: %+v", e)
	}
	e = step("a view", "view", func() page {
		return o.auditor.get(fmt.Sprintf("/admin/archive/message/%s/%d", o.general, o.edited))
	}, 200)
	if e.Results != 2+o.generalRecords || !strings.Contains(e.Query, "#general") {
		t.Fatalf("view entry: %+v", e)
	}
	step("a missing message", "", func() page { return o.auditor.get("/admin/archive/message/" + o.general + "/99") }, 404)
	e = step("an export", "export", func() page {
		return o.auditor.post("/admin/archive/export", url.Values{"channel": {o.general}}, nil)
	}, 200)
	if e.Results != o.generalRecords {
		t.Fatalf("export entry: %+v", e)
	}
	step("an export without a filter", "", func() page { return o.auditor.post("/admin/archive/export", nil, nil) }, 400)
	step("a stale export form", "", func() page {
		return o.auditor.post("/admin/archive/export", url.Values{"channel": {o.general}, "csrf": {"wrong"}}, nil)
	}, 403)
	step("the read log", "", func() page { return o.auditor.get("/admin/archive/reads") }, 200)
	step("the chain", "", func() page { return o.auditor.get("/admin/archive/chain") }, 200)
}

func TestArchiveSearchShowsVersionsContextAndEscapes(t *testing.T) {
	o := newArchiveOffice(t)
	p := o.auditor.get("/admin/archive?search=1&channel=" + o.general)
	body := p.Body
	if p.Status != 200 || strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("markup in a message was not escaped:\n%s", excerpt(body))
	}
	if strings.Contains(body, "<b>Eve</b>") || !strings.Contains(body, "&lt;b&gt;Eve&lt;/b&gt;") {
		t.Fatalf("markup in a name was not escaped")
	}
	for _, want := range []string{"invoice 42 is lost", "invoice 42 is paid", "Edited later", "Edit of message 3", "Deleted later", "Deletion", "oops wrong channel", "#general", "<time datetime="} {
		if !strings.Contains(body, want) {
			t.Fatalf("results lack %q:\n%s", want, excerpt(body))
		}
	}
	if strings.Contains(body, "lunch?") {
		t.Fatalf("a message of #other in a search of #general")
	}
	// Newest first: the deletion (seq 6) before the first message.
	if strings.Index(body, "Deletion") > strings.Index(body, "good morning") {
		t.Fatalf("results are not newest first")
	}
	// Context: the hit for "lunch?" has nothing around it in #other, the
	// one for "good morning" has the two messages after it.
	p = o.auditor.get("/admin/archive?search=1&q=morning")
	if !strings.Contains(p.Body, "good morning") || !strings.Contains(p.Body, "&lt;script&gt;") || !strings.Contains(p.Body, "invoice 42 is lost") || strings.Contains(p.Body, "oops wrong channel") {
		t.Fatalf("context of a hit:\n%s", excerpt(p.Body))
	}
	// Words typed by the auditor come back escaped too, here and in the log.
	p = o.auditor.get("/admin/archive?search=1&q=" + url.QueryEscape(`<img src=x onerror=alert(1)>`))
	if strings.Contains(p.Body, "<img src=x") || !strings.Contains(p.Body, "&lt;img src=x") {
		t.Fatalf("typed words not escaped")
	}
	p = o.auditor.get("/admin/archive/reads")
	if strings.Contains(p.Body, "<img src=x") || !strings.Contains(p.Body, "&lt;img src=x") {
		t.Fatalf("read log does not escape the search words:\n%s", excerpt(p.Body))
	}
	// The message page: every version, and the conversation.
	p = o.auditor.get(fmt.Sprintf("/admin/archive/message/%s/%d", o.general, o.scriptSeq))
	if strings.Contains(p.Body, "<script>alert(1)") || !strings.Contains(p.Body, "&lt;script&gt;alert(1)") || !strings.Contains(p.Body, "The author deleted message 5") {
		t.Fatalf("message page:\n%s", excerpt(p.Body))
	}
}

func TestArchiveSearchPages(t *testing.T) {
	o := newArchiveOffice(t)
	for i := range 25 {
		say(t, o.ts, archive.Post{Channel: o.other, From: "boss", Text: fmt.Sprintf("report number %d", i)})
	}
	p := o.auditor.get("/admin/archive?search=1&q=report")
	if strings.Count(p.Body, `class="line focus"`) != 20 || !strings.Contains(p.Body, "report number 24") {
		t.Fatalf("first page: %d hits", strings.Count(p.Body, `class="line focus"`))
	}
	m := regexpOlder.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no link to older results")
	}
	p = o.auditor.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if strings.Count(p.Body, `class="line focus"`) != 5 || !strings.Contains(p.Body, "report number 0") || strings.Contains(p.Body, "Older results</a>") {
		t.Fatalf("second page: %d hits\n%s", strings.Count(p.Body, `class="line focus"`), excerpt(p.Body))
	}
}

func TestEvidencePack(t *testing.T) {
	o := newArchiveOffice(t)
	today := time.Now().Format("2006-01-02")
	cases := []struct {
		name string
		form url.Values
		want func(archive.ExportRecord) bool
		n    int
	}{
		{"a channel", url.Values{"channel": {o.general}}, func(r archive.ExportRecord) bool { return r.Channel == o.general }, 6},
		{"a person and dates", url.Values{"from": {"mia"}, "since": {today}, "until": {today}}, func(r archive.ExportRecord) bool { return r.From == "mia" }, 4},
		{"dates before anything", url.Values{"until": {"2021-01-01"}}, func(archive.ExportRecord) bool { return false }, 0},
	}
	for _, c := range cases {
		p := o.auditor.post("/admin/archive/export", c.form, nil)
		if p.Status != 200 || p.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("%s: %d %q %q", c.name, p.Status, p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"))
		}
		files := unzip(t, []byte(p.Body))
		var man struct {
			By     string
			Filter map[string]string
			Files  []struct {
				Name   string
				SHA256 string
				Bytes  int
			}
			Chain archive.Digest
		}
		if err := json.Unmarshal(files["manifest.json"], &man); err != nil {
			t.Fatalf("%s: manifest: %v", c.name, err)
		}
		if len(man.Files) != 2 || man.By != "audra" || man.Chain.Root == "" || man.Chain.Sig == "" || man.Chain.Key != o.ts.Store().PublicKey() {
			t.Fatalf("%s: manifest %+v", c.name, man)
		}
		for _, f := range man.Files {
			data, ok := files[f.Name]
			sum := sha256.Sum256(data)
			if !ok || hex.EncodeToString(sum[:]) != f.SHA256 || len(data) != f.Bytes {
				t.Fatalf("%s: %s does not match its manifest entry", c.name, f.Name)
			}
		}
		// messages.jsonl holds exactly the filtered records: every stored
		// record that matches, once, and nothing else.
		var all []archive.ExportRecord
		for _, ch := range []string{o.general, o.other} {
			for seq := uint64(1); seq <= o.ts.Store().LastSeq(ch); seq++ {
				m, err := o.ts.Store().RawMessage(ch, seq)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, archive.ExportRecord{Channel: ch, Seq: seq, From: m.From, Text: m.Text, H: m.H})
			}
		}
		want := map[string]bool{}
		for _, r := range all {
			if c.want(r) {
				want[fmt.Sprintf("%s/%d/%s", r.Channel, r.Seq, r.H)] = true
			}
		}
		got := map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(files["messages.jsonl"]))
		for sc.Scan() {
			var r archive.ExportRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: messages.jsonl: %v", c.name, err)
			}
			k := fmt.Sprintf("%s/%d/%s", r.Channel, r.Seq, r.H)
			if got[k] || !want[k] {
				t.Fatalf("%s: unexpected or repeated record %s", c.name, k)
			}
			got[k] = true
		}
		if len(got) != len(want) || len(got) != c.n {
			t.Fatalf("%s: %d records, want %d (%d expected)", c.name, len(got), len(want), c.n)
		}
		html := string(files["transcript.html"])
		if c.n > 0 && (strings.Contains(html, "<script>alert") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(html, "<b>Eve</b>")) {
			t.Fatalf("%s: transcript does not escape:\n%s", c.name, html)
		}
		// The chain head was taken after the export was logged.
		for _, h := range man.Chain.Heads {
			if h.Chain == "reads" && h.Seq != uint64(len(o.reads())) {
				t.Fatalf("%s: chain head covers read %d of %d", c.name, h.Seq, len(o.reads()))
			}
		}
	}
	p := o.auditor.post("/admin/archive/export", url.Values{"channel": {"nope"}, "since": {"14.3.2026"}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-channel"`) || !strings.Contains(p.Body, `id="e-since"`) {
		t.Fatalf("bad export form: %d", p.Status)
	}
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("evidence pack is not a ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	for _, name := range []string{"messages.jsonl", "transcript.html", "manifest.json"} {
		if _, ok := out[name]; !ok {
			t.Fatalf("evidence pack lacks %s (has %d files)", name, len(out))
		}
	}
	return out
}

func TestChainPageAndVerify(t *testing.T) {
	o := newArchiveOffice(t)
	if _, err := o.ts.Store().SaveDailyDigest(); err != nil {
		t.Fatal(err)
	}
	p := o.auditor.get("/admin/archive/chain")
	d := o.ts.Store().Digests(1)[0]
	for _, want := range []string{o.ts.Store().PublicKey(), "Messages of #general", "Messages of #other", d.Root, d.Date} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("chain page lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	p = o.auditor.mustPost("/admin/archive/verify", nil)
	if !strings.Contains(p.Body, "nothing was changed, removed or reordered") || !strings.Contains(p.Body, "records in") {
		t.Fatalf("verify:\n%s", excerpt(p.Body))
	}
	if e := o.reads()[0]; e.Action != "verify" || e.Results == 0 {
		t.Fatalf("verify not in the read log: %+v", e)
	}
}

func TestReadLogPages(t *testing.T) {
	o := newArchiveOffice(t)
	for i := range 55 {
		if err := o.ts.Store().RecordRead(archive.ReadEntry{By: "audra", Role: "auditor", Action: "search", Query: fmt.Sprintf("query %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	p := o.auditor.get("/admin/archive/reads")
	if n := strings.Count(p.Body, "<tr>") - 1; n != 50 || !strings.Contains(p.Body, "query 54") || strings.Contains(p.Body, ">query 4<") {
		t.Fatalf("first page has %d rows", n)
	}
	m := regexpOlderEntries.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no link to older entries")
	}
	p = o.auditor.get(m[1])
	if n := strings.Count(p.Body, "<tr>") - 1; n != 5 || !strings.Contains(p.Body, "query 0") || strings.Contains(p.Body, "Older entries") {
		t.Fatalf("second page has %d rows:\n%s", n, excerpt(p.Body))
	}
	// Read-only: there is nothing to post to.
	if p := o.auditor.post("/admin/archive/reads", nil, nil); p.Status == 200 || p.Status == 303 {
		t.Fatalf("POST to the read log: %d", p.Status)
	}
	// The office manager sees who read what, from the navigation, without
	// the auditor's archive tabs; a member does not.
	if p := o.boss.get("/admin"); !strings.Contains(p.Body, `href="/admin/archive/reads"`) {
		t.Fatalf("no read log in the admin's navigation:\n%s", excerpt(p.Body))
	}
	p = o.boss.get("/admin/archive/reads")
	if p.Status != 200 || !strings.Contains(p.Body, "query 54") || !strings.Contains(p.Body, "audra") || strings.Contains(p.Body, `href="/admin/archive"`) || strings.Contains(p.Body, `href="/admin/archive/chain"`) {
		t.Fatalf("admin GET the read log: %d\n%s", p.Status, excerpt(p.Body))
	}
	if p := o.boss.post("/admin/archive/reads", nil, nil); p.Status == 200 || p.Status == 303 {
		t.Fatalf("admin POST to the read log: %d", p.Status)
	}
	if p := o.mia.get("/admin/archive/reads"); p.Status != http.StatusForbidden {
		t.Fatalf("member GET the read log: %d", p.Status)
	}
}

var (
	regexpOlder        = regexp.MustCompile(`href="(/admin/archive\?[^"]+)">Older results`)
	regexpOlderEntries = regexp.MustCompile(`href="(/admin/archive/reads\?before=\d+)">Older entries`)
)
