package admin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/office"
)

// Announcements that must be confirmed (docs/people.md): the manager posts
// one to everyone (the welcome channel) or to chosen channels, sees who
// confirmed it and who has not, reminds those and exports the list.

func announcementURL(channel string, seq uint64, op string) templ.SafeURL {
	u := "/admin/announcements/" + url.PathEscape(channel) + "/" + strconv.FormatUint(seq, 10)
	if op != "" {
		u += "/" + op
	}
	return templ.SafeURL(u)
}

// announcementRow is one line of the announcements' table.
type announcementRow struct {
	office.AnnouncementSummary
	FromDisplay string
}

// Progress says how far it got, e.g. "12 of 15 confirmed".
func (a announcementRow) Progress() string {
	return fmt.Sprintf("%d of %d confirmed", a.Confirmed, a.Total)
}

// Done reports whether everyone asked has confirmed.
func (a announcementRow) Done() bool { return a.Total > 0 && a.Confirmed >= a.Total }

// displayOf is a person's display name, or the user name of someone gone.
func (c *Console) displayOf(name string) string {
	if u, err := c.store.User(name); err == nil {
		return u.Display
	}
	return name
}

// GET /admin/announcements
func (c *Console) announcements(r *request) {
	l := c.listOf(r, "/admin/announcements", "")
	var rows []announcementRow
	for _, a := range c.office.Announcements() {
		row := announcementRow{AnnouncementSummary: a, FromDisplay: c.displayOf(a.From)}
		if contains(l.Q, a.Text, a.ChannelName, a.From, row.FromDisplay) {
			rows = append(rows, row)
		}
	}
	if l.Sort != "" {
		key := func(a announcementRow) string {
			switch l.Sort {
			case "channel":
				return a.ChannelName + "\x00" + a.At.Format(time.RFC3339Nano)
			case "from":
				return strings.ToLower(a.FromDisplay) + "\x00" + a.At.Format(time.RFC3339Nano)
			case "confirmed":
				share := uint64(1000)
				if a.Total > 0 {
					share = uint64(a.Confirmed * 1000 / a.Total)
				}
				return pad(share) + a.At.Format(time.RFC3339Nano)
			}
			return a.At.Format(time.RFC3339Nano)
		}
		sort.SliceStable(rows, func(i, j int) bool { return l.less(key(rows[i]), key(rows[j])) })
	}
	c.render(r.ctx, fasthttp.StatusOK, announcementsPage(c.shell(r, "Announcements", "/admin/announcements").with("New announcement", "/admin/announcements/new"), l, rows))
}

// announceChoice is what the new announcement's form offers: the welcome
// channel for "everyone", and the other channels one may tick.
type announceChoice struct {
	Welcome  *archive.Channel // nil: the office has none (or it is archived)
	Channels []archive.Channel
}

func (c *Console) announceChoice() announceChoice {
	var ch announceChoice
	welcome := c.store.Settings().Welcome
	for _, x := range c.store.Channels(nil) {
		if x.Kind == archive.KindDirect || x.Archived {
			continue
		}
		if x.ID == welcome {
			ch.Welcome = &x
		}
		ch.Channels = append(ch.Channels, x)
	}
	sort.SliceStable(ch.Channels, func(i, j int) bool { return ch.Channels[i].Name < ch.Channels[j].Name })
	return ch
}

// GET /admin/announcements/new
func (c *Console) announcementNew(r *request) {
	ch := c.announceChoice()
	f := newForm().Set("to", "channels")
	if ch.Welcome != nil {
		f.Set("to", "everyone")
	}
	c.render(r.ctx, fasthttp.StatusOK, announcementNewPage(c.shell(r, "New announcement", "/admin/announcements"), f, ch))
}

// POST /admin/announcements/new
func (c *Console) announcementCreate(r *request) {
	f := postedForm(r.ctx)
	n := office.NewAnnouncement{Text: strings.TrimSpace(f.Raw("text"))}
	switch f.Get("to") {
	case "everyone":
		n.Everyone = true
		if len(f.All("channel")) > 0 {
			// Ticked channels and "everyone" together are a slip: which was
			// meant is the manager's to say, not the console's to guess.
			f.Fail("to", "You ticked channels but chose Everyone: choose “Chosen channels” to send it to them, or untick them.")
		}
	case "channels":
		n.Channels = f.All("channel")
		if len(n.Channels) == 0 {
			f.Fail("to", "Tick at least one channel, or choose Everyone.")
		}
	default:
		f.Fail("to", "Choose who it is for.")
	}
	if f.Valid() {
		msgs, err := c.office.Announce(c.actor(r), n)
		switch {
		case err == nil:
			c.ok(r, announcedWords(c, msgs))
			redirect(r.ctx, "/admin/announcements")
			return
		case problemsOn(f, err, "to", "text"): // the office's "channels" is the form's "to"
		default:
			c.storeFailed(r, err, "/admin/announcements/new")
			return
		}
	}
	c.render(r.ctx, fasthttp.StatusBadRequest, announcementNewPage(c.shell(r, "New announcement", "/admin/announcements"), f, c.announceChoice()))
}

// announcedWords is the flash after posting: where it went.
func announcedWords(c *Console, msgs []archive.Message) string {
	var names []string
	for _, m := range msgs {
		if ch, err := c.store.Channel(m.Channel); err == nil {
			names = append(names, "#"+ch.Name)
		}
	}
	sort.Strings(names)
	switch len(names) {
	case 0:
		return "The announcement was posted. Everyone it reaches is asked to confirm they have read it."
	case 1:
		return "The announcement was posted to " + names[0] + ". Everyone there is asked to confirm they have read it."
	}
	return "The announcement was posted to " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] +
		". Everyone there is asked to confirm they have read it."
}

// announcementOf loads the announcement named in the path, answering 404
// itself.
func (c *Console) announcementOf(r *request) (office.AnnouncementDetail, bool) {
	seq, err := strconv.ParseUint(r.param("seq"), 10, 64)
	if err != nil {
		c.notFound(r)
		return office.AnnouncementDetail{}, false
	}
	d, err := c.office.Announcement(r.param("channel"), seq)
	if err != nil {
		var ue archive.UserError
		if !errors.Is(err, archive.ErrNotFound) && !errors.As(err, &ue) {
			c.log.Error("console: an announcement", "channel", r.param("channel"), "seq", seq, "err", err)
		}
		c.notFound(r)
		return d, false
	}
	return d, true
}

// GET /admin/announcements/{channel}/{seq}
func (c *Console) announcement(r *request) {
	d, ok := c.announcementOf(r)
	if !ok {
		return
	}
	row := announcementRow{AnnouncementSummary: d.AnnouncementSummary, FromDisplay: c.displayOf(d.From)}
	c.render(r.ctx, fasthttp.StatusOK, announcementPage(c.shell(r, "Announcement in #"+d.ChannelName, "/admin/announcements"), row, d))
}

// POST /admin/announcements/{channel}/{seq}/remind
func (c *Console) announcementRemind(r *request) {
	seq, err := strconv.ParseUint(r.param("seq"), 10, 64)
	if err != nil {
		c.notFound(r)
		return
	}
	channel := r.param("channel")
	back := string(announcementURL(channel, seq, ""))
	n, err := c.office.Remind(c.actor(r), channel, seq)
	switch {
	case err != nil:
		if p, ok := office.AsProblems(err); ok {
			c.fail(r, p.Error())
			redirect(r.ctx, back)
			return
		}
		c.storeFailed(r, err, back)
		return
	case n == 0:
		c.ok(r, "Nobody to remind: everyone has confirmed.")
	default:
		c.ok(r, "Reminded "+plural(n, "person")+".")
	}
	redirect(r.ctx, back)
}

// GET /admin/announcements/{channel}/{seq}/confirmations.csv: who
// confirmed and when (UTC), then who has not, for a spreadsheet. Names
// are people's own words: a cell a spreadsheet would run as a formula is
// neutralised (archive.CSVRow).
func (c *Console) announcementCSV(r *request) {
	d, ok := c.announcementOf(r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"name", "display name", "confirmed at"})
	for _, p := range d.Done {
		w.Write(archive.CSVRow(p.User, p.Display, p.At.UTC().Format(time.RFC3339)))
	}
	for _, p := range d.Pending {
		w.Write(archive.CSVRow(p.User, p.Display, ""))
	}
	w.Flush()
	r.ctx.SetContentType("text/csv; charset=utf-8")
	r.ctx.Response.Header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inhouse-announcement-%s-%d.csv"`, csvFileName(d.ChannelName), d.Seq))
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	r.ctx.SetBody(buf.Bytes())
}

// csvFileName keeps a channel's name to what a file name in a header may
// hold (channel names are already so; a gone channel's may be empty).
func csvFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, name)
	if name == "" {
		return "channel"
	}
	return name
}
