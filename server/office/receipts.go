package office

import (
	"slices"

	"inhouse/server/archive"
)

// Read receipts (docs/people.md): built on the read position the server
// keeps for unread counts, shown as the office chooses.

// smallGroup is the largest direct conversation whose members all see each
// other's receipts; beyond it, and in channels, only authors are told.
const smallGroup = 8

// receiptsLatest bounds how many messages of a read's range name the
// authors to tell: a catch-up over thousands of messages tells the latest.
const receiptsLatest = 200

// showsReceipts says whether user's read receipts may be shown, by the
// office's setting and their own choice. One who hides theirs sees none
// of others' either.
func (m *Messages) showsReceipts(user string) bool {
	switch m.store.Settings().Receipts {
	case archive.ReceiptsOff:
		return false
	case archive.ReceiptsAlways:
		return true
	}
	u, err := m.store.User(user)
	return err == nil && !u.HideReceipts
}

// ReceiptsTo lists who is told that reader's read position in channel
// moved from before to now: every other member of a small direct
// conversation, else the authors of the messages read; nobody when the
// office has receipts off or reader hides theirs.
func (m *Messages) ReceiptsTo(reader, channel string, before, now uint64) []string {
	if now <= before || !m.showsReceipts(reader) {
		return nil
	}
	var to []string
	if m.store.SmallDirect(channel, smallGroup) {
		to = m.store.Members(channel)
	} else {
		from := before
		if now-from > receiptsLatest {
			from = now - receiptsLatest
		}
		msgs, _ := m.store.After(channel, from, int(now-from))
		for _, msg := range msgs {
			if msg.Seq <= now && msg.Kind == archive.KindMessage && !slices.Contains(to, msg.From) {
				to = append(to, msg.From)
			}
		}
	}
	return slices.DeleteFunc(to, func(u string) bool { return u == reader || !m.showsReceipts(u) })
}

// Seen lists the read positions of channel's other members that user may
// see (docs/people.md: GET /api/channels/{id}/seen).
func (o *Office) Seen(user, channel string) ([]archive.ReadAt, error) {
	m := o.Messages()
	if r := m.Member(user, channel); r != nil {
		return nil, archive.ErrNotFound
	}
	if o.store.Settings().Receipts == archive.ReceiptsOff {
		return nil, &Forbidden{"The office has read receipts turned off."}
	}
	out := []archive.ReadAt{}
	if !m.showsReceipts(user) {
		return out, nil
	}
	for _, r := range o.store.ReadPositions(channel) {
		if r.User != user && r.Seq > 0 && m.showsReceipts(r.User) {
			out = append(out, r)
		}
	}
	return out, nil
}

// MayAnnounce says whether user may ask for confirmation: office managers
// and the people the office names (docs/people.md).
func (m *Messages) MayAnnounce(user string) bool {
	u, err := m.store.User(user)
	if err != nil || u.Disabled {
		return false
	}
	return u.Role == archive.RoleAdmin || slices.Contains(m.store.Settings().Announcers, user)
}
