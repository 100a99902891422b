package admin

import (
	"bytes"
	"slices"

	"github.com/valyala/fasthttp"

	"inhouse/install/firewall"
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
	Picked   []string
	Format   string
	Formats  []formatInfo
	Preview  string
	Download string
}

// firewallChoice reads and checks the ticked entries and the format.
func (c *Console) firewallChoice(r *request, f *form) (firewallData, bool) {
	cat, err := firewall.Load()
	if err != nil {
		f.Fail("id", "The messenger catalog could not be read: "+err.Error())
		return firewallData{}, false
	}
	d := firewallData{Catalog: cat, Formats: formats(), Format: r.query("format")}
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
