package admin

import (
	"crypto/rand"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/valyala/fasthttp"

	"inhouse/server"
	"inhouse/server/archive"
	"inhouse/server/office"
)

// personRow is one line of the people table.
type personRow struct {
	archive.User
	Presence string // online, away, offline
	Accepted bool   // accepted the policy in force
}

// Status is the row's state in words.
func (p personRow) Status() string {
	switch {
	case p.Disabled:
		return "Disabled"
	case p.MustChange:
		return "Must choose a password"
	case p.Presence == "online":
		return "Online"
	case p.Presence == "away":
		return "Away"
	}
	return "Offline"
}

func personURL(name, op string) templ.SafeURL {
	u := "/admin/people/" + url.PathEscape(name)
	if op != "" {
		u += "/" + op
	}
	return templ.SafeURL(u)
}

// GET /admin/people
func (c *Console) people(r *request) {
	l := c.listOf(r, "/admin/people", "display")
	pol := c.store.Policy().Version
	var rows []personRow
	for _, u := range c.store.Users() {
		if !contains(l.Q, u.Name, u.Display, u.Role) {
			continue
		}
		rows = append(rows, personRow{User: u, Presence: c.hub.Status(u.Name), Accepted: c.store.Accepted(u.Name).Version == pol})
	}
	key := func(p personRow) string {
		switch l.Sort {
		case "name":
			return p.Name
		case "role":
			return p.Role + "\x00" + strings.ToLower(p.Display)
		case "status":
			return p.Status() + "\x00" + strings.ToLower(p.Display)
		case "created":
			return p.Created.Format(time.RFC3339Nano)
		}
		return strings.ToLower(p.Display) + "\x00" + p.Name
	}
	sort.SliceStable(rows, func(i, j int) bool { return l.less(key(rows[i]), key(rows[j])) })
	c.render(r.ctx, fasthttp.StatusOK, peoplePage(c.shell(r, "People", "/admin/people").with("Add a person", "/admin/people/new"), l, rows))
}

// GET /admin/people/new
func (c *Console) personNew(r *request) {
	f := newForm().Set("role", archive.RoleMember)
	c.render(r.ctx, fasthttp.StatusOK, personNewPage(c.shell(r, "Add a person", "/admin/people"), f))
}

// POST /admin/people/new: the new person must choose their own password
// at first sign-in, whether the office manager typed one or not (the
// manager hands it over).
func (c *Console) personCreate(r *request) {
	f := postedForm(r.ctx)
	name := strings.ToLower(f.Get("name"))
	f.Set("name", name)
	pw := f.Raw("password")
	f.Set("password")
	generated := pw == ""
	if generated {
		pw = oneTimePassword()
	}
	u, err := c.office.AddPerson(c.actor(r), office.NewPerson{Name: name, Display: f.Get("display"), Role: f.Get("role"), Password: pw, OneTime: true})
	if c.problems(f, err) {
		c.render(r.ctx, fasthttp.StatusBadRequest, personNewPage(c.shell(r, "Add a person", "/admin/people"), f))
		return
	}
	if err != nil {
		c.storeFailed(r, err, "/admin/people/new")
		return
	}
	fl := flash{Kind: "ok", Text: u.Display + " was added with the user name " + u.Name + ". They choose their own password when they first sign in."}
	if generated {
		fl.Text = u.Display + " was added with the user name " + u.Name + ". Give them this one-time password (it is shown only now); they choose their own when they first sign in:"
		fl.Secret = pw
	}
	c.flash.add(r.sess.ID, fl)
	redirect(r.ctx, "/admin/people")
}

// person loads the person named in the path, answering 404 itself.
func (c *Console) person(r *request) (archive.User, bool) {
	u, err := c.store.User(r.param("name"))
	if err != nil {
		c.notFound(r)
		return u, false
	}
	return u, true
}

// personView is a person's page: the name and role, the card in the chat
// (title and phone), the picture, and sign-in trouble. Each form keeps
// what was typed when it comes back with a mistake.
type personView struct {
	User    archive.User
	Self    bool
	Main    *form // display, role
	Card    *form // title, phone
	Picture *form // the upload's error
	Trouble signInTrouble
}

func (c *Console) personView(r *request, u archive.User) personView {
	return personView{
		User: u, Self: u.Name == r.user.Name,
		Main:    newForm().Set("display", u.Display).Set("role", u.Role),
		Card:    newForm().Set("title", u.Title).Set("phone", u.Phone),
		Picture: newForm(),
		Trouble: c.signInTrouble(u.Name),
	}
}

func (c *Console) renderPerson(r *request, status int, v personView) {
	c.render(r.ctx, status, personEditPage(c.shell(r, v.User.Display, "/admin/people"), v))
}

// GET /admin/people/{name}
func (c *Console) personEdit(r *request) {
	u, ok := c.person(r)
	if !ok {
		return
	}
	c.renderPerson(r, fasthttp.StatusOK, c.personView(r, u))
}

// POST /admin/people/{name}: display name and role.
func (c *Console) personSave(r *request) {
	u, ok := c.person(r)
	if !ok {
		return
	}
	v := c.personView(r, u)
	f := postedForm(r.ctx)
	if v.Self {
		f.Set("role", u.Role) // a manager's own role is another manager's to change
	}
	changed, err := c.office.EditPerson(c.actor(r), u.Name, f.Get("display"), f.Get("role"))
	switch {
	case c.problems(f, err):
		v.Main = f
		c.renderPerson(r, fasthttp.StatusBadRequest, v)
		return
	case err != nil:
		c.storeFailed(r, err, string(personURL(u.Name, "")))
		return
	case changed == "":
		c.ok(r, "Nothing changed.")
		redirect(r.ctx, string(personURL(u.Name, "")))
		return
	}
	c.ok(r, "Saved the changes to "+f.Get("display")+".")
	redirect(r.ctx, "/admin/people")
}

// POST /admin/people/{name}/card: the title and phone colleagues see on
// the person's card in the chat.
func (c *Console) personCardSave(r *request) {
	u, ok := c.person(r)
	if !ok {
		return
	}
	f := postedForm(r.ctx)
	err := c.office.EditProfile(c.actor(r), u.Name, office.Profile{Title: f.Get("title"), Phone: f.Get("phone")})
	switch {
	case problemsOn(f, err, "title", "title", "phone"):
		v := c.personView(r, u)
		v.Card = f
		c.renderPerson(r, fasthttp.StatusBadRequest, v)
		return
	case err != nil:
		c.storeFailed(r, err, string(personURL(u.Name, "")))
		return
	}
	if f.Get("title") == u.Title && f.Get("phone") == u.Phone {
		c.ok(r, "Nothing changed.")
	} else {
		c.ok(r, "Saved the card of "+u.Display+".")
	}
	redirect(r.ctx, string(personURL(u.Name, "")))
}

// maxPicture bounds what the console reads of an uploaded picture; the
// office refuses anything over its own limit (docs/people.md: 8 MB), so a
// byte more than that is enough for it to see.
const maxPicture = 8<<20 + 1

// POST /admin/people/{name}/picture (multipart/form-data): a new picture,
// handed to the office as it arrives.
func (c *Console) personPictureSave(r *request, file io.Reader) {
	u, ok := c.person(r)
	if !ok {
		return
	}
	f := newForm()
	var err error
	if file == nil {
		f.Fail("picture", "Choose a picture to upload.")
	} else {
		_, err = c.office.SetPicture(c.actor(r), u.Name, io.LimitReader(file, maxPicture))
	}
	if f.Valid() && err == nil {
		c.ok(r, "The new picture of "+u.Display+" is saved. Colleagues see it at once.")
		redirect(r.ctx, string(personURL(u.Name, "")))
		return
	}
	if f.Valid() && !problemsOn(f, err, "picture", "picture") {
		c.storeFailed(r, err, string(personURL(u.Name, "")))
		return
	}
	v := c.personView(r, u)
	v.Picture = f
	c.renderPerson(r, fasthttp.StatusBadRequest, v)
}

// problemsOn is problems for a form with the given fields: a problem the
// office names another field by is shown at fallback, so none is lost.
func problemsOn(f *form, err error, fallback string, fields ...string) bool {
	p, ok := office.AsProblems(err)
	for _, x := range p {
		field := x.Field
		if !slices.Contains(fields, field) {
			field = fallback
		}
		f.Fail(field, x.Message)
	}
	return ok
}

// personOp is an action with a confirmation page.
type personOp struct {
	Title, Button string
	Danger, Self  bool // Self: allowed on oneself
}

var personOps = map[string]personOp{
	"disable": {"Disable %s?", "Disable", true, false},
	"enable":  {"Enable %s?", "Enable", false, false},
	"reset":   {"Reset the password of %s?", "Reset the password", true, false},
	"signout": {"Sign %s out everywhere?", "Sign out everywhere", true, true},
	"unlock":  {"Let %s sign in without waiting?", "Lift the waits", false, true},
	// The office decides whether a manager may remove their own picture
	// here; the console offers it to everyone's page.
	"remove-picture": {"Remove the picture of %s?", "Remove the picture", true, true},
}

// signInTrouble is what a person's page says about failed sign-ins.
type signInTrouble struct {
	Failures []server.Failure         // newest last
	Slowed   map[string]time.Duration // address -> how long its next try as them waits
}

func (c *Console) signInTrouble(name string) signInTrouble {
	f, s := c.srv.FailedSignIns(name)
	return signInTrouble{Failures: f, Slowed: s}
}

// personOpOf reads the person and the action of a confirmation page or
// its post, for both in one place. When either is refused it has answered
// (a refusal to act on oneself goes back to refusedTo) and ok is false.
func (c *Console) personOpOf(r *request, refusedTo func(archive.User) string) (op personOp, u archive.User, ok bool) {
	op, known := personOps[r.param("op")]
	if u, ok = c.person(r); !ok {
		return op, u, false
	}
	if !known {
		c.notFound(r)
		return op, u, false
	}
	if u.Name == r.user.Name && !op.Self {
		c.fail(r, "You cannot do this to yourself. Another office manager can.")
		redirect(r.ctx, refusedTo(u))
		return op, u, false
	}
	return op, u, true
}

// GET /admin/people/{name}/{op}: the confirmation page.
func (c *Console) personConfirm(r *request) {
	op, u, ok := c.personOpOf(r, func(u archive.User) string { return string(personURL(u.Name, "")) })
	if !ok {
		return
	}
	s := c.shell(r, strings.Replace(op.Title, "%s", u.Display, 1), "/admin/people")
	c.render(r.ctx, fasthttp.StatusOK, personConfirmPage(s, r.param("op"), op.Button, op.Danger, u, u.Name == r.user.Name))
}

// POST /admin/people/{name}/{op}
func (c *Console) personDo(r *request) {
	opName := r.param("op")
	_, u, ok := c.personOpOf(r, func(archive.User) string { return "/admin/people" })
	if !ok {
		return
	}
	back := string(personURL(u.Name, ""))
	a := c.actor(r)
	var err error
	switch opName {
	case "disable":
		if _, err = c.office.DisablePerson(a, u.Name); err == nil {
			c.ok(r, u.Display+" was disabled and signed out everywhere.")
		}
	case "enable":
		if _, err = c.office.EnablePerson(a, u.Name); err == nil {
			c.ok(r, u.Display+" was enabled and can sign in again.")
		}
	case "reset":
		pw := oneTimePassword()
		if _, err = c.office.SetPassword(a, u.Name, pw, true); err == nil {
			c.flash.add(r.sess.ID, flash{Kind: "ok", Text: u.Display + " was signed out. Give them this one-time password (it is shown only now); they choose their own when they next sign in:", Secret: pw})
		}
	case "unlock":
		if _, err = c.office.UnlockSignIn(a, u.Name); err == nil {
			c.ok(r, u.Display+" can sign in again without waiting.")
		}
	case "remove-picture":
		if err = c.office.RemovePicture(a, u.Name); err == nil {
			c.ok(r, u.Display+" is shown with initials again.")
			redirect(r.ctx, back)
			return
		}
	case "signout":
		except := ""
		if u.Name == r.user.Name {
			except = r.sess.ID // keep the console's own session
		}
		if _, err = c.office.SignOutEverywhere(a, u.Name, except); err == nil {
			c.ok(r, u.Display+" was signed out everywhere.")
		}
	}
	if err != nil {
		if p, ok := office.AsProblems(err); ok {
			c.fail(r, p.Error())
			redirect(r.ctx, back)
			return
		}
		c.storeFailed(r, err, back)
		return
	}
	redirect(r.ctx, "/admin/people")
}

// oneTimePassword is easy to read aloud and type: 12 letters and digits
// without look-alikes, in three groups (about 59 bits).
func oneTimePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	var sb strings.Builder
	b := make([]byte, 1)
	for n := 0; n < 12; {
		rand.Read(b)
		if int(b[0]) >= 256/len(alphabet)*len(alphabet) {
			continue // keep every character equally likely
		}
		if n > 0 && n%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(b[0])%len(alphabet)])
		n++
	}
	return sb.String()
}

// sortedKeys lists the addresses in order, for a stable page.
func sortedKeys(m map[string]time.Duration) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// waitWords says a wait the way people do.
func waitWords(d time.Duration) string {
	switch {
	case d < time.Minute:
		return plural(int(d.Seconds()+0.5), "second")
	default:
		return plural(int(d.Minutes()+0.5), "minute")
	}
}
