package admin

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/netlist"
)

func settingsForm(st archive.Settings) *form {
	return newForm().
		Set("office", st.OfficeName).
		Set("max_text", strconv.Itoa(st.MaxText)).
		Set("allow", strings.Join(st.Allow, "\n")).
		Set("channels_by", orEveryone(st.ChannelsBy)).
		Set("direct_by", orEveryone(st.DirectBy))
}

func orEveryone(v string) string {
	if v == archive.Everyone {
		return "everyone"
	}
	return v
}

// settingsData is what the page shows beside the form.
type settingsData struct {
	Startup []string // the networks serve started with
	Remote  string   // the address this page was loaded from
}

func (c *Console) settingsData(r *request) settingsData {
	d := settingsData{Remote: r.ctx.RemoteIP().String()}
	for _, p := range c.srv.StartupAllow() {
		d.Startup = append(d.Startup, p.String())
	}
	return d
}

// GET /admin/settings
func (c *Console) settings(r *request) {
	c.render(r.ctx, fasthttp.StatusOK, settingsPage(c.shell(r, "Settings", "/admin/settings"), settingsForm(c.store.Settings()), c.settingsData(r)))
}

// POST /admin/settings
func (c *Console) settingsSave(r *request) {
	f := postedForm(r.ctx)
	old := c.store.Settings()
	st := old
	st.OfficeName = f.Get("office")
	if st.OfficeName == "" || len(st.OfficeName) > 80 {
		f.Fail("office", "Between 1 and 80 characters.")
	}
	n, err := strconv.Atoi(f.Get("max_text"))
	if err != nil || n < 1 || n > 32000 {
		f.Fail("max_text", "A whole number from 1 to 32000.")
	}
	st.MaxText = n
	st.ChannelsBy, st.DirectBy = whoMay(f, "channels_by"), whoMay(f, "direct_by")
	nets, lines := parseNetworks(f)
	st.Allow = lines
	if f.Err("allow") == "" && len(nets) > 0 {
		ip, ok := netip.AddrFromSlice(r.ctx.RemoteIP())
		if ok && !ip.Unmap().IsLoopback() && !slices.ContainsFunc(nets, func(p netip.Prefix) bool { return p.Contains(ip.Unmap()) }) {
			f.Fail("allow", fmt.Sprintf("This list would lock you out: your address %s is in none of these networks. Add it or its network.", ip.Unmap()))
		}
	}
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, settingsPage(c.shell(r, "Settings", "/admin/settings"), f, c.settingsData(r)))
		return
	}
	if err := c.store.SaveSettings(st); err != nil {
		c.storeFailed(r, err, "/admin/settings")
		return
	}
	st = c.store.Settings()
	c.srv.SetAllow(st.AllowPrefixes())
	changes := settingsChanges(old, st)
	if len(changes) == 0 {
		c.ok(r, "Nothing changed.")
	} else {
		c.audit(r, "settings.save", "settings", strings.Join(changes, "; ")+".")
		c.ok(r, "Settings saved. They apply at once.")
	}
	redirect(r.ctx, "/admin/settings")
}

func whoMay(f *form, name string) string {
	switch f.Get(name) {
	case "everyone":
		return archive.Everyone
	case archive.AdminsOnly:
		return archive.AdminsOnly
	}
	f.Fail(name, "Choose one.")
	return archive.Everyone
}

// parseNetworks reads the allowed-networks box: one network a line (commas
// and spaces also separate).
func parseNetworks(f *form) ([]netip.Prefix, []string) {
	var nets []netip.Prefix
	var lines []string
	for _, part := range strings.FieldsFunc(f.Raw("allow"), func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' }) {
		p, err := netlist.ParsePrefix(part)
		if err != nil {
			f.Fail("allow", err.Error()+".")
			continue
		}
		p = p.Masked()
		nets = append(nets, p)
		lines = append(lines, p.String())
	}
	if len(lines) > 200 {
		f.Fail("allow", "At most 200 networks.")
	}
	return nets, lines
}

func settingsChanges(a, b archive.Settings) []string {
	var out []string
	if a.OfficeName != b.OfficeName {
		out = append(out, fmt.Sprintf("office name from %q to %q", a.OfficeName, b.OfficeName))
	}
	if a.MaxText != b.MaxText {
		out = append(out, fmt.Sprintf("message size limit from %d to %d bytes", a.MaxText, b.MaxText))
	}
	if !slices.Equal(a.Allow, b.Allow) {
		out = append(out, fmt.Sprintf("allowed networks from [%s] to [%s]", strings.Join(a.Allow, " "), strings.Join(b.Allow, " ")))
	}
	if a.ChannelsBy != b.ChannelsBy {
		out = append(out, "channels may be created by "+orEveryone(b.ChannelsBy))
	}
	if a.DirectBy != b.DirectBy {
		out = append(out, "direct messages may be started by "+orEveryone(b.DirectBy))
	}
	return out
}
