package admin

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/office"
)

func settingsForm(st archive.Settings) *form {
	return newForm().
		Set("office", st.OfficeName).
		Set("max_text", strconv.Itoa(st.MaxText)).
		Set("allow", strings.Join(st.Allow, "\n")).
		Set("channels_by", office.WhoMayWords(st.ChannelsBy)).
		Set("direct_by", office.WhoMayWords(st.DirectBy)).
		Set("max_file_mb", strconv.FormatInt(st.MaxFileBytes()>>20, 10)).
		Set("files_space_gb", strconv.Itoa(st.FilesSpaceGB)).
		Set("files_by", filesBy(st.FilesBy)).
		Set("blocked_kinds", st.Blocked()...).
		Set("editing", editing(st.EditWindow)).
		Set("edit_minutes", editMinutes(st.EditWindow)).
		Set("mention_all_by", office.WhoMayWords(st.MentionAllBy)).
		Set("mention_confirm", strconv.Itoa(st.ConfirmAbove())).
		Set("receipts", receiptsChoice(st.Receipts)).
		Set("profiles_by", office.WhoMayWords(st.ProfilesBy)).
		Set("announcers", strings.Join(st.Announcers, ", "))
}

func editing(window int) string {
	switch {
	case window == 0:
		return "always"
	case window < 0:
		return "never"
	}
	return "window"
}

func editMinutes(window int) string {
	if window > 0 {
		return strconv.Itoa(window)
	}
	return "15"
}

func filesBy(v string) string {
	if v == "" {
		return "everyone"
	}
	return v
}

// receiptsChoice is the read receipts' radio button for a setting.
func receiptsChoice(v string) string {
	if v == archive.ReceiptsOn {
		return "on"
	}
	return v
}

// keepPeopleSettings fills the part of the page about people where a post
// lacks it (a form from before they were on the page) with what is stored,
// for the save and for the page that may come back.
func keepPeopleSettings(f *form, st archive.Settings) {
	stored := settingsForm(st)
	for _, name := range []string{"receipts", "profiles_by", "announcers"} {
		if _, sent := f.values[name]; !sent {
			f.Set(name, stored.Get(name))
		}
	}
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
	from, _ := netip.AddrFromSlice(r.ctx.RemoteIP())
	keepPeopleSettings(f, c.store.Settings())
	changed, err := c.office.SaveSettings(c.actor(r), office.SettingsChange{
		OfficeName: f.Get("office"), MaxText: f.Get("max_text"),
		ChannelsBy: f.Get("channels_by"), DirectBy: f.Get("direct_by"),
		Allow: f.Raw("allow"), From: from,
		MaxFileMB: f.Get("max_file_mb"), FilesSpaceGB: f.Get("files_space_gb"), FilesBy: f.Get("files_by"),
		BlockedKinds: f.All("blocked_kinds"),
		Editing:      f.Get("editing"), EditMinutes: f.Get("edit_minutes"),
		MentionAllBy: f.Get("mention_all_by"), MentionConfirm: f.Get("mention_confirm"),
		Receipts: f.Get("receipts"), ProfilesBy: f.Get("profiles_by"), Announcers: f.Get("announcers"),
	})
	switch {
	case c.problems(f, err):
		c.render(r.ctx, fasthttp.StatusBadRequest, settingsPage(c.shell(r, "Settings", "/admin/settings"), f, c.settingsData(r)))
		return
	case err != nil:
		c.storeFailed(r, err, "/admin/settings")
		return
	case changed == "":
		c.ok(r, "Nothing changed.")
	default:
		c.ok(r, "Settings saved. They apply at once.")
	}
	redirect(r.ctx, "/admin/settings")
}
