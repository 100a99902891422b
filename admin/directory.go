package admin

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
	"inhouse/server/directory"
	"inhouse/server/office"
)

// The Directory page (docs/directory.md): the settings for signing people
// in with the office's directory, Test the connection and Sync now on the
// saved settings, and how the directory is doing. The service account's
// password goes one way only: typed here, sealed by the office, never sent
// back to a browser.

// How long the console waits for a test and a sync; the directory bounds
// each network step itself (directory.DefaultTimeout).
const (
	directoryTestWait = 30 * time.Second
	directorySyncWait = 2 * time.Minute
)

// The form's choices for the connection's security and the tick.
const (
	secLDAPS    = "ldaps"
	secStartTLS = "starttls"
	secPlain    = "plain"
	ticked      = "yes"
)

// directoryView is what the page shows beside the form.
type directoryView struct {
	Saved     bool // settings with an address are stored: there is something to test
	On        bool // the stored settings are in use
	Plain     bool // the stored settings send passwords in clear
	HasSecret bool // a service account password is stored
	Typed     bool // the form came back after a password was typed, which is not sent back
	Status    office.DirectoryStatus
	Defaults  directory.Config // the defaults of the dialect the form shows
}

// directoryNote is the directory's line on the dashboard and the Directory
// page: in use, the last sync, and the amber warnings.
type directoryNote struct {
	On, Plain bool
	Status    office.DirectoryStatus
}

// Down reports whether the directory has not answered lately.
func (n directoryNote) Down() bool { return n.On && !n.Status.UnreachableSince.IsZero() }

// InClear reports whether passwords cross the network in clear.
func (n directoryNote) InClear() bool { return n.On && n.Plain }

// Problem is the last problem, as a clause for inside parentheses.
func (n directoryNote) Problem() string {
	p := strings.TrimSpace(n.Status.LastProblem)
	// "Not answering" is what the line says already; the reason is news.
	p = strings.TrimSpace(strings.TrimPrefix(p, directory.ErrUnreachable.Error()))
	if p == "" {
		return "no reason given"
	}
	return strings.TrimSuffix(p, ".")
}

func (c *Console) directoryNote() directoryNote {
	d := c.store.Directory()
	return directoryNote{On: d.On, Plain: d.Plain, Status: c.office.DirectoryStatus()}
}

// securityOf is the form's choice for stored settings.
func securityOf(d archive.DirectorySettings) string {
	switch {
	case d.StartTLS:
		return secStartTLS
	case d.Plain:
		return secPlain
	}
	return secLDAPS
}

// directoryForm fills the form with the stored settings; never the
// password, which the page only says is stored.
func (c *Console) directoryForm(d archive.DirectorySettings) *form {
	f := newForm().
		Set("dialect", d.Dialect).
		Set("url", d.URL).
		Set("security", securityOf(d)).
		Set("ca", d.CA).
		Set("bind_dn", d.BindDN).
		Set("base_dn", d.BaseDN).
		Set("filter", d.Filter).
		Set("disabled_filter", d.DisabledFilter).
		Set("user_attr", d.UserAttr).
		Set("display_attr", d.DisplayAttr).
		Set("mail_attr", d.MailAttr).
		Set("title_attr", d.TitleAttr).
		Set("phone_attr", d.PhoneAttr).
		Set("admin_group", d.AdminGroup).
		Set("auditor_group", d.AuditorGroup).
		Set("channel_groups", c.channelGroupLines(d.ChannelGroups))
	if d.Dialect == "" {
		f.Set("dialect", string(directory.AD)) // most offices' directory
	}
	if d.On {
		f.Set("on", ticked)
	}
	if d.Plain {
		f.Set("plain_ok", ticked)
	}
	return f
}

// channelGroupLines writes the stored channel groups as the form's lines,
// "#channel group-DN".
func (c *Console) channelGroupLines(gcs []archive.GroupChannel) string {
	var lines []string
	for _, gc := range gcs {
		name := gc.Channel
		if ch, err := c.store.Channel(gc.Channel); err == nil {
			name = ch.Name
		}
		lines = append(lines, "#"+name+" "+gc.Group)
	}
	return strings.Join(lines, "\n")
}

func (c *Console) directoryView(f *form) directoryView {
	d := c.store.Directory()
	dialect := directory.Dialect(f.Get("dialect"))
	if dialect != directory.OpenLDAP {
		dialect = directory.AD
	}
	return directoryView{Saved: d.URL != "", On: d.On, Plain: d.Plain, HasSecret: d.Secret != "",
		Status: c.office.DirectoryStatus(), Defaults: directory.Defaults(dialect)}
}

func (c *Console) renderDirectory(r *request, status int, f *form, v directoryView) {
	c.render(r.ctx, status, directoryPage(c.shell(r, "Directory", "/admin/directory"), f, v, c.directoryNote()))
}

// GET /admin/directory
func (c *Console) directorySettings(r *request) {
	f := c.directoryForm(c.store.Directory())
	c.renderDirectory(r, fasthttp.StatusOK, f, c.directoryView(f))
}

// POST /admin/directory: save the settings.
func (c *Console) directorySave(r *request) {
	f := postedForm(r.ctx)
	in := office.DirectoryChange{
		On:             f.Checked("on", ticked),
		URL:            f.Get("url"),
		Security:       f.Get("security"),
		PlainOK:        f.Checked("plain_ok", ticked),
		CA:             strings.TrimSpace(f.Raw("ca")),
		BindDN:         f.Get("bind_dn"),
		BindPassword:   f.Raw("bind_password"),
		BaseDN:         f.Get("base_dn"),
		Filter:         f.Get("filter"),
		DisabledFilter: f.Get("disabled_filter"),
		Dialect:        f.Get("dialect"),
		UserAttr:       f.Get("user_attr"),
		DisplayAttr:    f.Get("display_attr"),
		MailAttr:       f.Get("mail_attr"),
		TitleAttr:      f.Get("title_attr"),
		Phone:          f.Get("phone_attr"),
		AdminGroup:     f.Get("admin_group"),
		AuditorGroup:   f.Get("auditor_group"),
		ChannelGroups:  f.Raw("channel_groups"),
	}
	err := c.office.SaveDirectory(c.actor(r), in)
	switch {
	case err == nil:
		if in.On {
			c.ok(r, "Directory settings saved. Directory people now sign in with their directory password. Test the connection to check the settings.")
		} else {
			c.ok(r, "Directory settings saved. The directory is not in use: nobody signs in with it.")
		}
		redirect(r.ctx, "/admin/directory")
	case c.problems(f, err):
		v := c.directoryView(f)
		v.Typed = in.BindPassword != ""
		f.Set("bind_password") // a password is never sent back
		c.renderDirectory(r, fasthttp.StatusBadRequest, f, v)
	default:
		c.storeFailed(r, err, "/admin/directory")
	}
}

// attrDefaults says what an empty attribute field stands for, in both
// kinds of directory.
func attrDefaults(pick func(directory.Attributes) string) string {
	return "Empty: " + pick(directory.Defaults(directory.AD).Attr) + " in Active Directory, " +
		pick(directory.Defaults(directory.OpenLDAP).Attr) + " in OpenLDAP."
}

// textAttrs are a text field's attributes for names, DNs and filters;
// placeholder shows the default an empty field stands for.
func textAttrs(placeholder string) templ.Attributes {
	a := templ.Attributes{"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "maxlength": "1000"}
	if placeholder != "" {
		a["placeholder"] = placeholder
	}
	return a
}

// testStepWords names a step of Test the connection in a sentence.
var testStepWords = map[string]string{
	"settings":        "the settings",
	"address":         "the address",
	"certificate":     "the certificate",
	"service account": "the service account",
	"base DN":         "the base DN",
	"filter":          "the filter",
	"people":          "finding people",
}

// testWords is what Test the connection says.
func testWords(r directory.Report) string {
	if r.OK {
		return "Connected: " + plural(r.People, "person") + " and " + plural(r.Groups, "group") + " found."
	}
	step, ok := testStepWords[r.Step]
	if !ok {
		step = r.Step
	}
	return "The test stopped at " + step + ": " + r.Problem
}

// POST /admin/directory/test: try the saved settings.
func (c *Console) directoryTest(r *request) {
	if c.store.Directory().URL == "" {
		c.fail(r, "There is nothing to test yet: fill in the settings and save them, then test.")
		redirect(r.ctx, "/admin/directory")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), directoryTestWait)
	defer cancel()
	rep := c.office.TestDirectory(ctx)
	if rep.OK {
		c.ok(r, testWords(rep))
	} else {
		c.fail(r, testWords(rep))
	}
	redirect(r.ctx, "/admin/directory")
}

// syncWords is the flash after Sync now.
func syncWords(s office.DirectorySync) string {
	disabled := "nobody disabled"
	if s.Disabled > 0 {
		disabled = itoa(s.Disabled) + " disabled"
	}
	return "Read " + plural(s.People, "person") + ": " + disabled + "."
}

// POST /admin/directory/sync: read the directory now, as the 15-minute
// job does.
func (c *Console) directorySync(r *request) {
	if !c.store.Directory().On {
		c.fail(r, "The directory is not in use: tick “Sign people in with the directory”, save, then sync.")
		redirect(r.ctx, "/admin/directory")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), directorySyncWait)
	defer cancel()
	res, err := c.office.SyncDirectory(ctx)
	switch {
	case err == nil:
		c.ok(r, syncWords(res))
	case errors.Is(err, directory.ErrUnreachable):
		c.fail(r, "Nothing was changed. "+sentence(err.Error()))
	default:
		c.log.Error("console: directory sync", "err", err)
		c.fail(r, "The sync stopped: "+sentence(err.Error())+" Check the dashboard for warnings.")
	}
	redirect(r.ctx, "/admin/directory")
}
