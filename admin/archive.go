package admin

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/calendar"
	"inhouse/server/office"
)

// auditorOnly admits the archive's readers. Office managers run the office
// but do not read the archive (docs/security.md); an admin who should read
// it needs a second account with the auditor role.
var auditorOnly = []string{archive.RoleAuditor}

// readLogRoles may see the read log: the auditors whose reads it records,
// and the office manager, who answers for them (it shows what was looked
// for and how much was found, never a message).
var readLogRoles = []string{archive.RoleAuditor, archive.RoleAdmin}

const (
	archivePageSize = 20
	archiveContext  = 2  // messages shown before and after a search hit
	archiveAround   = 10 // records shown before and after a viewed message
	readLogPageSize = 50
)

// archiveMsg is one stored record as the auditor sees it: the original
// text, what members saw if a content rule masked it, and whether it was
// edited or deleted later.
type archiveMsg struct {
	Channel, ChannelLabel string
	Seq, Ref, Parent      uint64
	Kind                  string
	From, FromName        string
	Text, Masked          string
	At                    time.Time
	Edited, Deleted       bool
	Files                 []archive.File
}

// kindWords says what a record about a message did, for the archive's pages.
var kindWords = map[string]string{
	archive.KindReact: "Reaction to", archive.KindUnreact: "Reaction taken back from",
	archive.KindPin: "Pinned", archive.KindUnpin: "Unpinned",
}

// FileURL opens the record's file i, recorded in the read log.
func (m archiveMsg) FileURL(i int) templ.SafeURL {
	return templ.SafeURL("/admin/archive/file/" + url.PathEscape(m.Channel) + "/" + strconv.FormatUint(m.Seq, 10) + "/" + strconv.Itoa(i))
}

// URL is the page with this record's versions and conversation.
func (m archiveMsg) URL() templ.SafeURL { return archiveMsgURL(m.Channel, m.Seq) }

func archiveMsgURL(channel string, seq uint64) templ.SafeURL {
	return templ.SafeURL("/admin/archive/message/" + url.PathEscape(channel) + "/" + strconv.FormatUint(seq, 10))
}

type archiveHit struct {
	archiveMsg
	Before, After []archiveMsg
}

type archiveOption struct{ Value, Label string }

// archiveNames turns user names and channel ids into what people read.
type archiveNames struct {
	people   map[string]string
	channels map[string]string
}

func (c *Console) archiveNames() archiveNames {
	n := archiveNames{people: map[string]string{}, channels: map[string]string{}}
	for _, u := range c.store.Users() {
		n.people[u.Name] = u.Display
	}
	for _, ch := range c.store.Channels(nil) {
		n.channels[ch.ID] = n.channelLabel(ch)
	}
	return n
}

func (n archiveNames) person(name string) string {
	if d, ok := n.people[name]; ok {
		return d
	}
	return name
}

func (n archiveNames) channel(id string) string {
	if l, ok := n.channels[id]; ok {
		return l
	}
	return id
}

// channelLabel names a group channel "#name" and a direct conversation by
// its two people.
func (n archiveNames) channelLabel(ch archive.Channel) string {
	if ch.Kind != "direct" {
		return "#" + ch.Name
	}
	var who []string
	for _, m := range ch.Members {
		who = append(who, n.person(m))
	}
	return "Direct: " + strings.Join(who, ", ")
}

// choices are the person and channel lists of the filter forms.
func (n archiveNames) choices() (people, channels []archiveOption) {
	for name, d := range n.people {
		people = append(people, archiveOption{name, d + " (" + name + ")"})
	}
	for id, l := range n.channels {
		channels = append(channels, archiveOption{id, l})
	}
	byLabel := func(a, b archiveOption) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)), cmp.Compare(a.Value, b.Value))
	}
	slices.SortFunc(people, byLabel)
	slices.SortFunc(channels, byLabel)
	return people, channels
}

// msg describes a stored record; flags says whether to look up if a
// message was edited or deleted later.
func (c *Console) msg(m archive.Message, n archiveNames, flags bool) archiveMsg {
	a := archiveMsg{Channel: m.Channel, ChannelLabel: n.channel(m.Channel), Seq: m.Seq, Ref: m.Ref, Parent: m.Parent, Kind: m.Kind,
		From: m.From, FromName: n.person(m.From), Text: m.Text, Masked: m.M, At: m.Time(), Files: m.Files}
	if flags && m.Kind == archive.KindMessage {
		if cur, err := c.store.Message(m.Channel, m.Seq); err == nil {
			a.Edited, a.Deleted = cur.Edited, cur.Deleted
		}
	}
	return a
}

// queryForm reads a GET form from the query string.
func queryForm(ctx *fasthttp.RequestCtx) *form {
	f := newForm()
	for k, v := range ctx.QueryArgs().All() {
		f.values[string(k)] = append(f.values[string(k)], string(v))
	}
	return f
}

// archiveFilter reads the fields the search and the evidence pack share,
// marking what is wrong. Dates are whole days in the server's zone, the
// end day included.
func (c *Console) archiveFilter(f *form, words bool) archive.Query {
	var q archive.Query
	if words {
		q.Words = f.Get("q")
		if len(q.Words) > 500 {
			f.Fail("q", "At most 500 characters.")
		}
	}
	if who := f.Get("from"); who != "" {
		if _, err := c.store.User(who); err != nil {
			f.Fail("from", "Choose someone from the list.")
		}
		q.From = who
	}
	if ch := f.Get("channel"); ch != "" {
		if _, err := c.store.Channel(ch); err != nil {
			f.Fail("channel", "Choose a channel from the list.")
		}
		q.Channels = []string{ch}
	}
	since, okSince := archiveDay(f, "since")
	until, okUntil := archiveDay(f, "until")
	q.Since = since
	if !until.IsZero() {
		q.Until = until.AddDate(0, 0, 1)
	}
	if okSince && okUntil && !since.IsZero() && !until.IsZero() && until.Before(since) {
		f.Fail("until", "The last day comes before the first.")
	}
	return q
}

func archiveDay(f *form, name string) (time.Time, bool) {
	v := f.Get(name)
	if v == "" {
		return time.Time{}, true
	}
	t, err := calendar.ParseDay(v)
	if err != nil {
		f.Fail(name, "A date like 2026-03-14.")
		return time.Time{}, false
	}
	return t, true
}

// describe is the filter in words, for the read log and the evidence pack.
func describe(f *form, n archiveNames) string {
	var parts []string
	if w := f.Get("q"); w != "" {
		parts = append(parts, fmt.Sprintf("words %q", w))
	}
	if p := f.Get("from"); p != "" {
		parts = append(parts, "by "+n.person(p)+" ("+p+")")
	}
	if ch := f.Get("channel"); ch != "" {
		parts = append(parts, "in "+n.channel(ch))
	}
	if d := f.Get("since"); d != "" {
		parts = append(parts, "from "+d)
	}
	if d := f.Get("until"); d != "" {
		parts = append(parts, "until "+d)
	}
	if len(parts) == 0 {
		return "everything"
	}
	return strings.Join(parts, ", ")
}

// readRefused shows why the office answered no read (office/archive.go):
// not the person's role, or the read log refused it. It reports whether
// err was one of those; other errors are the page's to show.
func (c *Console) readRefused(r *request, action string, err error) bool {
	var forbidden *office.Forbidden
	switch {
	case errors.As(err, &forbidden):
		c.refuse(r.ctx, r.user, true, fasthttp.StatusForbidden)
	case errors.Is(err, office.ErrNotRecorded):
		s := c.shell(r, "Not recorded", "/admin/archive")
		c.render(r.ctx, fasthttp.StatusServiceUnavailable, archiveNoticePage(s, "This "+action+" could not be written to the read log, so it was not run. Check the dashboard for warnings, or ask the office manager."))
	default:
		return false
	}
	return true
}

type archiveSearchData struct {
	Form             *form
	People, Channels []archiveOption
	Ran              bool
	Hits             []archiveHit
	Older            string
	Paged            bool
}

// GET /admin/archive: the search. The page opens with the form only; a
// search runs (and is recorded) when the form is sent.
func (c *Console) archiveSearch(r *request) {
	f := queryForm(r.ctx)
	n := c.archiveNames()
	d := archiveSearchData{Form: f}
	d.People, d.Channels = n.choices()
	s := c.shell(r, "Archive", "/admin/archive")
	if f.Get("search") == "" {
		c.render(r.ctx, fasthttp.StatusOK, archiveSearchPage(s, d))
		return
	}
	q := c.archiveFilter(f, true)
	before, err := strconv.ParseUint(f.Get("before"), 10, 64)
	if f.Get("before") != "" && err != nil {
		f.Fail("q", "The page link is damaged: search again.")
	}
	if !f.Valid() {
		c.render(r.ctx, fasthttp.StatusBadRequest, archiveSearchPage(s, d))
		return
	}
	q.Before, q.Limit = before, archivePageSize
	what := describe(f, n)
	if before > 0 {
		what += ", older results"
	}
	res, err := c.office.SearchArchive(c.actor(r), q, what)
	if err != nil {
		if !c.readRefused(r, "search", err) {
			c.log.Error("archive search", "err", err)
			c.render(r.ctx, fasthttp.StatusInternalServerError, archiveNoticePage(s, "The archive could not be read. Check the dashboard for warnings."))
		}
		return
	}
	d.Ran, d.Paged = true, before > 0
	for _, h := range res.Hits {
		hit := archiveHit{archiveMsg: c.msg(h.Record, n, true)}
		around := h.Seq
		if h.Ref > 0 {
			around = h.Ref
		}
		hit.Before, hit.After = c.context(h.Channel, around, n)
		d.Hits = append(d.Hits, hit)
	}
	if res.Next > 0 {
		v := url.Values{}
		for _, k := range []string{"q", "from", "channel", "since", "until"} {
			if x := f.Get(k); x != "" {
				v.Set(k, x)
			}
		}
		v.Set("search", "1")
		v.Set("before", strconv.FormatUint(res.Next, 10))
		d.Older = "/admin/archive?" + v.Encode()
	}
	c.render(r.ctx, fasthttp.StatusOK, archiveSearchPage(s, d))
}

// context is up to archiveContext messages before and after seq (edits
// and deletes are left out: they show on the message's own page).
func (c *Console) context(channel string, seq uint64, n archiveNames) (before, after []archiveMsg) {
	const maxSteps = 20 // a run of edits must not make this walk far
	for s, steps := seq-1, 0; s >= 1 && len(before) < archiveContext && steps < maxSteps; s, steps = s-1, steps+1 {
		if m, err := c.store.RawMessage(channel, s); err == nil && m.Kind == archive.KindMessage {
			before = append([]archiveMsg{c.msg(m, n, true)}, before...)
		}
	}
	last := c.store.LastSeq(channel)
	for s, steps := seq+1, 0; s <= last && len(after) < archiveContext && steps < maxSteps; s, steps = s+1, steps+1 {
		if m, err := c.store.RawMessage(channel, s); err == nil && m.Kind == archive.KindMessage {
			after = append(after, c.msg(m, n, true))
		}
	}
	return before, after
}

type archiveViewData struct {
	Focus          archiveMsg
	Versions       []archiveMsg
	Conversation   []archiveMsg
	Earlier, Later templ.SafeURL
}

// GET /admin/archive/message/{channel}/{seq}: every version of a message
// and the conversation around it, recorded as one view.
// GET /admin/archive/file/{channel}/{seq}/{index}: a file a record
// carries, always as a download (the console's pages never show one), and
// only once the read log holds the opening.
func (c *Console) archiveFile(r *request) {
	seq, err1 := strconv.ParseUint(r.param("seq"), 10, 64)
	index, err2 := strconv.Atoi(r.param("index"))
	if err1 != nil || err2 != nil {
		c.notFound(r)
		return
	}
	channel := r.param("channel")
	f, path, err := c.office.OpenArchivedFile(c.actor(r), channel, seq, index, c.archiveNames().channel(channel))
	if err != nil {
		if !c.readRefused(r, "file", err) {
			c.notFound(r)
		}
		return
	}
	file, err := os.Open(path)
	if err != nil {
		c.render(r.ctx, fasthttp.StatusNotFound, archiveNoticePage(c.shell(r, "Archive", "/admin/archive"),
			"The file "+f.Name+" is not on the disk: run Verify on the Chain page to see what else is missing."))
		return
	}
	h := &r.ctx.Response.Header
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	r.ctx.SetContentType("application/octet-stream")
	r.ctx.SetBodyStream(file, int(f.Size))
}

func (c *Console) archiveView(r *request) {
	channel := r.param("channel")
	seq, err := strconv.ParseUint(r.param("seq"), 10, 64)
	if err != nil || seq == 0 {
		c.notFound(r)
		return
	}
	n := c.archiveNames()
	v, err := c.office.ViewConversation(c.actor(r), channel, seq, archiveAround, n.channel(channel))
	if err != nil {
		if !c.readRefused(r, "view", err) {
			c.notFound(r)
		}
		return
	}
	target := v.Target // an edit or delete opens the message it is about
	var d archiveViewData
	for _, m := range v.Versions {
		d.Versions = append(d.Versions, c.msg(m, n, false))
	}
	d.Focus = c.msg(v.Versions[0], n, true)
	for _, m := range v.Around {
		d.Conversation = append(d.Conversation, c.msg(m, n, true))
	}
	// Earlier and later move the window by its outermost messages.
	for _, m := range d.Conversation {
		if m.Kind == archive.KindMessage && m.Seq < target && v.MoreBefore {
			d.Earlier = m.URL()
			break
		}
	}
	for i := len(d.Conversation) - 1; i >= 0; i-- {
		if m := d.Conversation[i]; m.Kind == archive.KindMessage && m.Seq > target && v.MoreAfter {
			d.Later = m.URL()
			break
		}
	}
	title := "Message " + strconv.FormatUint(target, 10) + " in " + d.Focus.ChannelLabel
	c.render(r.ctx, fasthttp.StatusOK, archiveViewPage(c.shell(r, title, "/admin/archive"), d))
}

// GET /admin/archive/chain: where every chain stands, signed, and the
// daily digests, for printing and filing outside.
func (c *Console) archiveChain(r *request) {
	d, err := c.store.CurrentDigest()
	if err != nil {
		c.log.Error("archive digest", "err", err)
	}
	n := c.archiveNames()
	c.render(r.ctx, fasthttp.StatusOK, archiveChainPage(c.shell(r, "Archive chain", "/admin/archive"), d, err != nil, c.store.Digests(60), n))
}

// chainLabel names a chain for people.
func (n archiveNames) chainLabel(chain string) string {
	switch chain {
	case "evt":
		return "Membership events"
	case "reads":
		return "Read log"
	}
	if id, ok := strings.CutPrefix(chain, "msg:"); ok {
		return "Messages of " + n.channel(id)
	}
	return chain
}

// POST /admin/archive/verify: walk every chain now.
func (c *Console) archiveVerify(r *request) {
	rep, err := c.office.VerifyArchive(c.actor(r))
	var forbidden *office.Forbidden
	if errors.As(err, &forbidden) {
		c.refuse(r.ctx, r.user, true, fasthttp.StatusForbidden)
		return
	}
	// A verify the read log refused (office.ErrNotRecorded) still answers:
	// the office has logged the refusal.
	if rep.Problem != "" {
		c.fail(r, "Verify found a problem: "+rep.Problem+". Keep a copy of the database and the filed digests, and tell the office manager.")
	} else {
		c.ok(r, fmt.Sprintf("Verified %s in %s: nothing was changed, removed or reordered.", plural(rep.Records, "record"), plural(rep.Chains, "chain")))
	}
	redirect(r.ctx, "/admin/archive/chain")
}

// readWords names the read log's actions.
func readWord(a string) string {
	switch a {
	case "search":
		return "Searched"
	case "view":
		return "Viewed"
	case "export":
		return "Exported"
	case "verify":
		return "Verified"
	}
	return a
}

// GET /admin/archive/reads: the read log, newest first, read-only.
func (c *Console) archiveReads(r *request) {
	before, _ := strconv.ParseUint(r.query("before"), 10, 64)
	entries := c.store.ReadLog(before, readLogPageSize+1)
	older := ""
	if len(entries) > readLogPageSize {
		entries = entries[:readLogPageSize]
		older = "/admin/archive/reads?before=" + strconv.FormatUint(entries[len(entries)-1].N, 10)
	}
	n := c.archiveNames()
	nav, tabs := "/admin/archive", true
	if r.user.Role != archive.RoleAuditor {
		nav, tabs = "/admin/archive/reads", false // the other archive pages are not theirs
	}
	c.render(r.ctx, fasthttp.StatusOK, archiveReadsPage(c.shell(r, "Read log", nav), entries, older, before > 0, tabs, n))
}

func timeOfMillis(ms int64) time.Time { return time.UnixMilli(ms) }

// archiveRoutes adds the auditor's archive pages and the office manager's
// reports and retention pages.
func (c *Console) archiveRoutes(r *router.Router) {
	r.GET("/admin/archive", c.page(c.archiveSearch, auditorOnly))
	r.GET("/admin/archive/message/{channel}/{seq}", c.page(c.archiveView, auditorOnly))
	r.GET("/admin/archive/file/{channel}/{seq}/{index}", c.page(c.archiveFile, auditorOnly))
	r.GET("/admin/archive/export", c.page(c.evidenceForm, auditorOnly))
	r.POST("/admin/archive/export", c.action(c.evidenceExport, auditorOnly))
	r.GET("/admin/archive/chain", c.page(c.archiveChain, auditorOnly))
	r.POST("/admin/archive/verify", c.action(c.archiveVerify, auditorOnly))
	r.GET("/admin/archive/reads", c.page(c.archiveReads, readLogRoles))

	r.GET("/admin/reports", c.page(c.reports))
	r.GET("/admin/reports/{file}", c.page(c.reportCSV))
	r.GET("/admin/retention", c.page(c.retention))
	r.POST("/admin/retention", c.action(c.retentionSave))
}
