package office

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"inhouse/install/firewall"
	"inhouse/server/archive"
	"inhouse/server/backup"
)

// newerCatalog is the built-in catalog with an entry added, the last one
// removed, and the first messenger's first domain gone: what a newer
// catalog changes. It returns the file and what was changed.
func newerCatalog(t *testing.T) (data []byte, added, removed, domain string) {
	t.Helper()
	cat, err := firewall.Load() // a copy of its own, changed here only
	if err != nil {
		t.Fatal(err)
	}
	first := cat.Entries[0]
	domain, first.Domains = first.Domains[0], first.Domains[1:]
	removed = cat.Entries[len(cat.Entries)-1].ID
	cat.Entries = cat.Entries[:len(cat.Entries)-1]
	cat.Entries = append(cat.Entries, &firewall.Entry{
		ID: "newchat", Name: "New Chat", Category: firewall.CategoryMessenger,
		Domains: []string{"newchat.example"}, Ranges: []string{"198.51.99.0/24"},
		Note: "Nothing else uses it.", Sources: []string{"test"},
		SourceDate: cat.Date(), Compared: cat.Compared(),
	})
	data, err = cat.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return data, "newchat", removed, domain
}

func TestImportCatalogPreviewUseAndBack(t *testing.T) {
	o, st, _ := newOffice(t)
	built, err := firewall.Load()
	if err != nil {
		t.Fatal(err)
	}
	if cat, info := o.CatalogInfo(); info.Imported || cat.Date() != built.Date() || len(cat.Entries) != len(built.Entries) {
		t.Fatalf("a new office uses %v (imported %v)", cat.Date(), info.Imported)
	}

	// A bad file is refused naming its line, and nothing is held or used.
	bad := strings.Replace(string(mustJSON(t, built)), `"31.13.`, `"31.13.999.`, 1)
	_, err = o.PreviewCatalog(boss, []byte(bad))
	p, ok := AsProblems(err)
	if !ok || len(p) != 1 || p[0].Field != "catalog" || !strings.Contains(p[0].Message, "line ") || !strings.Contains(p[0].Message, "bad range") {
		t.Fatalf("bad catalog: %v", err)
	}
	if _, err := o.PreviewCatalog(boss, []byte("{not json")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("not JSON: %v", err)
	}
	if _, err := o.PreviewCatalog(boss, make([]byte, MaxCatalogSize+1)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("too large: %v", err)
	}

	// A good one is a difference, not yet in use.
	data, added, removed, domain := newerCatalog(t)
	d, err := o.PreviewCatalog(boss, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Added) != 1 || d.Added[0].ID != added || d.Added[0].Ranges != 1 ||
		len(d.Removed) != 1 || d.Removed[0].ID != removed ||
		len(d.Changed) != 1 || d.Changed[0].ID != built.Entries[0].ID ||
		len(d.Changed[0].Lists) != 1 || d.Changed[0].Lists[0].What != "domains" || !slices.Equal(d.Changed[0].Lists[0].Removed, []string{domain}) {
		t.Fatalf("diff %+v", d)
	}
	if d.Older || d.Date != built.Date() || d.OldDate != built.Date() || d.OldImported {
		t.Fatalf("dates %+v", d)
	}
	if o.Catalog().Entry(added) != nil {
		t.Fatal("a previewed catalog is in use")
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), CatalogFile)); !os.IsNotExist(err) {
		t.Fatalf("a previewed catalog is stored: %v", err)
	}
	if es, _, _ := st.AuditLog(0, 1, nil); len(es) != 0 {
		t.Fatalf("a preview is recorded: %+v", es)
	}

	// Used: stored as uploaded, in use, recorded with its dates and changes.
	if _, err := o.ImportHeldCatalog(boss, "0000"); err == nil {
		t.Fatal("an unknown file was used")
	}
	if _, err := o.ImportHeldCatalog(Actor{Name: "mia", Role: archive.RoleMember, Via: ViaConsole}, d.SHA256); err == nil {
		t.Fatal("a member changed the catalog")
	}
	if _, err := o.ImportHeldCatalog(boss, d.SHA256); err != nil {
		t.Fatal(err)
	}
	if stored, err := os.ReadFile(filepath.Join(st.Dir(), CatalogFile)); err != nil || string(stored) != string(data) {
		t.Fatalf("stored %d bytes (%v)", len(stored), err)
	}
	if cat, info := o.CatalogInfo(); !info.Imported || cat.Entry(added) == nil || cat.Entry(removed) != nil || info.Since.IsZero() {
		t.Fatalf("in use: imported %v", info.Imported)
	}
	e := lastAudit(t, st)
	if e.Action != "firewall.catalog" || e.Actor != "boss" || e.Via != ViaConsole || e.Target != "catalog of "+built.Date() {
		t.Fatalf("audit %+v", e)
	}
	for _, want := range []string{"source data of " + built.Date(), "compared " + built.Compared(), "1 added (newchat)", "1 removed (" + removed + ")", "1 changed (" + built.Entries[0].ID + " [-1 domains])"} {
		if !strings.Contains(e.Detail, want) {
			t.Fatalf("audit detail lacks %q: %s", want, e.Detail)
		}
	}
	if _, err := o.ImportHeldCatalog(boss, d.SHA256); err == nil {
		t.Fatal("a held file was used twice")
	}

	// A restarted server finds it.
	if again := New(st, nil, nil); again.Catalog().Entry(added) == nil {
		t.Fatal("the imported catalog is lost on restart")
	}

	// Back to the built-in one.
	if err := o.UseBuiltInCatalog(boss); err != nil {
		t.Fatal(err)
	}
	if cat, info := o.CatalogInfo(); info.Imported || cat.Entry(added) != nil || cat.Entry(removed) == nil {
		t.Fatal("still the imported catalog")
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), CatalogFile)); !os.IsNotExist(err) {
		t.Fatalf("the stored catalog is left: %v", err)
	}
	if e := lastAudit(t, st); e.Action != "firewall.catalog" || e.Target != "built-in" || !strings.Contains(e.Detail, "Went back to the built-in") {
		t.Fatalf("audit %+v", e)
	}
	if err := o.UseBuiltInCatalog(boss); !errors.As(err, new(archive.UserError)) {
		t.Fatalf("back to built-in twice: %v", err)
	}
}

// A catalog older than the built-in one is said to be, in the difference
// and the audit log.
func TestImportOlderCatalogIsWarned(t *testing.T) {
	o, st, _ := newOffice(t)
	cat, err := firewall.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cat.Entries {
		e.SourceDate, e.Compared = "2025-01-02", "2025-01-03"
	}
	d, err := o.ImportCatalog(boss, mustJSON(t, cat))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Older || d.Date != "2025-01-02" || len(d.Changed) != len(cat.Entries) || !strings.HasSuffix(d.Changed[0].Dates[0], "→ 2025-01-02") {
		t.Fatalf("diff %+v", d)
	}
	if e := lastAudit(t, st); !strings.Contains(e.Detail, "older than the one built in") {
		t.Fatalf("audit %+v", e)
	}
	if _, info := o.CatalogInfo(); !info.BuiltInNewer(o.Catalog()) {
		t.Fatal("the built-in catalog is not said to be newer")
	}
}

// A stored file the binary cannot use leaves the built-in catalog in use,
// and says why.
func TestStoredCatalogUnreadable(t *testing.T) {
	_, st, _ := newOffice(t)
	if err := os.WriteFile(filepath.Join(st.Dir(), CatalogFile), []byte(`{"entries": [}`), 0o600); err != nil {
		t.Fatal(err)
	}
	o := New(st, nil, nil)
	cat, info := o.CatalogInfo()
	if info.Imported || cat == nil || !strings.Contains(info.Problem, "cannot be used") {
		t.Fatalf("info %+v", info)
	}
	if err := o.UseBuiltInCatalog(boss); err != nil {
		t.Fatal(err)
	}
	if _, info := o.CatalogInfo(); info.Problem != "" {
		t.Fatalf("the problem stays: %+v", info)
	}
}

// Backups carry the imported catalog, so a restored office blocks what it
// blocked before.
func TestBackupCarriesTheImportedCatalog(t *testing.T) {
	o, _, _ := newOffice(t)
	data, added, _, _ := newerCatalog(t)
	if _, err := o.ImportCatalog(boss, data); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "office.backup")
	info, err := o.BackupFile(boss, file)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(info.Files, CatalogFile) {
		t.Fatalf("backup files %v", info.Files)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if _, _, err := backup.Restore(file, dir, false, info.Key); err != nil {
		t.Fatal(err)
	}
	st2, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if New(st2, nil, nil).Catalog().Entry(added) == nil {
		t.Fatal("the restored office uses another catalog")
	}
}

func mustJSON(t *testing.T, c *firewall.Catalog) []byte {
	t.Helper()
	data, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return data
}
