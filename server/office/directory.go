package office

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"inhouse/server/archive"
	"inhouse/server/auth"
	"inhouse/server/directory"
)

// Signing in with the office's directory, and keeping its people in step
// (docs/directory.md). The directory decides who a directory person is,
// whether they may sign in and their role; Inhouse keeps no directory
// password, only the service account's, sealed (secret.go).

// DirectoryActor is who the directory's changes are made by in the admin
// audit log.
var DirectoryActor = Actor{Name: "directory", Role: archive.RoleAdmin, Via: "directory"}

// ErrNotDirectoryPerson: the name is a local account, or there is no
// directory: the password is checked here.
var ErrNotDirectoryPerson = errors.New("not a directory person")

// ErrDirectoryName: the directory's user name cannot be an Inhouse name.
var ErrDirectoryName = errors.New("your directory user name cannot be used here; ask the office manager")

// dirState is what the office knows of its directory while it runs.
type dirState struct {
	mu          sync.Mutex
	client      *directory.Client
	key         string    // the settings the client was made from
	downSince   time.Time // zero while it answers
	lastSync    time.Time
	lastProblem string
}

// DirectoryStatus is what the dashboard and the Directory page say.
type DirectoryStatus struct {
	On               bool
	UnreachableSince time.Time // zero while it answers
	LastSync         time.Time
	LastProblem      string
}

// DirectoryStatus says how the directory is doing.
func (o *Office) DirectoryStatus() DirectoryStatus {
	o.dir.mu.Lock()
	defer o.dir.mu.Unlock()
	return DirectoryStatus{On: o.store.Directory().On, UnreachableSince: o.dir.downSince,
		LastSync: o.dir.lastSync, LastProblem: o.dir.lastProblem}
}

// DirectoryChange is the Directory page's form.
type DirectoryChange struct {
	On       bool
	URL      string
	Security string // "ldaps", "starttls" or "plain"
	PlainOK  bool   // the manager understands passwords cross the network in clear
	CA       string // PEM
	BindDN   string
	// BindPassword: "" keeps the stored one.
	BindPassword                                      string
	BaseDN, Filter, DisabledFilter, Dialect           string
	UserAttr, DisplayAttr, MailAttr, TitleAttr, Phone string
	AdminGroup, AuditorGroup                          string
	// ChannelGroups: one a line, "#channel group-DN".
	ChannelGroups string
}

// SaveDirectory checks and stores the directory settings.
func (o *Office) SaveDirectory(a Actor, in DirectoryChange) error {
	old := o.store.Directory()
	d := archive.DirectorySettings{On: in.On, URL: strings.TrimSpace(in.URL), CA: strings.TrimSpace(in.CA),
		BindDN: strings.TrimSpace(in.BindDN), BaseDN: strings.TrimSpace(in.BaseDN), Filter: strings.TrimSpace(in.Filter),
		DisabledFilter: strings.TrimSpace(in.DisabledFilter), Dialect: in.Dialect,
		UserAttr: strings.TrimSpace(in.UserAttr), DisplayAttr: strings.TrimSpace(in.DisplayAttr),
		MailAttr: strings.TrimSpace(in.MailAttr), TitleAttr: strings.TrimSpace(in.TitleAttr), PhoneAttr: strings.TrimSpace(in.Phone),
		AdminGroup: strings.TrimSpace(in.AdminGroup), AuditorGroup: strings.TrimSpace(in.AuditorGroup)}
	var bad Problems
	switch in.Security {
	case "ldaps", "":
	case "starttls":
		d.StartTLS = true
	case "plain":
		d.Plain = in.PlainOK
	default:
		bad.add("security", "Choose one.")
	}
	d.ChannelGroups = o.channelGroups(&bad, in.ChannelGroups)
	d.Secret = old.Secret
	if in.BindPassword != "" {
		if len(in.BindPassword) > 1024 {
			bad.add("bind_password", "At most 1024 characters.")
		} else if s, err := o.seal(in.BindPassword); err != nil {
			return err
		} else {
			d.Secret = s
		}
	}
	if d.On || d.URL != "" {
		if cfg, err := o.configOf(d); err != nil {
			bad.add("bind_password", err.Error())
		} else {
			for _, p := range cfg.Problems() {
				bad.add(directoryFields[p.Field], p.Message)
			}
		}
	}
	if err := bad.err(); err != nil {
		return err
	}
	if err := o.store.SaveDirectory(d); err != nil {
		return err
	}
	what := "Saved the directory settings (" + d.URL + ")"
	if !d.On {
		what += ", not in use"
	}
	if in.BindPassword != "" {
		what += "; a new service account password (not recorded)"
	}
	o.audit(a, "directory.save", "directory", what+".")
	return nil
}

// directoryFields names the Directory form's field for each field of the
// directory's configuration; one not listed ("Timeout") is shown with the
// address.
var directoryFields = map[string]string{"URL": "url", "Plain": "plain_ok", "CA": "ca", "BindDN": "bind_dn",
	"BindPassword": "bind_password", "BaseDN": "base_dn", "Filter": "filter", "DisabledFilter": "disabled_filter",
	"Dialect": "dialect", "Attr.UserName": "user_attr", "Attr.Display": "display_attr", "Attr.Mail": "mail_attr",
	"Attr.Title": "title_attr", "Attr.Phone": "phone_attr", "Timeout": "url"}

// channelGroups reads "#channel group-DN" lines.
func (o *Office) channelGroups(bad *Problems, text string) []archive.GroupChannel {
	var out []archive.GroupChannel
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, dn, ok := strings.Cut(line, " ")
		name = strings.TrimPrefix(name, "#")
		found := o.store.Channels(func(c *archive.Channel) bool { return c.Kind != archive.KindDirect && c.Name == name })
		if !ok || strings.TrimSpace(dn) == "" || len(found) != 1 {
			bad.add("channel_groups", fmt.Sprintf("%q: write the channel's name, a space and the group's DN, e.g. #sales cn=sales,ou=groups,dc=office,dc=example.", line))
			continue
		}
		out = append(out, archive.GroupChannel{Group: strings.TrimSpace(dn), Channel: found[0].ID})
	}
	return out
}

// configOf is the directory package's configuration for d.
func (o *Office) configOf(d archive.DirectorySettings) (directory.Config, error) {
	pw, err := o.unseal(d.Secret)
	if err != nil {
		return directory.Config{}, err
	}
	cfg := directory.Defaults(directory.Dialect(d.Dialect))
	cfg.URL, cfg.StartTLS, cfg.Plain, cfg.CA = d.URL, d.StartTLS, d.Plain, d.CA
	cfg.BindDN, cfg.BindPassword, cfg.BaseDN = d.BindDN, pw, d.BaseDN
	if d.Filter != "" {
		cfg.Filter = d.Filter
	}
	cfg.DisabledFilter = d.DisabledFilter
	for _, f := range []struct {
		to   *string
		from string
	}{{&cfg.Attr.UserName, d.UserAttr}, {&cfg.Attr.Display, d.DisplayAttr}, {&cfg.Attr.Mail, d.MailAttr},
		{&cfg.Attr.Title, d.TitleAttr}, {&cfg.Attr.Phone, d.PhoneAttr}} {
		if f.from != "" {
			*f.to = f.from
		}
	}
	return cfg, nil
}

// client is the directory client for the settings in force (nil: none).
func (o *Office) client() (*directory.Client, archive.DirectorySettings, error) {
	d := o.store.Directory()
	if !d.On {
		return nil, d, nil
	}
	cfg, err := o.configOf(d)
	if err != nil {
		return nil, d, err
	}
	key := fmt.Sprintf("%+v", cfg)
	o.dir.mu.Lock()
	defer o.dir.mu.Unlock()
	if o.dir.client == nil || o.dir.key != key {
		o.dir.client, o.dir.key = directory.New(cfg), key
	}
	return o.dir.client, d, nil
}

// TestDirectory tries the settings in force and says what it found.
func (o *Office) TestDirectory(ctx context.Context) directory.Report {
	d := o.store.Directory()
	cfg, err := o.configOf(d)
	if err != nil {
		return directory.Report{Step: "service account", Problem: err.Error()}
	}
	if err := cfg.Validate(); err != nil {
		return directory.Report{Step: "address", Problem: err.Error()}
	}
	r := directory.New(cfg).Test(ctx)
	o.noteReach(r.OK || r.Step != "address", r.Problem)
	return r
}

// noteReach keeps since when the directory does not answer.
func (o *Office) noteReach(ok bool, problem string) {
	o.dir.mu.Lock()
	defer o.dir.mu.Unlock()
	switch {
	case ok:
		o.dir.downSince = time.Time{}
	case o.dir.downSince.IsZero():
		o.dir.downSince = time.Now()
	}
	o.dir.lastProblem = problem
}

// IsDirectoryPerson says whether name signs in with the directory: a
// directory person, or nobody yet while a directory is in use.
func (o *Office) IsDirectoryPerson(name string) bool {
	if !o.store.Directory().On {
		return false
	}
	u, err := o.store.User(name)
	return err != nil || u.Directory != ""
}

// DirectorySignIn signs a directory person in with the directory's
// password, making their account at the first sign-in. Errors: the
// directory's (directory.ErrBadPassword, ErrNoSuchPerson, ErrDisabled,
// ErrUnreachable), ErrNotDirectoryPerson, ErrDirectoryName.
func (o *Office) DirectorySignIn(ctx context.Context, name, password string) (archive.User, error) {
	if !o.IsDirectoryPerson(name) {
		return archive.User{}, ErrNotDirectoryPerson
	}
	c, d, err := o.client()
	if err != nil || c == nil {
		return archive.User{}, directory.ErrUnreachable
	}
	p, err := c.Authenticate(ctx, name, password)
	if errors.Is(err, directory.ErrUnreachable) {
		o.noteReach(false, err.Error())
		return archive.User{}, err
	}
	o.noteReach(true, "")
	if err != nil {
		return archive.User{}, err
	}
	return o.keepPerson(d, p, true)
}

// localName is the Inhouse name of a directory person.
func localName(p directory.Person) (string, error) {
	name := strings.ToLower(strings.TrimSpace(p.UserName))
	if archive.ValidName(name) != nil {
		return "", ErrDirectoryName
	}
	return name, nil
}

// roleOf is the role the directory's groups give.
func roleOf(d archive.DirectorySettings, p directory.Person) string {
	switch {
	case d.AdminGroup != "" && inGroup(p, d.AdminGroup):
		return archive.RoleAdmin
	case d.AuditorGroup != "" && inGroup(p, d.AuditorGroup):
		return archive.RoleAuditor
	}
	return archive.RoleMember
}

func inGroup(p directory.Person, dn string) bool {
	return slices.ContainsFunc(p.Groups, func(g string) bool { return directory.SameDN(g, dn) })
}

// keepPerson makes or updates the account of a directory person: name,
// title, phone, role and the channels of their groups. signIn: the person
// is signing in (a disabled one is refused).
func (o *Office) keepPerson(d archive.DirectorySettings, p directory.Person, signIn bool) (archive.User, error) {
	name, err := localName(p)
	if err != nil {
		return archive.User{}, err
	}
	display := strings.TrimSpace(p.Display)
	if display == "" || archive.ValidDisplay(display) != nil {
		display = name
	}
	role := roleOf(d, p)
	u, err := o.store.User(name)
	switch {
	case errors.Is(err, archive.ErrNotFound):
		// No password of its own: the hash of random bytes nobody knows.
		u = archive.User{Name: name, Display: display, Role: role, Hash: auth.HashPassword(auth.Token()),
			Directory: p.DN, Title: clip(p.Title, maxTitle), Phone: clip(p.Phone, maxPhone)}
		if err := o.store.AddUser(u); err != nil {
			return archive.User{}, err
		}
		u, _ = o.store.User(name)
		o.audit(DirectoryActor, "person.add", name, "Added "+display+" ("+name+") as "+role+" at their first sign-in with the directory.")
		o.welcome(DirectoryActor, name)
	case err != nil:
		return archive.User{}, err
	case u.Directory == "":
		return archive.User{}, ErrNotDirectoryPerson // a local account of that name keeps its own password
	default:
		if signIn && u.Disabled {
			return u, directory.ErrDisabled
		}
		if u, err = o.updateFromDirectory(u, p, display, role); err != nil {
			return u, err
		}
	}
	o.fillChannels(d, p, name)
	return u, nil
}

// updateFromDirectory applies what changed in the directory.
func (o *Office) updateFromDirectory(u archive.User, p directory.Person, display, role string) (archive.User, error) {
	title, phone := clip(p.Title, maxTitle), clip(p.Phone, maxPhone)
	if u.Display == display && u.Role == role && u.Title == title && u.Phone == phone && u.Directory == p.DN {
		return u, nil
	}
	var what []string
	if u.Display != display {
		what = append(what, "display name from "+u.Display+" to "+display)
	}
	if u.Role != role {
		what = append(what, "role from "+u.Role+" to "+role)
	}
	if u.Title != title || u.Phone != phone {
		what = append(what, "title and phone")
	}
	before := u
	u, err := o.store.UpdateUser(u.Name, func(x *archive.User) error {
		x.Display, x.Role, x.Title, x.Phone, x.Directory = display, role, title, phone, p.DN
		return nil
	})
	if err != nil {
		return before, err
	}
	if before.Role != role {
		o.kick(u.Name, "role changed")
	}
	if len(what) > 0 {
		o.audit(DirectoryActor, "person.edit", u.Name, "The directory changed "+strings.Join(what, ", ")+".")
	}
	o.personChanged(u)
	return u, nil
}

// fillChannels adds a person to the channels their groups fill.
func (o *Office) fillChannels(d archive.DirectorySettings, p directory.Person, name string) {
	for _, gc := range d.ChannelGroups {
		if !inGroup(p, gc.Group) {
			continue
		}
		c, err := o.store.Channel(gc.Channel)
		if err != nil || c.Archived || c.Has(name) {
			continue
		}
		if c, err = o.store.ChangeMembers(c.ID, []string{name}, nil, DirectoryActor.Name); err == nil {
			o.changed(c, nil)
			o.audit(DirectoryActor, "channel.members", "#"+c.Name, "Added "+name+" (a member of "+gc.Group+").")
		}
	}
}

// DirectorySync is what one sync did.
type DirectorySync struct {
	People, Updated, Disabled int
}

// SyncDirectory reads the directory and applies it: people gone or
// disabled there are disabled here and signed out at once; names, titles,
// roles and channels follow. Accounts are made at first sign-in, not here.
// A sync never enables anyone: that stays the manager's decision.
func (o *Office) SyncDirectory(ctx context.Context) (DirectorySync, error) {
	var res DirectorySync
	c, d, err := o.client()
	if err != nil || c == nil {
		return res, err
	}
	people, err := c.People(ctx)
	if err != nil {
		o.noteReach(!errors.Is(err, directory.ErrUnreachable), err.Error())
		return res, err
	}
	o.noteReach(true, "")
	res.People = len(people)
	byDN := map[string]directory.Person{}
	byName := map[string]directory.Person{}
	for _, p := range people {
		byDN[strings.ToLower(p.DN)] = p
		if n, err := localName(p); err == nil {
			byName[n] = p
		}
	}
	for _, u := range o.store.Users() {
		if u.Directory == "" || u.Disabled {
			continue
		}
		p, ok := byDN[strings.ToLower(u.Directory)]
		if !ok {
			p, ok = byName[u.Name]
		}
		if !ok || p.Disabled {
			why := "gone from the directory"
			if ok {
				why = "disabled in the directory"
			}
			if _, err := o.store.UpdateUser(u.Name, func(x *archive.User) error { x.Disabled = true; return nil }); err != nil {
				return res, err
			}
			o.kick(u.Name, "account disabled")
			o.audit(DirectoryActor, "person.disable", u.Name, "Disabled "+u.Display+" ("+why+") and signed them out everywhere.")
			res.Disabled++
			continue
		}
		if _, err := o.keepPerson(d, p, false); err == nil {
			res.Updated++
		}
	}
	o.dir.mu.Lock()
	o.dir.lastSync = time.Now()
	o.dir.mu.Unlock()
	return res, nil
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n])
	}
	if !oneLine(s) {
		return ""
	}
	return s
}
