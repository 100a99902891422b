package admin

import (
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/office"
)

// Retention is the office manager's decision, not the auditor's: how long
// messages are kept, and who and what is on legal hold. The nightly purge
// applies it; every change goes to the admin audit log.

func init() { actionWords["retention.save"] = "Changed retention" }

type retentionData struct {
	Form             *form
	People, Channels []archiveOption
	Current          string
}

func retentionForm(rt archive.Retention) *form {
	f := newForm().Set("keep", "forever").Set("days", "")
	if rt.Days > 0 {
		f.Set("keep", "days").Set("days", strconv.Itoa(rt.Days))
	}
	return f.Set("hold_user", rt.HoldUsers...).Set("hold_channel", rt.HoldChannels...)
}

// retentionChoices lists everyone and the group channels. Direct
// conversations are not listed on admin pages: holding a person holds
// what they wrote there too.
func (c *Console) retentionData(f *form) retentionData {
	n := c.archiveNames()
	d := retentionData{Form: f, Current: c.office.RetentionWords(c.store.Retention())}
	d.People, _ = n.choices()
	for _, ch := range c.store.Channels(func(ch *archive.Channel) bool { return ch.Kind != "direct" }) {
		d.Channels = append(d.Channels, archiveOption{ch.ID, "#" + ch.Name})
	}
	slices.SortFunc(d.Channels, func(a, b archiveOption) int { return strings.Compare(a.Label, b.Label) })
	return d
}

// GET /admin/retention
func (c *Console) retention(r *request) {
	f := retentionForm(c.store.Retention())
	c.render(r.ctx, fasthttp.StatusOK, retentionPage(c.shell(r, "Retention", "/admin/retention"), c.retentionData(f)))
}

// POST /admin/retention
func (c *Console) retentionSave(r *request) {
	f := postedForm(r.ctx)
	keep := f.Get("keep")
	if keep != "forever" && keep != "days" {
		f.Fail("keep", "Choose forever or a number of days.") // only a changed form sends another
		c.render(r.ctx, fasthttp.StatusBadRequest, retentionPage(c.shell(r, "Retention", "/admin/retention"), c.retentionData(f)))
		return
	}
	words, changed, err := c.office.SaveRetention(c.actor(r), office.RetentionChange{
		Forever: keep == "forever", Days: f.Get("days"),
		Hold: f.All("hold_user"), HoldIn: f.All("hold_channel"),
		Confirmed: f.Checked("confirm", "yes"),
	})
	switch {
	case c.problems(f, err):
		c.render(r.ctx, fasthttp.StatusBadRequest, retentionPage(c.shell(r, "Retention", "/admin/retention"), c.retentionData(f)))
		return
	case err != nil:
		c.storeFailed(r, err, "/admin/retention")
		return
	case !changed:
		c.ok(r, "Nothing changed.")
	default:
		c.ok(r, "Saved. "+words)
	}
	redirect(r.ctx, "/admin/retention")
}
