package office

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"inhouse/install/firewall"
	"inhouse/server/archive"
	"inhouse/server/atomicfile"
)

// The messenger catalog the console's Firewall page, its downloads and the
// messenger check use: the one built into the binary, or a newer one the
// office manager imported (docs/firewall.md, "Updating without a new
// binary"). An imported catalog is checked as `inhouse firewall --catalog`
// checks a file (firewall.Parse), shown as a difference from the one in
// use, and only then used. It is kept as uploaded in the data folder, and
// backups carry it: a restored office blocks what it blocked before, as
// its audit log says it did.

// CatalogFile is the imported catalog's name in the data folder
// (server/backup carries a file of this name).
const CatalogFile = "firewall-catalog.json"

// MaxCatalogSize bounds an imported catalog file; the built-in one is
// about 30 KB.
const MaxCatalogSize = 4 << 20

// heldFor is how long an uploaded catalog waits for *Use this catalog*;
// heldMax how many wait at once.
const (
	heldFor = time.Hour
	heldMax = 4
)

// builtIn is the catalog compiled into the binary, read once.
var builtIn = sync.OnceValues(firewall.Load)

// catalogState is the imported catalog while the server runs.
type catalogState struct {
	mu      sync.Mutex
	read    bool              // the data folder's file was looked at
	cat     *firewall.Catalog // the imported catalog; nil: the built-in one
	since   time.Time         // when it was stored
	problem string            // the stored file could not be used
	held    map[string]heldCatalog
}

// heldCatalog is an uploaded file shown as a difference, by its SHA-256.
type heldCatalog struct {
	data []byte
	at   time.Time
}

// CatalogInfo says which catalog is in use.
type CatalogInfo struct {
	Imported bool
	Since    time.Time // when the imported catalog was stored
	// BuiltIn is the binary's own catalog, for comparing dates; nil when
	// it cannot be read (a broken build).
	BuiltIn *firewall.Catalog
	// Problem: the stored catalog could not be read (a newer binary's
	// rules refuse it, or the file was changed by hand); the built-in one
	// is used until the manager imports another or goes back to it.
	Problem string
}

// BuiltInNewer says the binary (upgraded since the import) carries newer
// source data than the imported catalog.
func (i CatalogInfo) BuiltInNewer(inUse *firewall.Catalog) bool {
	return i.Imported && i.BuiltIn != nil && inUse != nil && newer(i.BuiltIn, inUse)
}

// newer: a's source data is more recent than b's, or as recent and
// compared later.
func newer(a, b *firewall.Catalog) bool {
	return a.Date() > b.Date() || a.Date() == b.Date() && a.Compared() > b.Compared()
}

// Catalog is the messenger catalog in use: the imported one, or the one
// built in. It is shared: callers read it and never change it. nil only
// when even the built-in catalog cannot be read (a broken build).
func (o *Office) Catalog() *firewall.Catalog {
	cat, _ := o.catalog()
	return cat
}

// CatalogInfo is the catalog in use and where it comes from.
func (o *Office) CatalogInfo() (*firewall.Catalog, CatalogInfo) {
	return o.catalog()
}

func (o *Office) catalog() (*firewall.Catalog, CatalogInfo) {
	s := &o.fw
	s.mu.Lock()
	defer s.mu.Unlock()
	o.readCatalogLocked()
	b, _ := builtIn()
	info := CatalogInfo{Imported: s.cat != nil, Since: s.since, BuiltIn: b, Problem: s.problem}
	if s.cat != nil {
		return s.cat, info
	}
	return b, info
}

// readCatalogLocked looks once for a stored catalog.
func (o *Office) readCatalogLocked() {
	s := &o.fw
	if s.read {
		return
	}
	s.read = true
	path := filepath.Join(o.store.Dir(), CatalogFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err == nil {
		var cat *firewall.Catalog
		if cat, err = firewall.Parse(data, CatalogFile); err == nil {
			s.cat = cat
			if fi, err := os.Stat(path); err == nil {
				s.since = fi.ModTime()
			}
			return
		}
	}
	s.problem = "The imported catalog in the data folder (" + CatalogFile + ") cannot be used, so the built-in one is: " + err.Error()
	o.log.Error("firewall catalog", "err", err)
}

// CatalogDiff is what using a catalog would change, or changed, against
// the one in use before.
type CatalogDiff struct {
	SHA256 string // of the file: ImportHeldCatalog names it
	Size   int
	// The new catalog's dates (newest source data, newest comparison)
	// and the old one's.
	Date, Compared       string
	OldDate, OldCompared string
	OldImported          bool // the old one was an imported catalog, not the built-in
	// Older: the new catalog's source data is older than the built-in
	// one's. OlderThan is the built-in catalog's date.
	Older     bool
	OlderThan string
	Entries   int // in the new catalog
	Added     []EntrySummary
	Removed   []EntrySummary
	Changed   []EntryChange
}

// Same says nothing would change.
func (d CatalogDiff) Same() bool {
	return len(d.Added)+len(d.Removed)+len(d.Changed) == 0
}

// EntrySummary names an entry and counts what it blocks.
type EntrySummary struct {
	ID, Name, Category   string
	SourceDate, Compared string
	Domains, Hosts       int
	Ranges, Ports        int
}

// EntryChange is one entry present in both catalogs, and what differs.
type EntryChange struct {
	ID, Name string
	Lists    []ListChange // domains, hosts, ranges, ports: added and removed
	Dates    []string     // "source data 2024-10-21 → 2026-11-01"
	Other    []string     // "name Skype → Skype (consumer)", "category", "note", …
}

// ListChange is what one of an entry's lists gains and loses.
type ListChange struct {
	What           string // "domains", "hosts", "ranges", "TCP ports", "UDP ports", "sources"
	Added, Removed []string
}

// PreviewCatalog checks an uploaded catalog as `inhouse firewall
// --catalog` does and says what using it would change. The file is held
// (for an hour, by its SHA-256) for ImportHeldCatalog; nothing is in use
// or recorded yet. A refused file is a problem on the field "catalog",
// naming the line.
func (o *Office) PreviewCatalog(a Actor, data []byte) (CatalogDiff, error) {
	if err := mayImportCatalog(a); err != nil {
		return CatalogDiff{}, err
	}
	next, err := parseCatalog(data)
	if err != nil {
		return CatalogDiff{}, err
	}
	cur, info := o.catalog()
	d := diffCatalogs(cur, next, info)
	d.SHA256, d.Size = digest(data), len(data)
	s := &o.fw
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.held == nil {
		s.held = map[string]heldCatalog{}
	}
	for k, h := range s.held {
		if now.Sub(h.at) > heldFor {
			delete(s.held, k)
		}
	}
	for len(s.held) >= heldMax {
		oldest := ""
		for k, h := range s.held {
			if oldest == "" || h.at.Before(s.held[oldest].at) {
				oldest = k
			}
		}
		delete(s.held, oldest)
	}
	s.held[d.SHA256] = heldCatalog{data: data, at: now}
	return d, nil
}

// ImportHeldCatalog uses the catalog PreviewCatalog held under sum.
func (o *Office) ImportHeldCatalog(a Actor, sum string) (CatalogDiff, error) {
	if err := mayImportCatalog(a); err != nil {
		return CatalogDiff{}, err
	}
	o.fw.mu.Lock()
	h, ok := o.fw.held[sum]
	if ok && time.Since(h.at) > heldFor {
		ok = false
	}
	o.fw.mu.Unlock()
	if !ok {
		return CatalogDiff{}, fieldErr("catalog", "The catalog file shown is no longer held (an hour passed, or the server restarted): choose the file again.")
	}
	return o.ImportCatalog(a, h.data)
}

// ImportCatalog checks a catalog file as `inhouse firewall --catalog`
// does and uses it from now on: stored whole in the data folder, then in
// use for the console's pages and downloads, then recorded in the admin
// audit log with its dates and what changed. The difference returned is
// against the catalog in use until now.
func (o *Office) ImportCatalog(a Actor, data []byte) (CatalogDiff, error) {
	if err := mayImportCatalog(a); err != nil {
		return CatalogDiff{}, err
	}
	next, err := parseCatalog(data)
	if err != nil {
		return CatalogDiff{}, err
	}
	s := &o.fw
	s.mu.Lock()
	o.readCatalogLocked()
	cur, _ := builtIn()
	oldImported := s.cat != nil
	if oldImported {
		cur = s.cat
	}
	b, _ := builtIn()
	d := diffCatalogs(cur, next, CatalogInfo{Imported: oldImported, BuiltIn: b})
	d.SHA256, d.Size = digest(data), len(data)
	if err := atomicfile.Write(filepath.Join(o.store.Dir(), CatalogFile), data); err != nil {
		s.mu.Unlock()
		return d, err
	}
	s.cat, s.since, s.problem = next, time.Now(), ""
	delete(s.held, d.SHA256)
	s.mu.Unlock()
	o.audit(a, "firewall.catalog", "catalog of "+d.Date, "Imported a messenger catalog: "+d.Summary())
	return d, nil
}

// UseBuiltInCatalog goes back to the catalog built into the binary: the
// stored file is removed and the change recorded.
func (o *Office) UseBuiltInCatalog(a Actor) error {
	if err := mayImportCatalog(a); err != nil {
		return err
	}
	b, err := builtIn()
	if err != nil {
		return err
	}
	s := &o.fw
	s.mu.Lock()
	o.readCatalogLocked()
	path := filepath.Join(o.store.Dir(), CatalogFile)
	if err := os.Remove(path); errors.Is(err, fs.ErrNotExist) {
		s.mu.Unlock()
		return archive.NewUserError(errors.New("the built-in catalog is already in use"))
	} else if err != nil {
		s.mu.Unlock()
		return err
	}
	if err := atomicfile.SyncDir(o.store.Dir()); err != nil {
		o.log.Warn("firewall catalog: the data folder was not synced", "err", err)
	}
	old := s.cat
	s.cat, s.since, s.problem = nil, time.Time{}, ""
	s.mu.Unlock()
	what := "the stored catalog could not be read"
	if old != nil {
		what = "the imported one was of " + old.Date()
	}
	o.audit(a, "firewall.catalog", "built-in", fmt.Sprintf("Went back to the built-in messenger catalog (source data of %s, compared %s); %s.", b.Date(), b.Compared(), what))
	return nil
}

// mayImportCatalog: the catalog decides what the office's own network
// blocks, the office manager's matter.
func mayImportCatalog(a Actor) error {
	if a.Via == ViaConsole && a.Role != archive.RoleAdmin {
		return archive.NewUserError(errors.New("only an office manager may change the messenger catalog"))
	}
	return nil
}

// parseCatalog checks a file with the rules of `--catalog`; a refusal
// names the line.
func parseCatalog(data []byte) (*firewall.Catalog, error) {
	if len(data) > MaxCatalogSize {
		return nil, fieldErr("catalog", fmt.Sprintf("The file is larger than %s: a messenger catalog is far smaller. Is it the right file?", SizeText(MaxCatalogSize)))
	}
	cat, err := firewall.Parse(data, "catalog")
	if err == nil {
		return cat, nil
	}
	var ce *firewall.CatalogError
	if !errors.As(err, &ce) {
		return nil, fieldErr("catalog", "The file is not a messenger catalog: "+err.Error())
	}
	msg := "The file is not a catalog Inhouse can use"
	if ce.Line > 0 {
		msg += ": line " + strconv.Itoa(ce.Line)
	}
	if ce.Entry != "" {
		msg += ", entry " + strconv.Quote(ce.Entry)
	}
	return nil, fieldErr("catalog", msg+": "+ce.Msg+".")
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// diffCatalogs compares the catalog in use (cur) with next.
func diffCatalogs(cur, next *firewall.Catalog, info CatalogInfo) CatalogDiff {
	d := CatalogDiff{Date: next.Date(), Compared: next.Compared(), Entries: len(next.Entries), OldImported: info.Imported}
	if cur != nil {
		d.OldDate, d.OldCompared = cur.Date(), cur.Compared()
	}
	if b := info.BuiltIn; b != nil && newer(b, next) {
		d.Older, d.OlderThan = true, b.Date()
	}
	var old []*firewall.Entry
	if cur != nil {
		old = cur.Entries
	}
	for _, e := range next.Entries {
		var was *firewall.Entry
		if cur != nil {
			was = cur.Entry(e.ID)
		}
		if was == nil {
			d.Added = append(d.Added, summarize(e))
		} else if c, ok := diffEntry(was, e); ok {
			d.Changed = append(d.Changed, c)
		}
	}
	for _, e := range old {
		if next.Entry(e.ID) == nil {
			d.Removed = append(d.Removed, summarize(e))
		}
	}
	return d
}

func summarize(e *firewall.Entry) EntrySummary {
	return EntrySummary{
		ID: e.ID, Name: e.Name, Category: e.Category, SourceDate: e.SourceDate, Compared: e.Compared,
		Domains: len(e.Domains), Hosts: len(e.Hosts), Ranges: len(e.Prefixes), Ports: len(e.TCP) + len(e.UDP),
	}
}

// diffEntry says what differs between two versions of an entry.
func diffEntry(a, b *firewall.Entry) (EntryChange, bool) {
	c := EntryChange{ID: b.ID, Name: b.Name}
	for _, l := range []struct {
		what     string
		old, new []string
	}{
		{"domains", a.Domains, b.Domains},
		{"hosts", a.Hosts, b.Hosts},
		{"ranges", prefixStrings(a), prefixStrings(b)},
		{"TCP ports", portStrings(a.TCP), portStrings(b.TCP)},
		{"UDP ports", portStrings(a.UDP), portStrings(b.UDP)},
		{"sources", a.Sources, b.Sources},
	} {
		added, removed := setDiff(l.old, l.new), setDiff(l.new, l.old)
		if len(added)+len(removed) > 0 {
			c.Lists = append(c.Lists, ListChange{What: l.what, Added: added, Removed: removed})
		}
	}
	if a.SourceDate != b.SourceDate {
		c.Dates = append(c.Dates, "source data "+a.SourceDate+" → "+b.SourceDate)
	}
	if a.Compared != b.Compared {
		c.Dates = append(c.Dates, "compared "+a.Compared+" → "+b.Compared)
	}
	if a.Name != b.Name {
		c.Other = append(c.Other, "name "+a.Name+" → "+b.Name)
	}
	if a.Category != b.Category {
		c.Other = append(c.Other, "category "+a.Category+" → "+b.Category)
	}
	if a.Note != b.Note {
		c.Other = append(c.Other, "note reworded")
	}
	return c, len(c.Lists)+len(c.Dates)+len(c.Other) > 0
}

// setDiff is what b has and a has not, in b's order.
func setDiff(a, b []string) []string {
	var out []string
	for _, x := range b {
		if !slices.Contains(a, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// prefixStrings are an entry's ranges in one spelling ("1.2.3.4" and
// "1.2.3.4/32" are the same range).
func prefixStrings(e *firewall.Entry) []string {
	out := make([]string, len(e.Prefixes))
	for i, p := range e.Prefixes {
		out[i] = p.String()
	}
	return out
}

func portStrings(rs []firewall.PortRange) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// Summary is the difference in a sentence or two, for the audit log.
func (d CatalogDiff) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "source data of %s, compared %s, %s (SHA-256 %s…)", d.Date, d.Compared, strconv.Itoa(d.Entries)+" entries", d.SHA256[:min(12, len(d.SHA256))])
	was := "the built-in one"
	if d.OldImported {
		was = "the imported one"
	}
	fmt.Fprintf(&b, "; against %s (source data of %s): ", was, d.OldDate)
	if d.Same() {
		b.WriteString("no entry changed")
	} else {
		var parts []string
		if n := len(d.Added); n > 0 {
			parts = append(parts, fmt.Sprintf("%d added (%s)", n, someNames(len(d.Added), func(i int) string { return d.Added[i].ID })))
		}
		if n := len(d.Removed); n > 0 {
			parts = append(parts, fmt.Sprintf("%d removed (%s)", n, someNames(len(d.Removed), func(i int) string { return d.Removed[i].ID })))
		}
		if n := len(d.Changed); n > 0 {
			parts = append(parts, fmt.Sprintf("%d changed (%s)", n, someNames(len(d.Changed), func(i int) string { return d.Changed[i].ID + " " + d.Changed[i].counts() })))
		}
		b.WriteString(strings.Join(parts, ", "))
	}
	if d.Older {
		b.WriteString("; older than the one built in (" + d.OlderThan + ")")
	}
	b.WriteString(".")
	return b.String()
}

// counts is an entry's change in brief: "+3 -1 domains, dates".
func (c EntryChange) counts() string {
	var parts []string
	for _, l := range c.Lists {
		s := ""
		if len(l.Added) > 0 {
			s += "+" + strconv.Itoa(len(l.Added)) + " "
		}
		if len(l.Removed) > 0 {
			s += "-" + strconv.Itoa(len(l.Removed)) + " "
		}
		parts = append(parts, s+l.What)
	}
	if len(c.Dates) > 0 {
		parts = append(parts, "dates")
	}
	parts = append(parts, c.Other...)
	return "[" + strings.Join(parts, ", ") + "]"
}

// someNames lists up to 10 names, then how many more.
func someNames(n int, name func(int) string) string {
	var out []string
	for i := 0; i < n && i < 10; i++ {
		out = append(out, name(i))
	}
	if n > 10 {
		out = append(out, strconv.Itoa(n-10)+" more")
	}
	return strings.Join(out, ", ")
}
