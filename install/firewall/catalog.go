// Package firewall turns the embedded messenger catalog into block rules for
// common gateways, firewalls and DNS servers. Every renderer is a pure
// function of the catalog and the chosen entries, so output is reproducible.
package firewall

import (
	_ "embed"
	"fmt"
	"net/netip"
	"time"
)

//go:embed catalog.json
var embedded []byte

// Categories an entry can belong to. Only CategoryMessenger is part of "all":
// the others break more than personal messengers (see the entries' notes),
// and business tools are the office's own choice.
const (
	CategoryMessenger = "messenger"
	CategoryBusiness  = "business" // work tools (Slack, Zoom, …): opt-in
	CategorySocial    = "social"   // social networks whose messages cannot be told apart from the rest: opt-in
	CategoryDoH       = "doh"
	CategorySTUN      = "stun"
)

// StaleAfter is how old the catalog's newest source data may be before
// every output warns that it is out of date.
const StaleAfter = 6 * 30 * 24 * time.Hour

// Catalog is a validated list of entries, in file order.
type Catalog struct {
	Comment string   `json:"comment,omitempty"`
	Entries []*Entry `json:"entries"`
}

// Entry is one messenger (or category) with the facts needed to block it.
type Entry struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Category string   `json:"category"`
	Domains  []string `json:"domains"`         // each covers its subdomains
	Hosts    []string `json:"hosts,omitempty"` // exact names, for hosts files
	Ranges   []string `json:"ranges"`          // blocked on every port and protocol
	Ports    Ports    `json:"ports"`           // blocked towards every address
	Note     string   `json:"note"`
	Sources  []string `json:"sources"`
	// SourceDate is the date of the newest source data the entry's facts
	// come from; Compared is when they were last compared with the
	// sources (both YYYY-MM-DD, never in the future).
	SourceDate string `json:"source_date"`
	Compared   string `json:"compared"`
	// Checked is Compared's name in catalogs written before the two dates
	// were apart; such a file's entries take it for both.
	Checked string `json:"checked,omitempty"`

	// Parsed forms, filled by validation.
	Prefixes []netip.Prefix `json:"-"`
	TCP      []PortRange    `json:"-"`
	UDP      []PortRange    `json:"-"`
}

// Ports lists destination ports as "N" or "N-M".
type Ports struct {
	TCP []string `json:"tcp,omitempty"`
	UDP []string `json:"udp,omitempty"`
}

// Load returns the catalog compiled into the binary.
func Load() (*Catalog, error) {
	return Parse(embedded, "catalog.json")
}

// Entry returns the entry with the given id, or nil.
func (c *Catalog) Entry(id string) *Entry {
	for _, e := range c.Entries {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// Date is the newest source date of all entries: how recent the
// catalog's facts are.
func (c *Catalog) Date() string {
	d := ""
	for _, e := range c.Entries {
		d = max(d, e.SourceDate)
	}
	return d
}

// Compared is the newest date an entry was compared with its sources.
func (c *Catalog) Compared() string {
	d := ""
	for _, e := range c.Entries {
		d = max(d, e.Compared)
	}
	return d
}

// Stale says, at now, whether the catalog's newest source data is older
// than StaleAfter, and a sentence saying so.
func (c *Catalog) Stale(now time.Time) (bool, string) {
	t, err := time.Parse(time.DateOnly, c.Date())
	if err != nil || now.Sub(t) <= StaleAfter {
		return false, ""
	}
	return true, fmt.Sprintf("The catalog's newest source data is from %s, more than 6 months ago: messengers change their names and addresses. Import a newer catalog (inhouse firewall --export-catalog writes the one built in).", c.Date())
}
