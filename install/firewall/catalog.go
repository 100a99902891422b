// Package firewall turns the embedded messenger catalog into block rules for
// common gateways, firewalls and DNS servers. Every renderer is a pure
// function of the catalog and the chosen entries, so output is reproducible.
package firewall

import (
	_ "embed"
	"net/netip"
)

//go:embed catalog.json
var embedded []byte

// Categories an entry can belong to. Only CategoryMessenger is part of "all":
// the others break more than messengers (see the entries' notes).
const (
	CategoryMessenger = "messenger"
	CategoryDoH       = "doh"
	CategorySTUN      = "stun"
)

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
	Checked  string   `json:"checked"` // YYYY-MM-DD

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

// Date is the newest "checked" date of all entries: the catalog's date.
func (c *Catalog) Date() string {
	d := ""
	for _, e := range c.Entries {
		if e.Checked > d {
			d = e.Checked
		}
	}
	return d
}
