package admin_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
	"inhouse/server/backup"
	"inhouse/server/rules"
	"inhouse/server/servertest"
)

// lastAudit is the newest entry of the admin audit log.
func lastAudit(t *testing.T, ts *servertest.Server) archive.AuditEntry {
	t.Helper()
	entries, _, err := ts.Store().AuditLog(0, 1, nil)
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit log: %v %v", entries, err)
	}
	return entries[0]
}

func findRule(ts *servertest.Server, id string) (rules.Rule, bool) {
	for _, r := range ts.Store().Rules() {
		if r.ID == id {
			return r, true
		}
	}
	return rules.Rule{}, false
}

func TestSafetyPagesRolesAndNoInlineCode(t *testing.T) {
	ts := start(t)
	ts.AddUser("audra", "auditor")
	boss, mia, audra, anon := signIn(t, ts, "boss"), signIn(t, ts, "mia"), signIn(t, ts, "audra"), signedOut(t, ts)
	pages := []struct {
		path, want string
		roles      string // who besides the admin may see it
	}{
		{"/admin/rules", "Payment card numbers", ""},
		{"/admin/rules/new", "Looks for", ""},
		{"/admin/rules/cards", "Rule id", ""},
		{"/admin/rules/cards/delete", "Delete the rule “Payment card numbers”?", ""},
		{"/admin/review", "Nothing waits for review", "auditor"},
		{"/admin/review?show=all", "Nothing was caught yet", "auditor"},
		{"/admin/backups", "Restoring a backup", ""},
		{"/admin/reach", "WhatsApp", "auditor member"},
	}
	for _, pg := range pages {
		if p := boss.get(pg.path); p.Status != 200 || !strings.Contains(p.Body, pg.want) {
			t.Fatalf("admin GET %s: %d, want 200 with %q:\n%s", pg.path, p.Status, pg.want, excerpt(p.Body))
		} else if strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, "style=") || strings.Contains(p.Body, "<style") {
			t.Fatalf("GET %s has inline script or style", pg.path)
		}
		for who, b := range map[string]*browser{"auditor": audra, "member": mia} {
			p := b.get(pg.path)
			if strings.Contains(pg.roles, who) {
				if p.Status != 200 || !strings.Contains(p.Body, pg.want) {
					t.Fatalf("%s GET %s: %d, want the page", who, pg.path, p.Status)
				}
			} else if p.Status != http.StatusForbidden || strings.Contains(p.Body, pg.want) {
				t.Fatalf("%s GET %s: %d, want 403", who, pg.path, p.Status)
			}
		}
		if p := anon.get(pg.path); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/login?next=") {
			t.Fatalf("signed-out GET %s: %d %q", pg.path, p.Status, p.Location)
		}
	}
	// The navigation offers each role what it may open.
	if p := audra.get("/admin/review"); !strings.Contains(p.Body, `href="/admin/review"`) || !strings.Contains(p.Body, `href="/admin/reach"`) || strings.Contains(p.Body, `href="/admin/rules"`) {
		t.Fatalf("auditor navigation:\n%s", p.Body)
	}
	if p := boss.get("/admin"); !strings.Contains(p.Body, `href="/admin/rules"`) || !strings.Contains(p.Body, `href="/admin/backups"`) || !strings.Contains(p.Body, `href="/admin/review"`) {
		t.Fatalf("admin navigation lacks the new pages")
	}
	// Posts: members may not, and a post without the token changes nothing.
	if p := mia.post("/admin/rules/cards/disable", nil, nil); p.Status != 403 {
		t.Fatalf("member turned a rule off: %d", p.Status)
	}
	if p := boss.post("/admin/rules/cards/disable", url.Values{"csrf": {"forged"}}, nil); p.Status != 403 {
		t.Fatalf("post without the token: %d", p.Status)
	}
	if r, _ := findRule(ts, "cards"); !r.Enabled {
		t.Fatalf("the rule was turned off by a refused post")
	}
}

func TestContentRulesAddEditTestDelete(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")

	// A broken pattern comes back with the error beside it and the input kept.
	bad := url.Values{"name": {"Project Zebra"}, "kind": {"pattern"}, "pattern": {`zebra(`}, "action": {"flag"}, "enabled": {"on"}}
	p := boss.post("/admin/rules/new", bad, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-pattern"`) || !strings.Contains(p.Body, `value="zebra("`) || !strings.Contains(p.Body, `value="Project Zebra"`) {
		t.Fatalf("bad pattern: %d\n%s", p.Status, excerpt(p.Body))
	}
	if strings.Contains(p.Body, "rule project-zebra:") {
		t.Fatalf("the error names the internal id:\n%s", excerpt(p.Body))
	}
	empty := url.Values{"name": {"Matches all"}, "kind": {"pattern"}, "pattern": {`x*`}, "action": {"block"}}
	if p := boss.post("/admin/rules/new", empty, nil); p.Status != 400 || !strings.Contains(p.Body, "matches empty text") {
		t.Fatalf("pattern matching empty text: %d", p.Status)
	}
	if p := boss.post("/admin/rules/new", url.Values{"kind": {"detector"}, "detector": {"nope"}, "action": {"shout"}}, nil); p.Status != 400 ||
		!strings.Contains(p.Body, `id="e-name"`) || !strings.Contains(p.Body, `id="e-detector"`) || !strings.Contains(p.Body, `id="e-action"`) {
		t.Fatalf("empty name, unknown detector and action: %d\n%s", p.Status, excerpt(p.Body))
	}

	// A rule for kinds of file: none ticked is refused, a mask is refused.
	if p := boss.post("/admin/rules/new", url.Values{"name": {"Sheets"}, "kind": {"file"}, "action": {"mask"}}, nil); p.Status != 400 ||
		!strings.Contains(p.Body, `id="e-files"`) || !strings.Contains(p.Body, "cannot be masked") {
		t.Fatalf("a file rule without kinds, masking: %d\n%s", p.Status, excerpt(p.Body))
	}
	boss.mustPost("/admin/rules/new", url.Values{"name": {"Sheets"}, "kind": {"file"}, "files": {"office", "text"}, "action": {"flag"}, "enabled": {"on"}})
	if ru, ok := findRule(ts, "sheets"); !ok || ru.Kind != "file" || strings.Join(ru.Files, ",") != "text,office" {
		t.Fatalf("stored file rule: %+v %v", ru, ok)
	}
	if res := ts.Store().RuleEngine().CheckFile("office", "q3.xlsx\n"); res.Action != "flag" {
		t.Fatalf("engine, a spreadsheet: %+v", res)
	}
	if res := ts.Store().RuleEngine().Check("q3.xlsx"); res.Action != "allow" {
		t.Fatalf("engine, a message: %+v", res)
	}

	good := url.Values{"name": {"Project Zebra"}, "kind": {"pattern"}, "pattern": {`\bproject\s+zebra\b`}, "action": {"block"}, "enabled": {"on"}}
	p = boss.mustPost("/admin/rules/new", good)
	if !strings.Contains(p.Body, "“Project Zebra” was added and is in force") {
		t.Fatalf("no flash:\n%s", excerpt(p.Body))
	}
	ru, ok := findRule(ts, "project-zebra")
	if !ok || ru.Action != "block" || !ru.Enabled || ru.Pattern != `\bproject\s+zebra\b` || ru.Kind != "pattern" {
		t.Fatalf("stored: %+v %v", ru, ok)
	}
	if e := lastAudit(t, ts); e.Action != "rule.add" || e.Target != "project-zebra" || e.Via != "console" || !strings.Contains(e.Detail, "Project Zebra") {
		t.Fatalf("audit: %+v", e)
	}
	// The engine in force has it at once.
	if res := ts.Store().RuleEngine().Check("news on Project  Zebra"); res.Action != "block" {
		t.Fatalf("engine: %+v", res)
	}
	// The same name again gets an id of its own.
	boss.mustPost("/admin/rules/new", good)
	if _, ok := findRule(ts, "project-zebra-2"); !ok {
		t.Fatalf("second rule: %+v", ts.Store().Rules())
	}
	boss.mustPost("/admin/rules/project-zebra-2/delete", nil)

	// Test a text: the verdict, the masked text and the hits; nothing kept.
	auditBefore := lastAudit(t, ts)
	secret := "card 4111 1111 1111 1111 for project zebra"
	p = boss.post("/admin/rules/test", url.Values{"text": {secret}}, nil)
	if p.Status != 200 || !strings.Contains(p.Body, "Blocked: the message would not be sent") ||
		!strings.Contains(p.Body, "<mark>4111 1111 1111 1111</mark>") || !strings.Contains(p.Body, "<mark>project zebra</mark>") ||
		!strings.Contains(p.Body, ">"+secret+"</textarea>") {
		t.Fatalf("test result: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.post("/admin/rules/test", url.Values{"text": {"pay with 4111 1111 1111 1111 please"}}, nil)
	if !strings.Contains(p.Body, "Masked:") || !strings.Contains(p.Body, "pay with "+strings.Repeat("•", 19)+" please") {
		t.Fatalf("mask result:\n%s", excerpt(p.Body))
	}
	if p := boss.post("/admin/rules/test", url.Values{"text": {"  "}}, nil); p.Status != 400 || !strings.Contains(p.Body, `id="e-text"`) {
		t.Fatalf("empty test text: %d", p.Status)
	}
	if e := lastAudit(t, ts); e.Seq != auditBefore.Seq || len(ts.Store().Flags(false, 0)) != 0 {
		t.Fatalf("testing a text left a trace: %+v", e)
	}

	// Edit: the id stays, the name and action change.
	if p := boss.get("/admin/rules/project-zebra"); !strings.Contains(p.Body, `value="\bproject\s+zebra\b"`) || !strings.Contains(p.Body, `value="block" checked`) {
		t.Fatalf("edit form:\n%s", excerpt(p.Body))
	}
	edit := url.Values{"name": {"Zebra <b>codename</b>"}, "kind": {"detector"}, "detector": {"email"}, "action": {"flag"}}
	boss.mustPost("/admin/rules/project-zebra", edit)
	if ru, _ := findRule(ts, "project-zebra"); ru.Name != "Zebra <b>codename</b>" || ru.Kind != "detector" || ru.Detector != "email" || ru.Pattern != "" || ru.Enabled {
		t.Fatalf("edited: %+v", ru)
	}
	if e := lastAudit(t, ts); e.Action != "rule.edit" || !strings.Contains(e.Detail, "detector email") {
		t.Fatalf("audit: %+v", e)
	}
	if p := boss.get("/admin/rules"); !strings.Contains(p.Body, "Zebra &lt;b&gt;codename&lt;/b&gt;") || !strings.Contains(p.Body, "Email addresses") {
		t.Fatalf("list after edit:\n%s", excerpt(p.Body))
	}

	// On and off from the list.
	boss.mustPost("/admin/rules/project-zebra/enable", nil)
	if ru, _ := findRule(ts, "project-zebra"); !ru.Enabled {
		t.Fatalf("not turned on")
	}
	if e := lastAudit(t, ts); e.Action != "rule.enable" {
		t.Fatalf("audit: %+v", e)
	}
	boss.mustPost("/admin/rules/cards/disable", nil)
	if res := ts.Store().RuleEngine().Check("4111 1111 1111 1111"); res.Action != "allow" {
		t.Fatalf("card rule still in force: %+v", res)
	}

	// Delete asks first, then deletes.
	if p := boss.get("/admin/rules/project-zebra/delete"); !strings.Contains(p.Body, "Turn it off") && !strings.Contains(p.Body, "turn it off") {
		t.Fatalf("confirmation:\n%s", excerpt(p.Body))
	}
	boss.mustPost("/admin/rules/project-zebra/delete", nil)
	if _, ok := findRule(ts, "project-zebra"); ok {
		t.Fatalf("not deleted")
	}
	if e := lastAudit(t, ts); e.Action != "rule.delete" || e.Target != "project-zebra" {
		t.Fatalf("audit: %+v", e)
	}
	if p := boss.get("/admin/rules/project-zebra"); p.Status != 404 {
		t.Fatalf("deleted rule's page: %d", p.Status)
	}
	if p := boss.get("/admin/audit"); !strings.Contains(p.Body, "Deleted a content rule") {
		t.Fatalf("audit page does not name the action")
	}
}

func TestReviewQueue(t *testing.T) {
	ts := start(t)
	ts.AddUser("audra", "auditor")
	boss, audra := signIn(t, ts, "boss"), signIn(t, ts, "audra")
	ch := channelID(t, ts, "invoices", "mia")
	st := ts.Store()
	for _, f := range []archive.Flag{
		{Channel: ch, User: "mia", RuleIDs: []string{"cards"}, Action: "mask", Seq: 1, Excerpt: "pay with ••••••••••••••••••• today"},
		{Channel: ch, User: "mia", RuleIDs: []string{"secrets", "gone"}, Action: "block", Excerpt: "key ••••••••••••••••••••"},
	} {
		if err := st.AddFlag(f); err != nil {
			t.Fatal(err)
		}
	}
	p := audra.get("/admin/review")
	for _, want := range []string{"#invoices", "Mia", "Payment card numbers", "Private keys and access tokens, gone (deleted)", "Blocked: not sent or stored", "pay with ••••", "Open (2)"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("queue lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	if p := boss.get("/admin"); !strings.Contains(p.Body, "2 flagged messages waiting for review") {
		t.Fatalf("dashboard does not mention the queue")
	}
	// Resolve needs the token, like every post.
	if p := audra.post("/admin/review/2/resolve", url.Values{"csrf": {"x"}}, nil); p.Status != 403 {
		t.Fatalf("resolve without token: %d", p.Status)
	}
	if p := signIn(t, ts, "mia").post("/admin/review/2/resolve", nil, nil); p.Status != 403 {
		t.Fatalf("member resolved: %d", p.Status)
	}
	p = audra.mustPost("/admin/review/2/resolve", nil)
	if !strings.Contains(p.Body, "Flag 2 is resolved") || !strings.Contains(p.Body, "Open (1)") {
		t.Fatalf("after resolving:\n%s", excerpt(p.Body))
	}
	if open := st.Flags(true, 0); len(open) != 1 || open[0].N != 1 {
		t.Fatalf("open flags: %+v", open)
	}
	if e := lastAudit(t, ts); e.Actor != "audra" || e.Action != "flag.resolve" || e.Target != "flag 2" {
		t.Fatalf("audit: %+v", e)
	}
	if p := boss.get("/admin/review?show=all"); !strings.Contains(p.Body, "Resolved by Audra") {
		t.Fatalf("all flags:\n%s", excerpt(p.Body))
	}
	if p := boss.post("/admin/review/99/resolve", nil, nil); p.Status != 404 {
		t.Fatalf("unknown flag: %d", p.Status)
	}
}

var backupName = regexp.MustCompile(`^attachment; filename="inhouse-\d{8}-\d{6}\.backup"$`)

func TestBackupsPage(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	st := ts.Store()
	if p := boss.get("/admin/backups"); !strings.Contains(p.Body, "No backup yet") || !strings.Contains(p.Body, "inhouse restore FILE --data "+st.Dir()) {
		t.Fatalf("backups page:\n%s", excerpt(p.Body))
	}

	// The schedule: wrong input is marked and kept.
	p := boss.post("/admin/backups/schedule", url.Values{"dir": {"backups"}, "keep": {"0"}}, nil)
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-dir"`) || !strings.Contains(p.Body, `id="e-keep"`) || !strings.Contains(p.Body, `value="backups"`) {
		t.Fatalf("bad schedule: %d\n%s", p.Status, excerpt(p.Body))
	}
	if p := boss.post("/admin/backups/schedule", url.Values{"dir": {filepath.Join(st.Dir(), "b")}, "keep": {"7"}}, nil); p.Status != 400 || !strings.Contains(p.Body, "outside the data folder") {
		t.Fatalf("backup folder inside the data folder: %d", p.Status)
	}
	dir := filepath.Join(t.TempDir(), "nightly")
	p = boss.mustPost("/admin/backups/schedule", url.Values{"dir": {dir}, "keep": {"3"}})
	if !strings.Contains(p.Body, "does not exist yet") || !strings.Contains(p.Body, "keeping the newest 3 files") {
		t.Fatalf("after saving the schedule:\n%s", excerpt(p.Body))
	}
	if b := st.BackupSchedule(); b.Dir != dir || b.Keep != 3 {
		t.Fatalf("stored schedule: %+v", b)
	}
	if e := lastAudit(t, ts); e.Action != "backup.schedule" {
		t.Fatalf("audit: %+v", e)
	}

	// A failed daily run shows here and on the dashboard.
	if err := st.SetBackupSchedule(archive.BackupSchedule{Dir: dir, Keep: 3, LastError: "write /x: <disk full>"}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/backups", "/admin"} {
		if p := boss.get(path); !strings.Contains(p.Body, "The last daily backup failed") || !strings.Contains(p.Body, "write /x: &lt;disk full&gt;") {
			t.Fatalf("%s does not show the failed run:\n%s", path, excerpt(p.Body))
		}
	}

	// Back up now: a download of a backup file, recorded.
	if p := boss.post("/admin/backups/now", url.Values{"csrf": {"forged"}}, nil); p.Status != 403 || p.Header.Get("Content-Disposition") != "" {
		t.Fatalf("backup without the token: %d", p.Status)
	}
	p = boss.post("/admin/backups/now", nil, nil)
	if p.Status != 200 || !backupName.MatchString(p.Header.Get("Content-Disposition")) || p.Header.Get("Content-Type") != "application/octet-stream" || len(p.Body) < 1024 {
		t.Fatalf("backup download: %d %v (%d bytes)", p.Status, p.Header, len(p.Body))
	}
	if _, ok := st.LastBackup(); !ok {
		t.Fatalf("the backup was not recorded")
	}
	if e := lastAudit(t, ts); e.Action != "backup.download" {
		t.Fatalf("audit: %+v", e)
	}
	// The file is a backup the restore command accepts.
	file := filepath.Join(t.TempDir(), "console.backup")
	if err := os.WriteFile(file, []byte(p.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Check(file); err != nil {
		t.Fatalf("downloaded backup does not check: %v", err)
	}
	// No temporary file is left in the data folder.
	// fasthttp closes the body just after sending it: wait for that.
	var left []string
	gone := servertest.Eventually(5*time.Second, func() bool {
		left, _ = filepath.Glob(filepath.Join(st.Dir(), ".console-backup-*"))
		return len(left) == 0
	})
	if !gone {
		t.Fatalf("temporary files left: %v", left)
	}
	if p := boss.get("/admin/backups"); strings.Contains(p.Body, "No backup yet") {
		t.Fatalf("the page still says no backup")
	}
	// Off again.
	boss.mustPost("/admin/backups/schedule", url.Values{"dir": {""}, "keep": {"3"}})
	if b := st.BackupSchedule(); b.Dir != "" || b.LastError != "" {
		t.Fatalf("schedule off: %+v", b)
	}
}

func TestReachPageForEveryone(t *testing.T) {
	ts := start(t)
	mia := signIn(t, ts, "mia")
	p := mia.get("/admin/reach")
	if p.Status != 200 {
		t.Fatalf("member: %d", p.Status)
	}
	for _, want := range []string{`<script src="/console/reach.js" defer></script>`, "WhatsApp", "<code>whatsapp.com</code>",
		`data-url="https://telegram.org/favicon.ico"`, `data-baseline="https://inhouse-reach-check.invalid/favicon.ico"`,
		"Signal", "How the check works", "Nothing has been sent yet", "Run the check", "public Internet address"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("reach page lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	// Only this page may load pictures from other sites, and only from
	// the addresses it lists.
	csp := p.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' data: https://inhouse-reach-check.invalid https://whatsapp.com ") || strings.Contains(csp, " https:;") ||
		strings.Contains(csp, " https: ") || !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Fatalf("reach CSP: %q", csp)
	}
	if csp := signIn(t, ts, "boss").get("/admin/firewall").Header.Get("Content-Security-Policy"); strings.Contains(csp, "https:") {
		t.Fatalf("other pages got the relaxed CSP: %q", csp)
	}
	js := mia.get("/console/reach.js")
	if js.Status != 200 || !strings.Contains(js.Body, "favicon") || !strings.Contains(js.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("reach.js: %d %q", js.Status, js.Header.Get("Content-Type"))
	}
	if p := signIn(t, ts, "boss").get("/admin/firewall"); !strings.Contains(p.Body, `href="/admin/reach"`) {
		t.Fatalf("the firewall page does not link the check")
	}
}
