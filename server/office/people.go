package office

import (
	"errors"
	"strings"

	"inhouse/server/archive"
	"inhouse/server/auth"
)

// NewPerson is someone the office adds.
type NewPerson struct {
	Name, Display, Role, Password string
	// OneTime: someone other than the person chose the password (a
	// manager in the console, who reads it out to them), so they must
	// choose their own at first sign-in. The command line and the admin
	// API take a password from whoever sets the person up, and first-run
	// setup from the manager themselves: not one-time.
	OneTime bool
}

// One rule for each field, said one way, whichever door it came through.
const (
	msgName        = "Use 1 to 32 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit."
	msgNameTaken   = "Someone already has this user name. Choose another, e.g. with the family name's initial."
	msgDisplay     = "Enter the name people will see, e.g. Ana Ruiz."
	msgDisplayLong = "At most 64 characters on one line."
	msgRole        = "Choose one of the roles: member, auditor or admin."
)

// checkPerson notes what is wrong with the fields a person is made or
// edited with.
func checkPerson(p *Problems, display, role string) {
	if display == "" {
		p.add("display", msgDisplay)
	} else if archive.ValidDisplay(display) != nil {
		p.add("display", msgDisplayLong)
	}
	if archive.ValidRole(role) != nil {
		p.add("role", msgRole)
	}
}

// CheckPassword validates a new password, as a field error.
func CheckPassword(field, pw string) error {
	if err := auth.CheckPassword(pw); err != nil {
		return fieldErr(field, archive.Sentence(err))
	}
	return nil
}

// AddPerson adds someone to the office.
func (o *Office) AddPerson(a Actor, p NewPerson) (archive.User, error) {
	name := strings.ToLower(strings.TrimSpace(p.Name))
	display := strings.TrimSpace(p.Display)
	if display == "" {
		display = name // until someone gives a fuller name
	}
	if p.Role == "" {
		p.Role = archive.RoleMember
	}
	var bad Problems
	taken := false
	if archive.ValidName(name) != nil {
		bad.add("name", msgName)
	} else if _, err := o.store.User(name); err == nil {
		bad.add("name", msgNameTaken)
		taken = true
	}
	checkPerson(&bad, display, p.Role)
	if err := auth.CheckPassword(p.Password); err != nil {
		bad.add("password", archive.Sentence(err))
	}
	if err := bad.err(); err != nil {
		if taken {
			return archive.User{}, takenError{err}
		}
		return archive.User{}, err
	}
	u := archive.User{Name: name, Display: display, Role: p.Role, Hash: auth.HashPassword(p.Password), MustChange: p.OneTime}
	if err := o.store.AddUser(u); err != nil {
		if errors.Is(err, archive.ErrExists) { // taken meanwhile
			return archive.User{}, takenError{fieldErr("name", msgNameTaken)}
		}
		return archive.User{}, err
	}
	u, _ = o.store.User(name)
	o.log.Info("person added", "by", a.Name, "via", a.Via, "user", u.Name, "role", u.Role)
	o.audit(a, "person.add", u.Name, "Added "+u.Display+" ("+u.Name+") as "+u.Role+".")
	o.welcome(a, u.Name)
	return u, nil
}

// welcome adds a new person to the office's welcome channel, so nobody
// lands on an empty page. A welcome channel that is gone or archived is
// skipped: the person is added all the same.
func (o *Office) welcome(a Actor, name string) {
	id := o.store.Settings().Welcome
	if id == "" {
		return
	}
	c, err := o.store.Channel(id)
	if err != nil || c.Archived || c.Has(name) {
		return
	}
	if c, err = o.store.ChangeMembers(id, []string{name}, nil, a.Name); err != nil {
		o.log.Error("adding a new person to the welcome channel", "user", name, "channel", id, "err", err)
		return
	}
	o.changed(c, nil)
}

// SetUpOffice makes the office's first manager at first run, and the
// #general channel everyone joins (the welcome channel).
func (o *Office) SetUpOffice(p NewPerson) (archive.User, error) {
	p.Role, p.OneTime = archive.RoleAdmin, false
	a := Actor{Name: strings.ToLower(strings.TrimSpace(p.Name)), Role: archive.RoleAdmin, Via: ViaSetup}
	u, err := o.AddPerson(a, p)
	if err != nil {
		return u, err
	}
	if o.store.Settings().Welcome != "" {
		return u, nil
	}
	c, err := o.CreateChannel(a, NewChannel{Name: "general", Join: true})
	if err != nil {
		o.log.Error("creating #general", "err", err)
		return u, nil // the office works without it
	}
	set := o.store.Settings()
	set.Welcome = c.ID
	if err := o.store.SaveSettings(set); err != nil {
		o.log.Error("making #general the welcome channel", "err", err)
	}
	return u, nil
}

// EditPerson changes a person's display name and role. A manager cannot
// change their own role (another manager can): an office must not lose its
// last manager by a slip. It returns what changed, in words ("" if nothing).
func (o *Office) EditPerson(a Actor, name, display, role string) (string, error) {
	u, err := o.store.User(name)
	if err != nil {
		return "", err
	}
	display = strings.TrimSpace(display)
	if name == a.Name {
		role = u.Role
	}
	var bad Problems
	checkPerson(&bad, display, role)
	if err := bad.err(); err != nil {
		return "", err
	}
	if display == u.Display && role == u.Role {
		return "", nil
	}
	if _, err := o.store.UpdateUser(name, func(x *archive.User) error {
		x.Display, x.Role = display, role
		return nil
	}); err != nil {
		return "", err
	}
	var what []string
	if display != u.Display {
		what = append(what, "display name from "+u.Display+" to "+display)
	}
	if role != u.Role {
		what = append(what, "role from "+u.Role+" to "+role)
		o.kick(name, "role changed") // a role takes effect on the next connection
	}
	changed := strings.Join(what, " and ")
	o.audit(a, "person.edit", name, "Changed "+changed+".")
	return changed, nil
}

// DisablePerson stops a person signing in: their sessions end and their
// sockets close at once. Nobody disables themselves.
func (o *Office) DisablePerson(a Actor, name string) (archive.User, error) {
	if name == a.Name {
		return archive.User{}, errSelf
	}
	u, err := o.store.UpdateUser(name, func(x *archive.User) error { x.Disabled = true; return nil })
	if err != nil {
		return u, err
	}
	o.kick(name, "account disabled")
	o.log.Info("person disabled", "by", a.Name, "via", a.Via, "user", name)
	o.audit(a, "person.disable", name, "Disabled "+u.Display+" and signed them out everywhere.")
	return u, nil
}

// EnablePerson lets a disabled person sign in again.
func (o *Office) EnablePerson(a Actor, name string) (archive.User, error) {
	if name == a.Name {
		return archive.User{}, errSelf
	}
	u, err := o.store.UpdateUser(name, func(x *archive.User) error { x.Disabled = false; return nil })
	if err != nil {
		return u, err
	}
	o.audit(a, "person.enable", name, "Enabled "+u.Display+".")
	return u, nil
}

// SetPassword gives a person a new password chosen by someone else (a
// manager's reset, or the command line at the server): their sessions end
// and their sockets close. oneTime as in NewPerson.
func (o *Office) SetPassword(a Actor, name, password string, oneTime bool) (archive.User, error) {
	if err := o.ownPassword(name); err != nil {
		return archive.User{}, err
	}
	if err := CheckPassword("password", password); err != nil {
		return archive.User{}, err
	}
	hash := auth.HashPassword(password)
	u, err := o.store.UpdateUser(name, func(x *archive.User) error {
		x.Hash, x.MustChange = hash, oneTime
		return nil
	})
	if err != nil {
		return u, err
	}
	o.kick(name, "password reset")
	if o.live != nil {
		o.live.UnlockSignIn(name)
	}
	o.audit(a, "person.reset", name, "Set a new password for "+u.Display+" and signed them out everywhere.")
	return u, nil
}

// NewPasswordProblems is what is wrong with a password a person chose to
// replace current (field "new"); a form may show it before the current
// password is even checked.
func NewPasswordProblems(current, next string) Problems {
	var p Problems
	if err := auth.CheckPassword(next); err != nil {
		p.add("new", archive.Sentence(err))
	} else if next == current {
		p.add("new", "Choose a password different from the current one.")
	}
	return p
}

// ChangeOwnPassword sets the password a person chose for themselves, after
// the door has checked their current one. Every session of theirs ends,
// the caller's too (the door starts a fresh one for the browser in hand).
func (o *Office) ChangeOwnPassword(name, current, next string) error {
	if err := o.ownPassword(name); err != nil {
		return err
	}
	if err := NewPasswordProblems(current, next).err(); err != nil {
		return err
	}
	hash := auth.HashPassword(next)
	if _, err := o.store.UpdateUser(name, func(u *archive.User) error {
		u.Hash, u.MustChange = hash, false
		return nil
	}); err != nil {
		return err
	}
	o.kick(name, "password changed")
	if o.live != nil {
		o.live.UnlockSignIn(name)
	}
	return nil
}

// SignOutEverywhere ends a person's sessions, but except (the caller's own
// session, when signing oneself out elsewhere), and closes their sockets.
func (o *Office) SignOutEverywhere(a Actor, name, except string) (archive.User, error) {
	u, err := o.store.User(name)
	if err != nil {
		return u, err
	}
	if err := o.store.DeleteSessions(name, except); err != nil {
		return u, err
	}
	o.kick(name, "signed out by the office manager")
	o.audit(a, "person.signout", name, "Signed "+u.Display+" out everywhere.")
	return u, nil
}

// takenError is a name someone already has: the person's mistake with its
// problems, and archive.ErrExists for the doors that answer it apart (the
// API's 409).
type takenError struct{ problems error }

func (e takenError) Error() string   { return e.problems.Error() }
func (e takenError) Unwrap() []error { return []error{archive.ErrExists, e.problems} }

// UnlockSignIn lifts the waits that failed guesses put on a person's
// sign-ins (the list of failures stays on their page).
func (o *Office) UnlockSignIn(a Actor, name string) (archive.User, error) {
	u, err := o.store.User(name)
	if err != nil {
		return u, err
	}
	if o.live != nil {
		o.live.UnlockSignIn(name)
	}
	o.audit(a, "person.unlock", name, "Lifted the waits on signing in as "+u.Display+".")
	return u, nil
}

// ownPassword refuses to set the password of a directory person: it is the
// directory's (docs/directory.md).
func (o *Office) ownPassword(name string) error {
	if u, err := o.store.User(name); err == nil && u.Directory != "" {
		return &Forbidden{u.Display + " signs in with the office directory's password: change it in the directory."}
	}
	return nil
}
