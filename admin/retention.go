package admin

import (
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
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
	d := retentionData{Form: f, Current: retentionWords(c.store.Retention(), n)}
	d.People, _ = n.choices()
	for _, ch := range c.store.Channels(func(ch *archive.Channel) bool { return ch.Kind != "direct" }) {
		d.Channels = append(d.Channels, archiveOption{ch.ID, "#" + ch.Name})
	}
	slices.SortFunc(d.Channels, func(a, b archiveOption) int { return strings.Compare(a.Label, b.Label) })
	return d
}

// retentionWords says a rule in a sentence, for the page and the audit log.
func retentionWords(rt archive.Retention, n archiveNames) string {
	s := "Messages are kept forever."
	if rt.Days > 0 {
		s = "Messages are kept for " + plural(rt.Days, "day") + ", then removed."
	}
	var holds []string
	for _, u := range rt.HoldUsers {
		holds = append(holds, n.person(u)+" ("+u+")")
	}
	for _, ch := range rt.HoldChannels {
		holds = append(holds, n.channel(ch))
	}
	if len(holds) > 0 {
		s += " Legal hold: " + strings.Join(holds, ", ") + "."
	}
	return s
}

// GET /admin/retention
func (c *Console) retention(r *request) {
	f := retentionForm(c.store.Retention())
	c.render(r.ctx, fasthttp.StatusOK, retentionPage(c.shell(r, "Retention", "/admin/retention"), c.retentionData(f)))
}

// POST /admin/retention
func (c *Console) retentionSave(r *request) {
	f := postedForm(r.ctx)
	var rt archive.Retention
	switch f.Get("keep") {
	case "forever":
	case "days":
		n, err := strconv.Atoi(f.Get("days"))
		if err != nil || n < 1 || n > 36500 {
			f.Fail("days", "A whole number of days from 1 to 36500, e.g. 3650 for ten years.")
		}
		rt.Days = n
	default:
		f.Fail("keep", "Choose forever or a number of days.")
	}
	for _, u := range f.All("hold_user") {
		if _, err := c.store.User(u); err == nil && !slices.Contains(rt.HoldUsers, u) {
			rt.HoldUsers = append(rt.HoldUsers, u)
		}
	}
	for _, id := range f.All("hold_channel") {
		if ch, err := c.store.Channel(id); err == nil && ch.Kind != "direct" && !slices.Contains(rt.HoldChannels, id) {
			rt.HoldChannels = append(rt.HoldChannels, id)
		}
	}
	slices.Sort(rt.HoldUsers)
	slices.Sort(rt.HoldChannels)
	old := c.store.Retention()
	// Removing messages cannot be undone: a shorter period needs a tick.
	shorter := rt.Days > 0 && (old.Days == 0 || rt.Days < old.Days)
	if f.Valid() && shorter && !f.Checked("confirm", "yes") {
		f.Fail("confirm", "Tick this to confirm that messages older than "+plural(rt.Days, "day")+" will be removed for good.")
	}
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, retentionPage(c.shell(r, "Retention", "/admin/retention"), c.retentionData(f)))
		return
	}
	n := c.archiveNames()
	before, after := retentionWords(old, n), retentionWords(rt, n)
	if before == after {
		c.ok(r, "Nothing changed.")
		redirect(r.ctx, "/admin/retention")
		return
	}
	if err := c.store.SetRetention(rt); err != nil {
		c.storeFailed(r, err, "/admin/retention")
		return
	}
	c.audit(r, "retention.save", "retention", "Was: "+before+" Now: "+after)
	c.ok(r, "Saved. "+after)
	redirect(r.ctx, "/admin/retention")
}
