package office

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"inhouse/server/archive"
)

// The rules of talking around messages (docs/conversation.md): reactions,
// pins, replies, the office's editing window and who may notify everyone.

// UseEmoji sets the emoji people may react with (the client's embedded
// list, assets/web/emoji.json).
func (o *Office) UseEmoji(list []string) {
	set := make(map[string]bool, len(list))
	for _, e := range list {
		set[e] = true
	}
	o.emoji = set
}

// mayTouch refuses a reaction or pin where the person may not act at all:
// a channel they cannot read, an archived one, a policy not accepted.
func (m *Messages) mayTouch(user, channel string) *Refusal {
	if r := m.Member(user, channel); r != nil {
		return r
	}
	if archived, _, _ := m.store.SendRule(channel); archived {
		return archivedRoom
	}
	if m.store.Accepted(user).Version != m.store.Policy().Version {
		return policyRequired
	}
	return nil
}

// MayReact refuses a reaction the person may not add or take back, and
// says when it would change nothing (acknowledged, not stored).
func (m *Messages) MayReact(user, channel string, seq uint64, emoji string, remove bool) (noop bool, r *Refusal) {
	if r := m.mayTouch(user, channel); r != nil {
		return false, r
	}
	if !m.emoji[emoji] {
		return false, &Refusal{RefusedBadRequest, "That is not an emoji Inhouse knows."}
	}
	if r := m.visible(channel, seq); r != nil {
		return false, r
	}
	return m.store.Reacted(channel, seq, user, emoji) != remove, nil
}

// MayPin refuses a pin or unpin: members may pin in their channels, only
// the office manager in announcement channels. It says when the pin would
// change nothing.
func (m *Messages) MayPin(user, channel string, seq uint64, remove bool) (noop bool, r *Refusal) {
	if r := m.mayTouch(user, channel); r != nil {
		return false, r
	}
	if _, announce, _ := m.store.SendRule(channel); announce && !m.isAdmin(user) {
		return false, &Refusal{RefusedForbidden, "Only the office manager pins messages in an announcement channel."}
	}
	if r := m.visible(channel, seq); r != nil {
		return false, r
	}
	return slices.Contains(m.store.Pins(channel), seq) != remove, nil
}

// visible refuses a target that is not a message members can see.
func (m *Messages) visible(channel string, seq uint64) *Refusal {
	msg, err := m.store.Message(channel, seq)
	if err != nil || msg.Kind != archive.KindMessage || msg.Deleted {
		return &Refusal{RefusedNotFound, "There is no such message."}
	}
	return nil
}

// MayChange refuses an edit or delete outside the office's window.
func (m *Messages) MayChange(user, channel string, seq uint64) *Refusal {
	window := m.store.Settings().EditWindow
	switch {
	case window == 0:
		return nil
	case window < 0:
		return &Refusal{RefusedForbidden, "The office does not allow changing messages once sent."}
	}
	msg, err := m.store.RawMessage(channel, seq)
	if err != nil {
		return nil // the store says what is wrong with the target
	}
	if time.Since(msg.Time()) > time.Duration(window)*time.Minute {
		return &Refusal{RefusedForbidden, fmt.Sprintf("The office does not allow changing a message after %s.", plural(window, "minute"))}
	}
	return nil
}

// mentionsAll reports whether a text uses @here or @channel.
func mentionsAll(text string) bool {
	for _, name := range archive.Mentions(text) {
		if name == "here" || name == "channel" {
			return true
		}
	}
	return false
}

// OpenGroup opens the direct conversation of the actor and others (one to
// seven people): the same people always get the same conversation.
func (o *Office) OpenGroup(a Actor, others []string) (archive.Channel, error) {
	if len(others) == 1 {
		return o.OpenDirect(a, others[0])
	}
	partners := o.store.DirectPartners(a.Name)
	for _, name := range others {
		u, err := o.store.User(name)
		if err != nil || u.Disabled {
			return archive.Channel{}, archive.ErrNotFound
		}
		if a.Role != archive.RoleAdmin && o.store.Settings().AdminsOnlyDirect() && !slices.Contains(partners, name) {
			return archive.Channel{}, &Forbidden{"In this office only the office manager starts direct messages. Use a channel instead."}
		}
	}
	c, created, err := o.store.DirectGroup(a.Name, others)
	if err == nil && created {
		o.changed(c, nil)
	}
	return c, err
}

// LeaveChannel takes the actor out of a public or private channel (a
// direct conversation cannot be left: its people are what it is).
func (o *Office) LeaveChannel(a Actor, id string) error {
	c, err := o.store.Channel(id)
	if err != nil || !c.Has(a.Name) {
		return archive.ErrNotFound
	}
	if c.Kind == archive.KindDirect {
		return fieldErr("channel", "A direct conversation cannot be left. Mute it instead.")
	}
	c, err = o.store.ChangeMembers(id, nil, []string{a.Name}, a.Name)
	if err != nil {
		return err
	}
	o.changed(c, []string{a.Name})
	return nil
}

// AddToChannel lets a member add people to a public or private channel,
// where the office lets them create channels (the same trust).
func (o *Office) AddToChannel(a Actor, id string, add []string) (archive.Channel, error) {
	c, err := o.store.Channel(id)
	if err != nil || !c.Has(a.Name) {
		return c, archive.ErrNotFound
	}
	if c.Kind == archive.KindDirect {
		return c, fieldErr("member", "People cannot be added to a direct conversation: start one with everyone instead.")
	}
	if a.Role != archive.RoleAdmin && o.store.Settings().AdminsOnlyChannels() {
		return c, &Forbidden{"In this office only the office manager adds people to channels."}
	}
	if c.Archived {
		return c, &Forbidden{"This channel is archived."}
	}
	return o.ChangeMembers(a, id, add, nil)
}

// SetTopic sets a channel's topic and description: its members may, or
// only the office manager in an announcement channel.
func (o *Office) SetTopic(a Actor, id, topic, description string) (archive.Channel, error) {
	c, err := o.store.Channel(id)
	if err != nil || !c.Has(a.Name) {
		return c, archive.ErrNotFound
	}
	var bad Problems
	topic, description = strings.TrimSpace(topic), strings.TrimSpace(description)
	if len(topic) > archive.MaxTopic || strings.ContainsAny(topic, "\r\n") {
		bad.add("topic", fmt.Sprintf("One line of at most %d bytes.", archive.MaxTopic))
	}
	if len(description) > archive.MaxDescription {
		bad.add("description", fmt.Sprintf("At most %d bytes.", archive.MaxDescription))
	}
	if err := bad.err(); err != nil {
		return c, err
	}
	switch {
	case c.Kind == archive.KindDirect:
		return c, fieldErr("topic", "A direct conversation has no topic.")
	case c.Announce && a.Role != archive.RoleAdmin:
		return c, &Forbidden{"Only the office manager sets the topic of an announcement channel."}
	case c.Archived:
		return c, &Forbidden{"This channel is archived."}
	}
	if c.Topic == topic && c.Description == description {
		return c, nil
	}
	c, err = o.store.UpdateChannel(id, func(ch *archive.Channel) error {
		ch.Topic, ch.Description = topic, description
		return nil
	})
	if err != nil {
		return c, err
	}
	o.changed(c, nil)
	o.audit(a, "channel.topic", id, "#"+c.Name+": topic “"+topic+"”.")
	return c, nil
}

// SetChannelPrefs sets how a channel notifies the actor.
func (o *Office) SetChannelPrefs(a Actor, id string, p archive.ChannelPrefs) error {
	if r := o.Messages().Member(a.Name, id); r != nil {
		return archive.ErrNotFound
	}
	if p.Notify == "" {
		p.Notify = archive.NotifyAll
	}
	return o.store.SetPrefs(id, a.Name, p)
}

// SaveMessage keeps a message the actor can see in their Saved list, or
// takes it out.
func (o *Office) SaveMessage(a Actor, channel string, seq uint64, save bool) error {
	if !save {
		return o.store.Unsave(a.Name, channel, seq)
	}
	m := o.Messages()
	if r := m.Member(a.Name, channel); r != nil {
		return archive.ErrNotFound
	}
	if r := m.visible(channel, seq); r != nil {
		return archive.ErrNotFound
	}
	return o.store.Save(a.Name, channel, seq)
}

// SavedMessages are the actor's saved messages as they see them now,
// newest saved first; those of channels they left drop out.
func (o *Office) SavedMessages(a Actor) []archive.Message {
	var out []archive.Message
	m := o.Messages()
	for _, ref := range o.store.Saved(a.Name) {
		if m.Member(a.Name, ref.Channel) != nil {
			continue
		}
		if msg, err := o.store.Message(ref.Channel, ref.Seq); err == nil && !msg.Deleted {
			out = append(out, msg)
		}
	}
	return out
}

// PinnedMessages are a channel's pinned messages, newest pin first, for
// one of its members.
func (o *Office) PinnedMessages(a Actor, channel string) ([]archive.Message, error) {
	if r := o.Messages().Member(a.Name, channel); r != nil {
		return nil, archive.ErrNotFound
	}
	var out []archive.Message
	for _, seq := range o.store.Pins(channel) {
		if msg, err := o.store.Message(channel, seq); err == nil && !msg.Deleted {
			out = append(out, msg)
		}
	}
	return out, nil
}

// FollowedThread is a thread the actor follows, with its root message.
type FollowedThread struct {
	archive.FollowedThread
	Message archive.Message
}

// FollowedThreads lists the threads the actor follows in their channels,
// unread first, then newest.
func (o *Office) FollowedThreads(a Actor) []FollowedThread {
	var out []FollowedThread
	for _, t := range o.store.Threads(a.Name, o.store.ChannelsOf(a.Name)) {
		if msg, err := o.store.Message(t.Channel, t.Root); err == nil {
			out = append(out, FollowedThread{t, msg})
		}
	}
	return out
}
