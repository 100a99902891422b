package office

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"inhouse/server/archive"
)

// Forbidden is a use case the office's settings or the person's role do
// not allow, in a sentence for people (the API answers 403).
type Forbidden struct{ Message string }

func (e *Forbidden) Error() string { return e.Message }

const (
	msgChannelName  = "Use up to 40 letters, digits, dashes or underscores, e.g. front-desk."
	msgChannelTaken = "A channel with this name exists already."
	msgKind         = "Choose public or private."
	msgTooMany      = "Too many people at once."
	maxAtOnce       = 10000
)

// NewChannel is a group channel someone creates.
type NewChannel struct {
	Name     string
	Private  bool
	Announce bool     // only managers post
	Members  []string // besides the creator, when they join it
	// Join: the creator becomes a member. People creating a channel in
	// the chat join it; a manager setting one up in the console for others
	// need not.
	Join bool
}

// CreateChannel makes a public or private channel and tells the chat
// engine, so its members see it at once.
func (o *Office) CreateChannel(a Actor, n NewChannel) (archive.Channel, error) {
	if a.Role != archive.RoleAdmin && o.store.Settings().AdminsOnlyChannels() {
		return archive.Channel{}, &Forbidden{"In this office only the office manager creates channels. Ask them for one."}
	}
	var bad Problems
	if strings.TrimSpace(n.Name) == "" {
		bad.add("name", "Enter a name, e.g. invoices.")
	} else if _, err := archive.NormalizeChannelName(n.Name); err != nil {
		bad.add("name", msgChannelName)
	}
	if len(n.Members) > maxAtOnce {
		bad.add("member", msgTooMany)
	}
	if err := bad.err(); err != nil {
		return archive.Channel{}, err
	}
	members := slices.Clone(n.Members)
	if n.Join {
		members = append(members, a.Name)
	}
	c, err := o.store.CreateGroupChannel(archive.NewChannel{Name: n.Name, Private: n.Private, Announce: n.Announce, Creator: a.Name, Members: members})
	if errors.Is(err, archive.ErrExists) {
		return c, takenError{fieldErr("name", msgChannelTaken)}
	}
	if err != nil {
		return c, err
	}
	o.changed(c, nil)
	if a.Role == archive.RoleAdmin {
		o.audit(a, "channel.create", c.ID, "Created "+describeChannel(c)+" with "+plural(len(c.Members), "member")+".")
	}
	return c, nil
}

// JoinChannel adds a person to a public channel they chose. Private and
// direct channels answer like missing ones: nobody probes for them.
func (o *Office) JoinChannel(a Actor, id string) (archive.Channel, error) {
	c, err := o.store.Channel(id)
	if err != nil || c.Kind != archive.KindPublic {
		return c, archive.ErrNotFound
	}
	if c.Has(a.Name) {
		return c, nil
	}
	if c, err = o.store.ChangeMembers(id, []string{a.Name}, nil, a.Name); err != nil {
		return c, err
	}
	o.changed(c, nil)
	return c, nil
}

// ChangeMembers adds and removes members of a group channel; the removed
// stop hearing it at once. A manager cannot add themselves to a private
// channel (archive.ErrSelfAddPrivate).
func (o *Office) ChangeMembers(a Actor, id string, add, remove []string) (archive.Channel, error) {
	if len(add)+len(remove) > maxAtOnce {
		return archive.Channel{}, fieldErr("member", msgTooMany)
	}
	before, err := o.store.Channel(id)
	if err != nil {
		return before, err
	}
	c, err := o.store.ChangeMembers(id, add, remove, a.Name)
	if err != nil {
		return c, err
	}
	o.changed(c, remove)
	var what []string
	if len(add) > 0 {
		what = append(what, "added "+strings.Join(o.DisplayNames(add), ", "))
	}
	if len(remove) > 0 {
		what = append(what, "removed "+strings.Join(o.DisplayNames(remove), ", "))
	}
	o.audit(a, "channel.members", id, sentenceCase("#"+before.Name+": "+strings.Join(what, "; ")+"."))
	return c, nil
}

// EditChannel changes a group channel's name, kind and announcement flag.
// It returns what changed, in words ("" if nothing).
func (o *Office) EditChannel(a Actor, id, name, kind string, announce bool) (string, error) {
	var bad Problems
	if _, err := archive.NormalizeChannelName(name); err != nil {
		bad.add("name", msgChannelName)
	}
	if kind != archive.KindPublic && kind != archive.KindPrivate {
		bad.add("kind", msgKind)
	}
	if err := bad.err(); err != nil {
		return "", err
	}
	before, err := o.store.Channel(id)
	if err != nil {
		return "", err
	}
	c, err := o.store.UpdateChannel(id, func(x *archive.Channel) error {
		x.Name, x.Kind, x.Announce = name, kind, announce
		return nil
	})
	if errors.Is(err, archive.ErrExists) {
		return "", takenError{fieldErr("name", "Another channel has this name.")}
	}
	if err != nil {
		return "", err
	}
	var what []string
	if c.Name != before.Name {
		what = append(what, "renamed #"+before.Name+" to #"+c.Name)
	}
	if c.Kind != before.Kind {
		what = append(what, "made #"+c.Name+" "+c.Kind)
	}
	if c.Announce != before.Announce {
		if c.Announce {
			what = append(what, "made #"+c.Name+" an announcement channel")
		} else {
			what = append(what, "let everyone in #"+c.Name+" post")
		}
	}
	if len(what) == 0 {
		return "", nil
	}
	changed := strings.Join(what, ", ")
	o.changed(c, nil)
	o.audit(a, "channel.edit", id, sentenceCase(changed)+".")
	return changed, nil
}

// ArchiveChannel stops a channel taking messages (its members still read
// it), or brings it back.
func (o *Office) ArchiveChannel(a Actor, id string, archived bool) (archive.Channel, error) {
	c, err := o.store.UpdateChannel(id, func(x *archive.Channel) error { x.Archived = archived; return nil })
	if err != nil {
		return c, err
	}
	o.changed(c, nil)
	if archived {
		o.audit(a, "channel.archive", id, "Archived #"+c.Name+".")
	} else {
		o.audit(a, "channel.unarchive", id, "Brought #"+c.Name+" back from the archive.")
	}
	return c, nil
}

// OpenDirect returns the direct conversation between a person and another,
// the same one every time, made on first use.
func (o *Office) OpenDirect(a Actor, other string) (archive.Channel, error) {
	u, err := o.store.User(other)
	if err != nil || u.Disabled {
		return archive.Channel{}, archive.ErrNotFound
	}
	if a.Role != archive.RoleAdmin && o.store.Settings().AdminsOnlyDirect() && !slices.Contains(o.store.DirectPartners(a.Name), u.Name) {
		return archive.Channel{}, &Forbidden{"In this office only the office manager starts direct messages. Use a channel instead."}
	}
	c, created, err := o.store.DirectChannel(a.Name, u.Name)
	if err == nil && created {
		o.changed(c, nil)
	}
	return c, err
}

// changed tells the chat engine, when a server runs.
func (o *Office) changed(c archive.Channel, removed []string) {
	if o.live != nil {
		o.live.ChannelChanged(c, removed)
	}
}

// DisplayNames are the names people see for user names (a name no one has
// stays as it is).
func (o *Office) DisplayNames(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if u, err := o.store.User(n); err == nil {
			out = append(out, u.Display)
		} else {
			out = append(out, n)
		}
	}
	return out
}

func describeChannel(c archive.Channel) string {
	s := "the " + c.Kind + " channel #" + c.Name
	if c.Announce {
		s += " (announcements)"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// sentenceCase capitalises the first letter.
func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
