package office

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"inhouse/server/archive"
	"inhouse/server/hours"
	"inhouse/server/preview"
)

// People's profiles, status lines, do-not-disturb and working hours
// (docs/people.md). Each change is told to everyone signed in.

// Person is a person as others see them: the object of /api/users, the
// card, and the person frame.
type Person struct {
	Name     string             `json:"name"`
	Display  string             `json:"display"`
	Status   string             `json:"status,omitempty"` // presence, filled in by the door that knows it
	Role     string             `json:"role,omitempty"`   // the caller's own only
	Title    string             `json:"title"`
	Phone    string             `json:"phone"`
	Picture  string             `json:"picture"`
	Note     *archive.Note      `json:"note,omitempty"`
	DNDUntil *time.Time         `json:"dnd_until,omitempty"`
	Hours    *archive.WorkHours `json:"hours,omitempty"`
	Quiet    *Quiet             `json:"quiet,omitempty"`
	Next     *time.Time         `json:"next_quiet,omitempty"`
}

// Quiet says a person is not notified now, why, and until when.
type Quiet struct {
	Now   bool      `json:"now"`
	Until time.Time `json:"until"`
	Why   string    `json:"why"` // "dnd" or "hours"
}

// PersonAt is u as others see them at now: an ended status line or
// do-not-disturb left out, quiet hours worked out in their time zone.
func PersonAt(u archive.User, now time.Time) Person {
	p := Person{Name: u.Name, Display: u.Display, Title: u.Title, Phone: u.Phone, Picture: u.Picture, Hours: u.Hours}
	if u.Note != nil && (u.Note.Until.IsZero() || u.Note.Until.After(now)) {
		p.Note = u.Note
	}
	if u.DNDUntil.After(now) {
		t := u.DNDUntil
		p.DNDUntil = &t
		p.Quiet = &Quiet{Now: true, Until: t, Why: "dnd"}
	}
	if u.Hours == nil {
		return p
	}
	w, err := hours.Parse(u.Hours.TZ, u.Hours.Days, u.Hours.Quiet)
	if err != nil {
		return p // stored before a zone went away: no quiet hours rather than none at all
	}
	if until, quiet := w.QuietAt(now); quiet && p.Quiet == nil {
		p.Quiet = &Quiet{Now: true, Until: until.UTC(), Why: "hours"}
	} else if next, ok := w.NextQuiet(now); ok && p.Quiet == nil {
		next = next.UTC()
		p.Next = &next
	}
	return p
}

// Person is one person as others see them now.
func (o *Office) Person(name string) (Person, error) {
	u, err := o.store.User(name)
	if err != nil || u.Disabled {
		return Person{}, archive.ErrNotFound
	}
	return PersonAt(u, time.Now()), nil
}

// Profile is what a person's card says besides the name.
type Profile struct {
	Title, Phone string
}

const (
	maxTitle   = 64
	maxPhone   = 20
	maxNote    = 100
	maxDND     = 7 * 24 * time.Hour
	maxPicture = 8 << 20 // a photo straight from a phone
)

// mayEditProfile: one's own profile unless the office keeps profiles to
// its managers; anyone's for a manager.
func (o *Office) mayEditProfile(a Actor, name string) error {
	if a.Role == archive.RoleAdmin {
		return nil
	}
	if a.Name != name {
		return &Forbidden{"Only the office manager may change other people's profiles."}
	}
	if o.store.Settings().ProfilesBy == archive.AdminsOnly {
		return &Forbidden{"The office manager keeps titles, phone numbers and pictures; ask them to change yours."}
	}
	return nil
}

// EditProfile changes a person's title and phone.
func (o *Office) EditProfile(a Actor, name string, p Profile) error {
	if err := o.mayEditProfile(a, name); err != nil {
		return err
	}
	p.Title, p.Phone = strings.TrimSpace(p.Title), strings.TrimSpace(p.Phone)
	var bad Problems
	if utf8.RuneCountInString(p.Title) > maxTitle || !oneLine(p.Title) {
		bad.add("title", fmt.Sprintf("Title: at most %d characters on one line.", maxTitle))
	}
	if len(p.Phone) > maxPhone || strings.Trim(p.Phone, "0123456789+-()/. ") != "" {
		bad.add("phone", fmt.Sprintf("Phone: at most %d digits, spaces and + - ( ) / .", maxPhone))
	}
	if err := bad.err(); err != nil {
		return err
	}
	u, err := o.store.User(name)
	if err != nil {
		return err
	}
	if u.Title == p.Title && u.Phone == p.Phone {
		return nil
	}
	u, err = o.store.UpdateUser(name, func(x *archive.User) error {
		x.Title, x.Phone = p.Title, p.Phone
		return nil
	})
	if err != nil {
		return err
	}
	if a.Name != name {
		o.audit(a, "profile", name, "title "+p.Title+", phone "+p.Phone)
	}
	o.personChanged(u)
	return nil
}

// SetPicture stores a person's picture from an uploaded image and returns
// its version.
func (o *Office) SetPicture(a Actor, name string, img io.Reader) (string, error) {
	if err := o.mayEditProfile(a, name); err != nil {
		return "", err
	}
	if _, err := o.store.User(name); err != nil {
		return "", err
	}
	// Decoding a picture may take 160 MB: one at a time, with previews.
	previewing <- struct{}{}
	jpeg, err := preview.Avatar(img, maxPicture)
	<-previewing
	if err != nil {
		var bad Problems
		bad.add("picture", "Picture: "+err.Error())
		return "", bad.err()
	}
	sum := sha256.Sum256(jpeg)
	version := hex.EncodeToString(sum[:6])
	u, err := o.store.SetPicture(name, jpeg, version)
	if err != nil {
		return "", err
	}
	if a.Name != name {
		o.audit(a, "picture", name, "new picture")
	}
	o.personChanged(u)
	return version, nil
}

// RemovePicture goes back to initials.
func (o *Office) RemovePicture(a Actor, name string) error {
	if err := o.mayEditProfile(a, name); err != nil {
		return err
	}
	u, err := o.store.RemovePicture(name)
	if err != nil {
		return err
	}
	if a.Name != name {
		o.audit(a, "picture", name, "picture removed")
	}
	o.personChanged(u)
	return nil
}

// Picture is a person's stored picture (JPEG) and its version.
func (o *Office) Picture(name string) ([]byte, string, error) {
	u, err := o.store.User(name)
	if err != nil || u.Picture == "" {
		return nil, "", archive.ErrNotFound
	}
	jpeg, err := o.store.Picture(name)
	return jpeg, u.Picture, err
}

// SetNote sets (or with a zero Note, clears) the person's status line.
func (o *Office) SetNote(name string, n archive.Note) error {
	n.Text = strings.TrimSpace(n.Text)
	var bad Problems
	if utf8.RuneCountInString(n.Text) > maxNote || !oneLine(n.Text) {
		bad.add("text", fmt.Sprintf("Status text: at most %d characters on one line.", maxNote))
	}
	if n.Emoji != "" && !o.emoji[n.Emoji] {
		bad.add("emoji", "Status emoji: choose one from the list.")
	}
	if !n.Until.IsZero() && !n.Until.After(time.Now()) {
		bad.add("until", "Until: choose a time in the future.")
	}
	if err := bad.err(); err != nil {
		return err
	}
	var note *archive.Note
	if n.Text != "" || n.Emoji != "" {
		n.Until = n.Until.UTC()
		note = &n
	}
	u, err := o.store.UpdateUser(name, func(x *archive.User) error {
		x.Note = note
		return nil
	})
	if err != nil {
		return err
	}
	o.personChanged(u)
	return nil
}

// SetDND starts do-not-disturb until a time (a zero time ends it).
func (o *Office) SetDND(name string, until time.Time) error {
	now := time.Now()
	if !until.IsZero() && (!until.After(now) || until.Sub(now) > maxDND) {
		var bad Problems
		bad.add("until", "Do not disturb: until a time in the next 7 days.")
		return bad.err()
	}
	u, err := o.store.UpdateUser(name, func(x *archive.User) error {
		x.DNDUntil = until.UTC()
		if until.IsZero() {
			x.DNDUntil = time.Time{}
		}
		return nil
	})
	if err != nil {
		return err
	}
	o.personChanged(u)
	return nil
}

// SetHours sets (or with nil, clears) the person's working hours.
func (o *Office) SetHours(name string, h *archive.WorkHours) error {
	if h != nil {
		if _, err := hours.Parse(h.TZ, h.Days, h.Quiet); err != nil {
			var bad Problems
			bad.add("hours", "Working hours: "+err.Error())
			return bad.err()
		}
	}
	u, err := o.store.UpdateUser(name, func(x *archive.User) error {
		x.Hours = h
		return nil
	})
	if err != nil {
		return err
	}
	o.personChanged(u)
	return nil
}

// HideReceipts sets whether the person hides their read receipts (where
// the office lets them).
func (o *Office) HideReceipts(name string, hide bool) error {
	switch o.store.Settings().Receipts {
	case archive.ReceiptsOff:
		return &Forbidden{"The office has read receipts turned off."}
	case archive.ReceiptsAlways:
		if hide {
			return &Forbidden{"The office shows read receipts for everyone."}
		}
	}
	_, err := o.store.UpdateUser(name, func(x *archive.User) error {
		x.HideReceipts = hide
		return nil
	})
	return err
}

// personChanged tells everyone signed in.
func (o *Office) personChanged(u archive.User) {
	o.tell("", struct {
		Type string `json:"type"`
		User Person `json:"user"`
	}{"person", PersonAt(u, time.Now())})
}

// oneLine: no line breaks or other control characters.
func oneLine(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}
