package admin_test

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"inhouse/install/firewall"
)

// testCatalog is the built-in catalog changed as a newer one would be:
// the first entry loses a domain, a messenger and a business tool are
// added, all dated date. It returns the file and the domain removed.
func testCatalog(t *testing.T, date string) (data []byte, removed string) {
	t.Helper()
	cat, err := firewall.Load() // a copy of its own
	if err != nil {
		t.Fatal(err)
	}
	first := cat.Entries[0]
	for i, d := range first.Domains {
		if !slices.Contains(first.Hosts, d) {
			removed = d
			first.Domains = slices.Delete(first.Domains, i, i+1)
			break
		}
	}
	cat.Entries = append(cat.Entries,
		&firewall.Entry{
			ID: "newchat", Name: "New Chat", Category: firewall.CategoryMessenger,
			Domains: []string{"newchat.example"}, Hosts: []string{"api.newchat.example"}, Ranges: []string{"198.51.99.0/24"},
			Note: "Nothing else uses it. <script>alert(1)</script>", Sources: []string{"test"},
		},
		&firewall.Entry{
			ID: "newmeet", Name: "New Meet", Category: firewall.CategoryBusiness,
			Domains: []string{"newmeet.example"}, Note: "Meetings with customers stop.", Sources: []string{"test"},
		})
	for _, e := range cat.Entries {
		e.SourceDate, e.Compared = date, date
	}
	if data, err = cat.JSON(); err != nil {
		t.Fatal(err)
	}
	return data, removed
}

var shaRE = regexp.MustCompile(`name="sha256" value="([0-9a-f]{64})"`)

// An office manager imports a newer catalog through the console: a broken
// file is refused with its line, a good one is shown as what it changes,
// then used for the page and the downloads, recorded, and undone.
func TestFirewallCatalogImport(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	token := [][2]string{{"csrf", boss.csrf}}
	today := time.Now().UTC().Format(time.DateOnly)
	builtIn, err := firewall.Load()
	if err != nil {
		t.Fatal(err)
	}

	p := boss.get("/admin/firewall")
	for _, want := range []string{"Built into this copy of Inhouse", "Source data of " + builtIn.Entries[0].SourceDate, "compared with its sources " + builtIn.Entries[0].Compared, `action="/admin/firewall/catalog"`, `enctype="multipart/form-data"`} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("the page lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	if strings.Contains(p.Body, "Back to the built-in catalog") {
		t.Fatal("back to the built-in catalog while it is in use")
	}

	// Refused: nothing chosen, a member, a broken file (with its line).
	if p := boss.upload("/admin/firewall/catalog", token, "catalog", "", nil); p.Status != 400 || !strings.Contains(p.Body, `id="e-catalog"`) || !strings.Contains(p.Body, "Choose a catalog file") {
		t.Fatalf("nothing chosen: %d\n%s", p.Status, excerpt(p.Body))
	}
	good, removed := testCatalog(t, today)
	mia := signIn(t, ts, "mia")
	if p := mia.upload("/admin/firewall/catalog", [][2]string{{"csrf", mia.csrf}}, "catalog", "c.json", good); p.Status != 403 {
		t.Fatalf("a member's upload: %d", p.Status)
	}
	bad := strings.Replace(string(good), `"198.51.99.0/24"`, `"198.51.99.0/33"`, 1)
	line := strings.Count(bad[:strings.Index(bad, "198.51.99.0/33")], "\n") + 1
	p = boss.upload("/admin/firewall/catalog", token, "catalog", "c.json", []byte(bad))
	if p.Status != 400 || !strings.Contains(p.Body, `id="e-catalog"`) || !strings.Contains(p.Body, "line "+strconv.Itoa(line)+`, entry &#34;newchat&#34;: bad range`) {
		t.Fatalf("a bad file (line %d): %d\n%s", line, p.Status, excerpt(p.Body))
	}

	// A good file: what it changes, nothing in use yet.
	p = boss.upload("/admin/firewall/catalog", token, "catalog", "c.json", good)
	if p.Status != 200 {
		t.Fatalf("preview: %d\n%s", p.Status, excerpt(p.Body))
	}
	for _, want := range []string{"What this catalog changes", "Added (2)", `<tr id="entry-newchat">`, "New Chat", "business tool", "Changed (", `id="changed-` + builtIn.Entries[0].ID + `"`, "domains removed", "<del><code>" + removed + "</code></del>", "Use this catalog", "source data up to " + today} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("the difference lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	if strings.Contains(p.Body, "older than the one built in") {
		t.Fatal("a newer catalog is said to be older")
	}
	m := shaRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no catalog to use on the page")
	}
	if d := boss.get("/admin/firewall/download?format=hosts&id=newchat"); d.Status != 400 {
		t.Fatalf("a previewed catalog is in use: %d", d.Status)
	}

	// Used: the page, the downloads, the catalog and the check come from it.
	p = boss.mustPost("/admin/firewall/catalog/use", url.Values{"sha256": {m[1]}})
	for _, want := range []string{"The imported catalog is in use", "New Chat", "Business tools", "customers, suppliers and partners", "Imported ", "Back to the built-in catalog"} {
		if !strings.Contains(p.Body, want) {
			t.Fatalf("the page lacks %q:\n%s", want, excerpt(p.Body))
		}
	}
	// A catalog is text from outside: shown, never run.
	if !strings.Contains(p.Body, "Nothing else uses it. &lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(p.Body, "<script>alert(1)") {
		t.Fatal("an imported note is not escaped")
	}
	if d := boss.get("/admin/firewall/download?format=nftables&id=newchat"); d.Status != 200 || !strings.Contains(d.Body, "198.51.99.0/24") {
		t.Fatalf("nftables download: %d\n%s", d.Status, d.Body)
	}
	d := boss.get("/admin/firewall/download?format=hosts&id=newchat&id=" + builtIn.Entries[0].ID)
	if d.Status != 200 || !strings.Contains(d.Body, "0.0.0.0 newchat.example\n") || !strings.Contains(d.Body, "0.0.0.0 api.newchat.example\n") || strings.Contains(d.Body, "0.0.0.0 "+removed+"\n") {
		t.Fatalf("hosts download: %d\n%s", d.Status, d.Body)
	}
	if c := boss.get("/admin/firewall/catalog/download"); c.Status != 200 || !strings.Contains(c.Body, `"id": "newchat"`) || !strings.Contains(c.Header.Get("Content-Disposition"), "inhouse-catalog-"+today+".json") {
		t.Fatalf("catalog download: %d %v", c.Status, c.Header)
	}
	if r := mia.get("/admin/reach"); !strings.Contains(r.Body, "New Chat") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "https://newchat.example") {
		t.Fatalf("the messenger check does not try the imported catalog's messengers")
	}
	a := boss.get("/admin/audit")
	for _, want := range []string{"Changed the messenger catalog", "source data of " + today, "2 added (newchat, newmeet)", builtIn.Entries[0].ID + " [-1 domains"} {
		if !strings.Contains(a.Body, want) {
			t.Fatalf("the audit log lacks %q:\n%s", want, excerpt(a.Body))
		}
	}
	if p := boss.post("/admin/firewall/catalog/use", url.Values{"sha256": {m[1]}}, nil); p.Status != 303 {
		t.Fatalf("used twice: %d", p.Status)
	} else if p := boss.get(p.Location); !strings.Contains(p.Body, "no longer held") {
		t.Fatalf("used twice:\n%s", excerpt(p.Body))
	}

	// Back to the built-in catalog.
	p = boss.mustPost("/admin/firewall/catalog/builtin", nil)
	if !strings.Contains(p.Body, "The catalog built into Inhouse is in use again") || strings.Contains(p.Body, "New Chat") || !strings.Contains(p.Body, "Built into this copy of Inhouse") {
		t.Fatalf("back to built-in:\n%s", excerpt(p.Body))
	}
	if d := boss.get("/admin/firewall/download?format=hosts&id=newchat"); d.Status != 400 {
		t.Fatalf("the imported catalog is still in use: %d", d.Status)
	}
	if a := boss.get("/admin/audit"); !strings.Contains(a.Body, "Went back to the built-in messenger catalog") {
		t.Fatalf("the audit log lacks going back:\n%s", excerpt(a.Body))
	}
}

// A catalog whose newest source data is over 6 months old gets the amber
// banner with the catalog's own sentence; it is said to be older than the
// built-in one before it is used.
func TestFirewallStaleCatalogBanner(t *testing.T) {
	ts := start(t)
	boss := signIn(t, ts, "boss")
	token := [][2]string{{"csrf", boss.csrf}}
	old := time.Now().UTC().AddDate(0, -7, 0).Format(time.DateOnly)
	data, _ := testCatalog(t, old)
	p := boss.upload("/admin/firewall/catalog", token, "catalog", "old.json", data)
	if p.Status != 200 || !strings.Contains(p.Body, "This catalog is older than the one built in") {
		t.Fatalf("an old catalog's difference: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = boss.mustPost("/admin/firewall/catalog/use", url.Values{"sha256": {shaRE.FindStringSubmatch(p.Body)[1]}})
	cat, err := firewall.Parse(data, "old.json")
	if err != nil {
		t.Fatal(err)
	}
	stale, why := cat.Stale(time.Now())
	if !stale {
		t.Fatal("a catalog of 7 months is not stale")
	}
	banner := `<div class="flash flash-warn" role="status" id="stale">`
	if !strings.Contains(p.Body, banner) || !strings.Contains(p.Body, strings.ReplaceAll(why, "'", "&#39;")) || !strings.Contains(p.Body, "is newer than the imported one") {
		t.Fatalf("no stale banner:\n%s", excerpt(p.Body))
	}

	// A catalog of today has none.
	fresh, _ := testCatalog(t, time.Now().UTC().Format(time.DateOnly))
	p = boss.upload("/admin/firewall/catalog", token, "catalog", "new.json", fresh)
	p = boss.mustPost("/admin/firewall/catalog/use", url.Values{"sha256": {shaRE.FindStringSubmatch(p.Body)[1]}})
	if strings.Contains(p.Body, banner) || strings.Contains(p.Body, "is newer than the imported one") {
		t.Fatalf("a fresh catalog has a banner:\n%s", excerpt(p.Body))
	}
}
