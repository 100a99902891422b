package office

import (
	"fmt"
	"log/slog"
	"strings"

	"inhouse/server/archive"
	"inhouse/server/rules"
)

// Refusal is why a message, an edit or a delete is not taken: one of the
// contract's error-frame codes and a sentence for the person.
type Refusal struct {
	Code, Message string
}

func (r *Refusal) Error() string { return r.Message }

// The contract's error codes a refusal carries (CONTRACT.md, error frames).
const (
	RefusedForbidden = "forbidden"
	RefusedNotFound  = "not_found"
	RefusedTooLarge  = "too_large"
	RefusedBlocked   = "blocked"
	RefusedPolicy    = "policy_required"
)

// The fixed refusals, made once: the chat engine asks on every frame.
var (
	noSuchChannel  = &Refusal{RefusedNotFound, "There is no such channel."}
	notAMember     = &Refusal{RefusedForbidden, "You are not a member of this channel."}
	archivedRoom   = &Refusal{RefusedForbidden, "This channel is archived: it can be read but takes no new messages."}
	announceRoom   = &Refusal{RefusedForbidden, "This is an announcement channel: only the office manager can post here."}
	policyRequired = &Refusal{RefusedPolicy, "Accept the office's usage policy before sending."}
)

// Messages is the office's rules for what a person may read and post
// where: membership, the channel's settings, the accepted policy, the
// size limit and the content rules. The chat engine (the one door that
// posts) asks it before storing anything; the archive itself checks that
// an edit or delete names the person's own message.
type Messages struct {
	store *archive.Store
	log   *slog.Logger
	emoji map[string]bool
}

// Messages returns the message rules.
func (o *Office) Messages() *Messages { return &Messages{store: o.store, log: o.log, emoji: o.emoji} }

// Member refuses a person who may not read channel.
func (m *Messages) Member(user, channel string) *Refusal {
	exists, member := m.store.Membership(channel, user)
	switch {
	case !exists:
		return noSuchChannel
	case !member:
		return notAMember
	}
	return nil
}

// MayPost refuses a message, edit or delete (text nil) the person may not
// post: a text over the office's limit, a channel they are not in, an
// archived channel, an announcement channel when they are not the office
// manager, or a policy they have not accepted.
func (m *Messages) MayPost(user, channel string, text *string) *Refusal {
	if max := m.store.Settings().MaxText; text != nil && len(*text) > max {
		return &Refusal{RefusedTooLarge, fmt.Sprintf("The message is longer than the office's limit of %d bytes.", max)}
	}
	if r := m.Member(user, channel); r != nil {
		return r
	}
	if archived, announce, _ := m.store.SendRule(channel); archived {
		return archivedRoom
	} else if announce && !m.isAdmin(user) {
		return announceRoom
	}
	if m.store.Accepted(user).Version != m.store.Policy().Version {
		return policyRequired
	}
	if text != nil && m.store.Settings().MentionAllBy == archive.AdminsOnly && mentionsAll(*text) && !m.isAdmin(user) {
		return &Refusal{RefusedForbidden, "Only the office manager may notify everyone with @here or @channel."}
	}
	return nil
}

func (m *Messages) isAdmin(user string) bool {
	u, err := m.store.User(user)
	return err == nil && u.Role == archive.RoleAdmin
}

// Screen runs the office's content rules over user's text about to be
// stored in channel: block refuses it (only a masked excerpt reaches the
// review queue), mask gives a masked copy for members to store beside the
// original, and flag lets it through. It returns the text for members and
// the verdict to hand to Flagged once the message is stored (nil when
// nothing matched). Strings in, strings out: the caller's post stays on
// its stack (every message comes this way).
func (m *Messages) Screen(user, channel, text string) (string, *rules.Result, *Refusal) {
	res := m.store.RuleEngine().Check(text)
	switch res.Action {
	case rules.ActionBlock:
		flag := archive.Flag{Channel: channel, User: user, RuleIDs: res.RuleIDs(), Action: res.Action,
			Excerpt: rules.Excerpt(text, res.Hits, archive.MaxFlagExcerpt)}
		if err := m.store.AddFlag(flag); err != nil {
			m.log.Error("flag queue", "err", err)
		}
		return "", nil, &Refusal{RefusedBlocked, "This message was not sent: it matches the office's rule against sharing " + ruleNames(res) + "."}
	case rules.ActionAllow:
		return text, nil, nil
	}
	verdict := res // a copy, so res stays off the heap on the common path
	return res.Masked, &verdict, nil
}

// Flagged puts a stored message a flag or mask rule matched on the review
// queue. It waits for the queue's write; the engine calls it off its
// delivery path.
func (m *Messages) Flagged(msg archive.Message, v *rules.Result) {
	f := archive.Flag{Channel: msg.Channel, Seq: msg.Seq, User: msg.From, RuleIDs: v.RuleIDs(), Action: v.Action,
		Excerpt: rules.Excerpt(msg.Text, v.Hits, archive.MaxFlagExcerpt)}
	if err := m.store.AddFlag(f); err != nil {
		m.log.Error("flag queue", "channel", msg.Channel, "seq", msg.Seq, "err", err)
	}
}

// ruleNames lists the rules that matched, each once, for the sender.
func ruleNames(res rules.Result) string {
	seen := map[string]bool{}
	var names []string
	for _, h := range res.Hits {
		if !seen[h.Name] {
			seen[h.Name] = true
			names = append(names, h.Name)
		}
	}
	return strings.Join(names, ", ")
}
