package admin

import (
	"bytes"
	"io"
	"slices"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"inhouse/install/firewall"
	"inhouse/server/office"
)

// formatInfo describes an output format for the office manager.
type formatInfo struct {
	ID, Label, File string
}

var formatInfos = map[string]formatInfo{
	"nftables":  {"nftables", "nftables (Linux)", "inhouse-block.nft"},
	"iptables":  {"iptables", "iptables + ipset, IPv4 (Linux)", "inhouse-block-ipv4.rules"},
	"ip6tables": {"ip6tables", "ip6tables + ipset, IPv6 (Linux)", "inhouse-block-ipv6.rules"},
	"pf":        {"pf", "pf (OPNsense, pfSense, OpenBSD, macOS)", "inhouse-block.pf.conf"},
	"windows":   {"windows", "Windows Firewall (PowerShell)", "inhouse-block.ps1"},
	"mikrotik":  {"mikrotik", "MikroTik RouterOS", "inhouse-block.rsc"},
	"dnsmasq":   {"dnsmasq", "dnsmasq (DNS; Pi-hole, many routers)", "inhouse-block.dnsmasq.conf"},
	"unbound":   {"unbound", "Unbound (DNS; OPNsense, pfSense)", "inhouse-block.unbound.conf"},
	"rpz":       {"rpz", "Response policy zone (DNS; BIND, PowerDNS)", "inhouse-block.rpz.zone"},
	"hosts":     {"hosts", "hosts file (single computers)", "inhouse-block.hosts"},
	"adblock":   {"adblock", "Adblock list (AdGuard Home, Pi-hole)", "inhouse-block.adblock.txt"},
}

// formats is every format the firewall package renders, described.
func formats() []formatInfo {
	var out []formatInfo
	for _, id := range firewall.Formats() {
		fi, ok := formatInfos[id]
		if !ok {
			fi = formatInfo{ID: id, Label: id, File: "inhouse-block-" + id + ".txt"}
		}
		out = append(out, fi)
	}
	return out
}

// firewallData is the page's state: the catalog, what is ticked, and the
// preview when asked for.
type firewallData struct {
	Catalog  *firewall.Catalog
	Info     office.CatalogInfo // built-in or imported, and since when
	Stale    string             // the catalog's sentence when it is out of date
	Picked   []string
	Format   string
	Formats  []formatInfo
	Preview  string
	Download string
	Import   *form // the import form's problem, if any
}

// firewallChoice reads and checks the ticked entries and the format.
func (c *Console) firewallChoice(r *request, f *form) (firewallData, bool) {
	cat, info := c.office.CatalogInfo()
	d := firewallData{Catalog: cat, Info: info, Formats: formats(), Format: r.query("format"), Import: newForm()}
	if cat == nil {
		f.Fail("id", "The messenger catalog could not be read: this copy of Inhouse is damaged.")
		return d, false
	}
	if stale, why := cat.Stale(time.Now()); stale {
		d.Stale = why
	}
	for _, id := range r.ctx.QueryArgs().PeekMulti("id") {
		if e := cat.Entry(string(id)); e != nil && !slices.Contains(d.Picked, e.ID) {
			d.Picked = append(d.Picked, e.ID)
		}
	}
	if d.Format == "" {
		d.Format = "nftables"
	}
	if !slices.Contains(firewall.Formats(), d.Format) {
		f.Fail("format", "Choose one of the formats.")
	}
	if len(d.Picked) == 0 {
		f.Fail("id", "Tick at least one messenger to block.")
	}
	return d, f.Valid()
}

// GET /admin/firewall: tick messengers, read what blocking each breaks,
// pick a format, preview. Nothing changes on the server: this page only
// writes rules for the office's own firewall or DNS.
func (c *Console) firewall(r *request) {
	f := newForm()
	asked := r.ctx.QueryArgs().Has("preview")
	d, ok := c.firewallChoice(r, f)
	if !asked {
		f = newForm() // a fresh page shows no errors
	}
	if asked && ok {
		var buf bytes.Buffer
		if err := firewall.Render(&buf, d.Format, d.Catalog, d.Picked); err != nil {
			f.Fail("format", sentence(err.Error()))
		} else {
			d.Preview = buf.String()
			d.Download = "/admin/firewall/download?" + string(r.ctx.QueryArgs().QueryString())
		}
	}
	status := fasthttp.StatusOK
	if asked && !f.Valid() {
		status = fasthttp.StatusBadRequest
	}
	c.render(r.ctx, status, firewallPage(c.shell(r, "Firewall", "/admin/firewall"), f, d))
}

// GET /admin/firewall/download: the same rules as a file.
func (c *Console) firewallDownload(r *request) {
	f := newForm()
	d, ok := c.firewallChoice(r, f)
	if !ok {
		c.render(r.ctx, fasthttp.StatusBadRequest, firewallPage(c.shell(r, "Firewall", "/admin/firewall"), f, d))
		return
	}
	var buf bytes.Buffer
	if err := firewall.Render(&buf, d.Format, d.Catalog, d.Picked); err != nil {
		f.Fail("format", sentence(err.Error()))
		c.render(r.ctx, fasthttp.StatusBadRequest, firewallPage(c.shell(r, "Firewall", "/admin/firewall"), f, d))
		return
	}
	r.ctx.SetContentType("text/plain; charset=utf-8")
	r.ctx.Response.Header.Set("Content-Disposition", `attachment; filename="`+formatInfos[d.Format].File+`"`)
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	r.ctx.SetBody(buf.Bytes())
}

// firewallRoutes are the Firewall page's: the rules, and the catalog they
// come from (docs/firewall.md, "Updating without a new binary").
func (c *Console) firewallRoutes(r *router.Router) {
	r.GET("/admin/firewall", c.page(c.firewall))
	r.GET("/admin/firewall/download", c.page(c.firewallDownload))
	r.GET("/admin/firewall/catalog/download", c.page(c.catalogDownload))
	r.POST("/admin/firewall/catalog", c.upload("catalog", c.catalogPreview))
	r.POST("/admin/firewall/catalog/use", c.action(c.catalogUse))
	r.POST("/admin/firewall/catalog/builtin", c.action(c.catalogBuiltIn))
}

// GET /admin/firewall/catalog/download: the catalog in use, as `inhouse
// firewall --export-catalog` writes it and `--catalog` reads it.
func (c *Console) catalogDownload(r *request) {
	cat := c.office.Catalog()
	if cat == nil {
		c.fail(r, "The messenger catalog could not be read: this copy of Inhouse is damaged.")
		redirect(r.ctx, "/admin/firewall")
		return
	}
	data, err := cat.JSON()
	if err != nil {
		c.log.Error("messenger catalog", "err", err)
		c.fail(r, "The catalog could not be written out.")
		redirect(r.ctx, "/admin/firewall")
		return
	}
	r.ctx.SetContentType("application/json; charset=utf-8")
	r.ctx.Response.Header.Set("Content-Disposition", `attachment; filename="inhouse-catalog-`+cat.Date()+`.json"`)
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	r.ctx.SetBody(data)
}

// POST /admin/firewall/catalog: an uploaded catalog, checked as `inhouse
// firewall --catalog` checks a file and shown as what it would change.
// Nothing is in use until *Use this catalog*.
func (c *Console) catalogPreview(r *request, file io.Reader) {
	imp := newForm()
	var diff office.CatalogDiff
	if file == nil {
		imp.Fail("catalog", "Choose a catalog file (JSON) to import.")
	} else {
		// One byte more than allowed, so the office can say it is too large.
		data, err := io.ReadAll(io.LimitReader(file, office.MaxCatalogSize+1))
		if err != nil {
			imp.Fail("catalog", "The file did not arrive whole. Try again.")
		} else if diff, err = c.office.PreviewCatalog(c.actor(r), data); err != nil && !problemsOn(imp, err, "catalog", "catalog") {
			c.storeFailed(r, err, "/admin/firewall")
			return
		}
	}
	if !imp.Valid() {
		d, _ := c.firewallChoice(r, newForm())
		d.Import = imp
		c.render(r.ctx, fasthttp.StatusBadRequest, firewallPage(c.shell(r, "Firewall", "/admin/firewall"), newForm(), d))
		return
	}
	c.render(r.ctx, fasthttp.StatusOK, catalogDiffPage(c.shell(r, "Import a messenger catalog", "/admin/firewall"), diff))
}

// POST /admin/firewall/catalog/use: the catalog just shown is used from
// now on, and recorded in the audit log.
func (c *Console) catalogUse(r *request) {
	d, err := c.office.ImportHeldCatalog(c.actor(r), string(r.ctx.PostArgs().Peek("sha256")))
	if err != nil {
		c.storeFailed(r, err, "/admin/firewall#catalog")
		return
	}
	msg := "The imported catalog is in use (source data of " + d.Date + ", compared " + d.Compared + "): the rules on this page and their downloads come from it. Download the rules again and apply them where they run."
	if d.Older {
		msg += " It is older than the catalog built into Inhouse."
	}
	c.ok(r, msg)
	redirect(r.ctx, "/admin/firewall")
}

// POST /admin/firewall/catalog/builtin: back to the catalog built into
// this copy of Inhouse.
func (c *Console) catalogBuiltIn(r *request) {
	if err := c.office.UseBuiltInCatalog(c.actor(r)); err != nil {
		c.storeFailed(r, err, "/admin/firewall#catalog")
		return
	}
	c.ok(r, "The catalog built into Inhouse is in use again. Download the rules again and apply them where they run.")
	redirect(r.ctx, "/admin/firewall")
}

// categoryGroup is one category's entries on the page, with why it is in
// "all" or not.
type categoryGroup struct {
	ID, Title, Help string
	Entries         []*firewall.Entry
}

// categoryGroups sorts the catalog's entries by category, in the page's
// order; a category without entries is left out.
func categoryGroups(cat *firewall.Catalog) []categoryGroup {
	groups := []categoryGroup{
		{ID: firewall.CategoryMessenger, Title: "Messengers",
			Help: "Personal messengers: what \"all\" blocks on the command line. Under each one: what else stops working when it is blocked."},
		{ID: firewall.CategoryBusiness, Title: "Business tools, only when the office does not work with them",
			Help: "Apart from the messengers, and not in the command line's \"all\": customers, suppliers and partners meet and chat with the office over Slack, Zoom, Teams or Google Chat, so blocking one cuts that work off. Tick one only when no one in the office needs it with anyone outside."},
		{ID: firewall.CategorySocial, Title: "Social networks' messages, only with the whole network",
			Help: "Not in the command line's \"all\": a social network's direct messages use the same names and addresses as the rest of it, so blocking them blocks the whole network."},
		{ID: firewall.CategoryDoH, Title: "Encrypted DNS (DoH), with care",
			Help: "Stops devices from going around the office's DNS server, which the DNS formats rely on. Devices set by hand to a public resolver lose DNS until they use the office's."},
		{ID: firewall.CategorySTUN, Title: "Calls through NAT (STUN), with care",
			Help: "Also breaks calls in Teams, Google Meet, Zoom, Webex and every meeting tool in a browser."},
	}
	for i := range groups {
		for _, e := range cat.Entries {
			if e.Category == groups[i].ID {
				groups[i].Entries = append(groups[i].Entries, e)
			}
		}
	}
	var out []categoryGroup
	for _, g := range groups {
		if len(g.Entries) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// categoryWord names a category for people.
func categoryWord(c string) string {
	switch c {
	case firewall.CategoryMessenger:
		return "messenger"
	case firewall.CategoryBusiness:
		return "business tool"
	case firewall.CategorySocial:
		return "social network"
	case firewall.CategoryDoH:
		return "encrypted DNS"
	case firewall.CategorySTUN:
		return "calls (STUN)"
	}
	return c
}

// longList is how many items a changed list shows before it folds.
const longList = 12

// catalogFrom says where the catalog in use comes from.
func catalogFrom(info office.CatalogInfo) string {
	if info.Imported {
		if info.Since.IsZero() {
			return "Imported"
		}
		return "Imported " + shortDate(info.Since)
	}
	return "Built into this copy of Inhouse"
}

// entryCount is "1 entry", "24 entries".
func entryCount(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return itoa(n) + " entries"
}
