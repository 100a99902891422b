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
	"inhouse/server/office"
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

// POST /admin/channels/new: the manager sets a channel up for others and
// joins it only if they tick themselves.
func (c *Console) channelCreate(r *request) {
	f := postedForm(r.ctx)
	kind := f.Get("kind")
	if kind != archive.KindPublic && kind != archive.KindPrivate {
		f.Fail("kind", "Choose public or private.") // only a changed form sends another
	}
	if f.Valid() {
		ch, err := c.office.CreateChannel(c.actor(r), office.NewChannel{Name: f.Get("name"), Private: kind == archive.KindPrivate,
			Announce: f.Checked("announce", "on"), Members: f.All("member")})
		var ue archive.UserError
		switch {
		case err == nil:
			c.ok(r, "#"+ch.Name+" was created.")
			redirect(r.ctx, string(channelURL(ch.ID, "")))
			return
		case c.problems(f, err):
		case errors.As(err, &ue): // someone ticked is unknown or gone
			f.Fail("member", sentence(err.Error()))
		default:
			c.storeFailed(r, err, "/admin/channels/new")
			return
		}
	}
	c.render(r.ctx, fasthttp.StatusBadRequest, channelNewPage(c.shell(r, "Create a channel", "/admin/channels"), f, c.activePeople()))
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
	changed, err := c.office.EditChannel(c.actor(r), ch.ID, f.Get("name"), f.Get("kind"), f.Checked("announce", "on"))
	switch {
	case c.problems(f, err):
		status := fasthttp.StatusBadRequest
		if errors.Is(err, archive.ErrExists) {
			status = fasthttp.StatusConflict
		}
		c.render(r.ctx, status, channelEditPage(c.shell(r, "#"+ch.Name, "/admin/channels"), f, newForm(), c.channelView(ch)))
		return
	case err != nil:
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	case changed == "":
		c.ok(r, "Nothing changed.")
	default:
		c.ok(r, "Saved: "+changed+".")
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
	if _, err := c.office.ChangeMembers(c.actor(r), ch.ID, add, nil); err != nil {
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	}
	c.ok(r, "Added "+strings.Join(c.office.DisplayNames(add), ", ")+" to #"+ch.Name+".")
	redirect(r.ctx, string(channelURL(ch.ID, "")))
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
	if _, err := c.office.ChangeMembers(c.actor(r), ch.ID, nil, []string{u.Name}); err != nil {
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	}
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
	if _, err := c.office.ArchiveChannel(c.actor(r), ch.ID, archived); err != nil {
		c.storeFailed(r, err, string(channelURL(ch.ID, "")))
		return
	}
	if archived {
		c.ok(r, "#"+ch.Name+" was archived. Its members can still read it.")
	} else {
		c.ok(r, "#"+ch.Name+" takes messages again.")
	}
	redirect(r.ctx, string(channelURL(ch.ID, "")))
}
