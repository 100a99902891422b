package admin

import (
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

func channelURL(id, op string) templ.SafeURL {
	u := "/admin/channels/" + url.PathEscape(id)
	if op != "" {
		u += "/" + op
	}
	return templ.SafeURL(u)
}

func removeURL(id, name string) templ.SafeURL {
	return templ.SafeURL("/admin/channels/" + url.PathEscape(id) + "/remove/" + url.PathEscape(name))
}

// channelRow is one line of the channels table.
type channelRow struct {
	archive.Channel
	Messages uint64
}

// GET /admin/channels: group channels. Direct conversations are private
// and only counted.
func (c *Console) channels(r *request) {
	l := c.listOf(r, "/admin/channels", "name")
	var rows []channelRow
	direct := 0
	for _, ch := range c.store.Channels(nil) {
		if ch.Kind == archive.KindDirect {
			direct++
			continue
		}
		if contains(l.Q, ch.Name, ch.Kind) {
			rows = append(rows, channelRow{Channel: ch, Messages: c.store.LastSeq(ch.ID)})
		}
	}
	key := func(ch channelRow) string {
		switch l.Sort {
		case "kind":
			return ch.Kind + "\x00" + ch.Name
		case "members":
			return pad(uint64(len(ch.Members))) + ch.Name
		case "messages":
			return pad(ch.Messages) + ch.Name
		case "created":
			return ch.Created.Format(time.RFC3339Nano)
		}
		return ch.Name
	}
	sort.SliceStable(rows, func(i, j int) bool { return l.less(key(rows[i]), key(rows[j])) })
	c.render(r.ctx, fasthttp.StatusOK, channelsPage(c.shell(r, "Channels", "/admin/channels").with("Create a channel", "/admin/channels/new"), l, rows, direct))
}

func pad(n uint64) string { return strings.Repeat("0", 20-len(itoa(int(n)))) + itoa(int(n)) }

// activePeople is everyone who can be added to a channel.
func (c *Console) activePeople() []archive.User {
	var out []archive.User
	for _, u := range c.store.Users() {
		if !u.Disabled {
			out = append(out, u)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Display) < strings.ToLower(out[j].Display) })
	return out
}

// GET /admin/channels/new
func (c *Console) channelNew(r *request) {
	f := newForm().Set("kind", archive.KindPublic)
	c.render(r.ctx, fasthttp.StatusOK, channelNewPage(c.shell(r, "Create a channel", "/admin/channels"), f, c.activePeople()))
}

// POST /admin/channels/new
func (c *Console) channelCreate(r *request) {
	f := postedForm(r.ctx)
	name, err := archive.NormalizeChannelName(f.Get("name"))
	if f.Get("name") == "" {
		f.Fail("name", "Enter a name, e.g. invoices.")
	} else if err != nil {
		f.Fail("name", "Use up to 40 letters, digits, dashes or underscores, e.g. front-desk.")
	}
	kind := f.Get("kind")
	if kind != archive.KindPublic && kind != archive.KindPrivate {
		f.Fail("kind", "Choose public or private.")
	}
	members := f.All("member")
	if len(members) > 10000 {
		f.Fail("member", "Too many people at once.")
	}
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, channelNewPage(c.shell(r, "Create a channel", "/admin/channels"), f, c.activePeople()))
		return
	}
	ch, err := c.store.CreateGroupChannel(archive.NewChannel{Name: name, Private: kind == archive.KindPrivate, Announce: f.Checked("announce", "on"), Creator: r.user.Name, Members: members})
	if err != nil {
		var ue archive.UserError
		switch {
		case errors.Is(err, archive.ErrExists):
			f.Fail("name", "A channel with this name exists already.")
		case errors.As(err, &ue):
			f.Fail("member", sentence(err.Error()))
		default:
			c.storeFailed(r, err, "/admin/channels/new")
			return
		}
		c.render(r.ctx, fasthttp.StatusBadRequest, channelNewPage(c.shell(r, "Create a channel", "/admin/channels"), f, c.activePeople()))
		return
	}
	c.hub.ChannelChanged(ch, nil)
	c.audit(r, "channel.create", ch.ID, "Created "+describeChannel(ch)+" with "+plural(len(ch.Members), "member")+".")
	c.ok(r, "#"+ch.Name+" was created.")
	redirect(r.ctx, string(channelURL(ch.ID, "")))
}

func describeChannel(ch archive.Channel) string {
	s := "the " + ch.Kind + " channel #" + ch.Name
	if ch.Announce {
		s += " (announcements)"
	}
	return s
}

// groupChannel loads the channel named in the path; direct conversations
// are not the console's to change.
func (c *Console) groupChannel(r *request) (archive.Channel, bool) {
	ch, err := c.store.Channel(r.param("id"))
	if err != nil || ch.Kind == archive.KindDirect {
		c.notFound(r)
		return ch, false
	}
	return ch, true
}

// channelView is the edit page's data.
type channelView struct {
	archive.Channel
	Members  []archive.User // members, with display names
	Others   []archive.User // people who could be added
	Messages uint64
}

func (c *Console) channelView(ch archive.Channel) channelView {
	v := channelView{Channel: ch, Messages: c.store.LastSeq(ch.ID)}
	for _, u := range c.store.Users() {
		if ch.Has(u.Name) {
			v.Members = append(v.Members, u)
		} else if !u.Disabled {
			v.Others = append(v.Others, u)
		}
	}
	return v
}

func channelForm(ch archive.Channel) *form {
	f := newForm().Set("name", ch.Name).Set("kind", ch.Kind)
	if ch.Announce {
		f.Set("announce", "on")
	}
	return f
}

// GET /admin/channels/{id}
func (c *Console) channelEdit(r *request) {
	ch, ok := c.groupChannel(r)
	if !ok {
		return
	}
	c.render(r.ctx, fasthttp.StatusOK, channelEditPage(c.shell(r, "#"+ch.Name, "/admin/channels"), channelForm(ch), newForm(), c.channelView(ch)))
}

// POST /admin/channels/{id}: name, public or private, announcements.
func (c *Console) channelSave(r *request) {
	ch, ok := c.groupChannel(r)
	if !ok {
		return
	}
	f := postedForm(r.ctx)
	name, err := archive.NormalizeChannelName(f.Get("name"))
	if err != nil {
		f.Fail("name", "Use up to 40 letters, digits, dashes or underscores.")
	}
	kind := f.Get("kind")
	if kind != archive.KindPublic && kind != archive.KindPrivate {
		f.Fail("kind", "Choose public or private.")
	}
	announce := f.Checked("announce", "on")
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, channelEditPage(c.shell(r, "#"+ch.Name, "/admin/channels"), f, newForm(), c.channelView(ch)))
		return
	}
	updated, err := c.store.UpdateChannel(ch.ID, func(x *archive.Channel) error {
		x.Name, x.Kind, x.Announce = name, kind, announce
		return nil
	})
	if errors.Is(err, archive.ErrExists) {
		f.Fail("name", "Another channel has this name.")
		c.render(r.ctx, fasthttp.StatusConflict, channelEditPage(c.shell(r, "#"+ch.Name, "/admin/channels"), f, newForm(), c.channelView(ch)))
		return
	}
	if err != nil {
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	}
	var what []string
	if updated.Name != ch.Name {
		what = append(what, "renamed #"+ch.Name+" to #"+updated.Name)
	}
	if updated.Kind != ch.Kind {
		what = append(what, "made #"+updated.Name+" "+updated.Kind)
	}
	if updated.Announce != ch.Announce {
		if updated.Announce {
			what = append(what, "made #"+updated.Name+" an announcement channel")
		} else {
			what = append(what, "let everyone in #"+updated.Name+" post")
		}
	}
	if len(what) == 0 {
		c.ok(r, "Nothing changed.")
	} else {
		c.hub.ChannelChanged(updated, nil)
		c.audit(r, "channel.edit", ch.ID, sentence(strings.Join(what, ", ")))
		c.ok(r, "Saved: "+strings.Join(what, ", ")+".")
	}
	redirect(r.ctx, string(channelURL(ch.ID, "")))
}

// POST /admin/channels/{id}/members: add the ticked people.
func (c *Console) channelAddMembers(r *request) {
	ch, ok := c.groupChannel(r)
	if !ok {
		return
	}
	f := postedForm(r.ctx)
	add := f.All("member")
	if len(add) == 0 || len(add) > 10000 {
		f.Fail("member", "Tick the people to add.")
		c.render(r.ctx, fasthttp.StatusBadRequest, channelEditPage(c.shell(r, "#"+ch.Name, "/admin/channels"), channelForm(ch), f, c.channelView(ch)))
		return
	}
	updated, err := c.store.ChangeMembers(ch.ID, add, nil, r.user.Name)
	if err != nil {
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	}
	c.hub.ChannelChanged(updated, nil)
	names := c.displayNames(add)
	c.audit(r, "channel.members", ch.ID, "Added "+strings.Join(names, ", ")+" to #"+ch.Name+".")
	c.ok(r, "Added "+strings.Join(names, ", ")+" to #"+ch.Name+".")
	redirect(r.ctx, string(channelURL(ch.ID, "")))
}

func (c *Console) displayNames(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if u, err := c.store.User(n); err == nil {
			out = append(out, u.Display)
		} else {
			out = append(out, n)
		}
	}
	return out
}

// memberOf loads the channel and member named in the path.
func (c *Console) memberOf(r *request) (archive.Channel, archive.User, bool) {
	ch, ok := c.groupChannel(r)
	if !ok {
		return ch, archive.User{}, false
	}
	u, err := c.store.User(r.param("name"))
	if err != nil || !ch.Has(u.Name) {
		c.notFound(r)
		return ch, u, false
	}
	return ch, u, true
}

// GET /admin/channels/{id}/remove/{name}
func (c *Console) memberConfirm(r *request) {
	ch, u, ok := c.memberOf(r)
	if !ok {
		return
	}
	s := c.shell(r, "Remove "+u.Display+" from #"+ch.Name+"?", "/admin/channels")
	c.render(r.ctx, fasthttp.StatusOK, memberConfirmPage(s, ch, u))
}

// POST /admin/channels/{id}/remove/{name}
func (c *Console) memberRemove(r *request) {
	ch, u, ok := c.memberOf(r)
	if !ok {
		return
	}
	updated, err := c.store.ChangeMembers(ch.ID, nil, []string{u.Name}, r.user.Name)
	if err != nil {
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	}
	c.hub.ChannelChanged(updated, []string{u.Name})
	c.audit(r, "channel.members", ch.ID, "Removed "+u.Display+" from #"+ch.Name+".")
	c.ok(r, u.Display+" was removed from #"+ch.Name+".")
	redirect(r.ctx, string(channelURL(ch.ID, "")))
}

// channelOps are the channel actions with a confirmation page.
var channelOps = map[string]struct {
	Title, Button string
	Danger        bool
}{
	"archive":   {"Archive #%s?", "Archive the channel", true},
	"unarchive": {"Bring #%s back?", "Bring it back", false},
}

// GET /admin/channels/{id}/{op}
func (c *Console) channelConfirm(r *request) {
	op, known := channelOps[r.param("op")]
	ch, ok := c.groupChannel(r)
	if !ok {
		return
	}
	if !known {
		c.notFound(r)
		return
	}
	s := c.shell(r, strings.Replace(op.Title, "%s", ch.Name, 1), "/admin/channels")
	c.render(r.ctx, fasthttp.StatusOK, channelConfirmPage(s, r.param("op"), op.Button, op.Danger, ch))
}

// POST /admin/channels/{id}/{op}
func (c *Console) channelDo(r *request) {
	opName := r.param("op")
	_, known := channelOps[opName]
	ch, ok := c.groupChannel(r)
	if !ok {
		return
	}
	if !known {
		c.notFound(r)
		return
	}
	archived := opName == "archive"
	updated, err := c.store.UpdateChannel(ch.ID, func(x *archive.Channel) error { x.Archived = archived; return nil })
	if err != nil {
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	}
	c.hub.ChannelChanged(updated, nil)
	if archived {
		c.audit(r, "channel.archive", ch.ID, "Archived #"+ch.Name+".")
		c.ok(r, "#"+ch.Name+" was archived. Its members can still read it.")
	} else {
		c.audit(r, "channel.unarchive", ch.ID, "Brought #"+ch.Name+" back from the archive.")
		c.ok(r, "#"+ch.Name+" takes messages again.")
	}
	redirect(r.ctx, string(channelURL(ch.ID, "")))
}
