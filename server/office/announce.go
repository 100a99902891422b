package office

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"inhouse/server/archive"
)

// Announcements that ask their readers to confirm (docs/people.md): a
// message with Confirm set; each member but its author confirms it once,
// and the confirmations are kept in the archive like the policy ledger.

// NewAnnouncement is an announcement posted from the console.
type NewAnnouncement struct {
	Text     string
	Everyone bool     // the office's welcome channel
	Channels []string // channel ids
}

// AnnouncementSummary is one announcement with how far it got.
type AnnouncementSummary struct {
	Channel, ChannelName string
	Seq                  uint64
	From                 string // user name
	Text                 string
	At                   time.Time
	Confirmed, Total     int
	Reminded             time.Time // the last reminder; zero if none
}

// Confirmation is one person's confirmation (At zero: not yet).
type Confirmation struct {
	User, Display string
	At            time.Time
}

// AnnouncementDetail is who confirmed an announcement and who has not.
type AnnouncementDetail struct {
	AnnouncementSummary
	Done    []Confirmation // oldest first
	Pending []Confirmation // by display name
}

// MayAnnounce says whether user may ask for confirmation.
func (o *Office) MayAnnounce(user string) bool { return o.Messages().MayAnnounce(user) }

// Announce posts an announcement to each channel it names.
func (o *Office) Announce(a Actor, n NewAnnouncement) ([]archive.Message, error) {
	if !o.MayAnnounce(a.Name) {
		return nil, &Forbidden{"Only the office manager and the people the office names may ask for confirmation."}
	}
	n.Text = strings.TrimSpace(n.Text)
	ids := slices.Clone(n.Channels)
	if n.Everyone {
		w := o.store.Settings().Welcome
		if w == "" {
			var bad Problems
			bad.add("channels", "The office has no welcome channel everyone joins: choose channels.")
			return nil, bad.err()
		}
		ids = append(ids, w)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var bad Problems
	if n.Text == "" {
		bad.add("text", "Write the announcement.")
	} else if max := o.store.Settings().MaxText; len(n.Text) > max {
		bad.add("text", "The announcement is longer than the office's limit for a message.")
	}
	if len(ids) == 0 {
		bad.add("channels", "Choose everyone or at least one channel.")
	}
	for _, id := range ids {
		c, err := o.store.Channel(id)
		if err != nil || c.Archived {
			bad.add("channels", "A channel chosen no longer takes messages.")
			break
		}
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	if o.live == nil {
		return nil, errors.New("announcements need the running server")
	}
	var out []archive.Message
	msgs := o.Messages()
	for _, id := range ids {
		// The office's content rules see an announcement like any message.
		masked, verdict, refused := msgs.Screen(a.Name, id, n.Text)
		if refused != nil {
			var bad Problems
			bad.add("text", refused.Message)
			return out, bad.err()
		}
		m, err := o.live.Post(archive.Post{Channel: id, From: a.Name, ClientID: announceID(),
			Text: n.Text, Masked: masked, Confirm: true})
		if err != nil {
			return out, err
		}
		if verdict != nil {
			msgs.Flagged(m, verdict)
		}
		out = append(out, m)
		c, _ := o.store.Channel(id)
		o.audit(a, "announce", "#"+c.Name, FirstLine(n.Text))
	}
	return out, nil
}

// mustConfirm lists who must confirm m: the channel's members but its
// author, as they are now.
func (o *Office) mustConfirm(m archive.Message) []string {
	var out []string
	for _, u := range o.store.Members(m.Channel) {
		if u != m.From {
			out = append(out, u)
		}
	}
	return out
}

// asking is the announcement at channel, seq if it is one and still shown.
func (o *Office) asking(channel string, seq uint64) (archive.Message, bool) {
	m, err := o.store.Message(channel, seq)
	if err != nil || !m.Confirm || m.Deleted {
		return m, false
	}
	return m, true
}

// Announcements lists every announcement, newest first.
func (o *Office) Announcements() []AnnouncementSummary {
	var out []AnnouncementSummary
	refs := o.store.Announcements()
	for i := len(refs) - 1; i >= 0; i-- {
		if m, ok := o.asking(refs[i].Channel, refs[i].Seq); ok {
			out = append(out, o.summary(m))
		}
	}
	return out
}

func (o *Office) summary(m archive.Message) AnnouncementSummary {
	c, _ := o.store.Channel(m.Channel)
	must := o.mustConfirm(m)
	done := o.store.Confirmations(m.Channel, m.Seq)
	n := 0
	for _, u := range must {
		if _, ok := done[u]; ok {
			n++
		}
	}
	return AnnouncementSummary{Channel: m.Channel, ChannelName: c.Name, Seq: m.Seq, From: m.From, Text: m.Text,
		At: m.Time(), Confirmed: n, Total: len(must), Reminded: o.store.LastReminder(m.Channel, m.Seq)}
}

// Announcement is one announcement's confirmations.
func (o *Office) Announcement(channel string, seq uint64) (AnnouncementDetail, error) {
	m, ok := o.asking(channel, seq)
	if !ok {
		return AnnouncementDetail{}, archive.ErrNotFound
	}
	d := AnnouncementDetail{AnnouncementSummary: o.summary(m)}
	done := o.store.Confirmations(channel, seq)
	for _, u := range o.mustConfirm(m) {
		c := Confirmation{User: u, Display: u, At: done[u]}
		if p, err := o.store.User(u); err == nil {
			c.Display = p.Display
		}
		if c.At.IsZero() {
			d.Pending = append(d.Pending, c)
		} else {
			d.Done = append(d.Done, c)
		}
	}
	slices.SortFunc(d.Done, func(a, b Confirmation) int { return a.At.Compare(b.At) })
	slices.SortFunc(d.Pending, func(a, b Confirmation) int { return cmp.Compare(a.Display, b.Display) })
	return d, nil
}

// Remind tells those who have not confirmed an announcement again; it
// returns how many people it reached (had a tab open).
func (o *Office) Remind(a Actor, channel string, seq uint64) (int, error) {
	d, err := o.Announcement(channel, seq)
	if err != nil {
		return 0, err
	}
	if _, err := o.store.Reminded(channel, seq); err != nil {
		return 0, err
	}
	frame := announceFrame{Type: "remind", Channel: channel, Seq: seq}
	for _, p := range d.Pending {
		o.tell(p.User, frame)
	}
	o.audit(a, "remind", "#"+d.ChannelName, FirstLine(d.Text)+" ("+strconv.Itoa(len(d.Pending))+" not confirmed)")
	return len(d.Pending), nil
}

// Pending is the announcements user has not confirmed, oldest first.
func (o *Office) Pending(user string) []archive.Message {
	var out []archive.Message
	for _, r := range o.store.Announcements() {
		if _, member := o.store.Membership(r.Channel, user); !member {
			continue
		}
		m, ok := o.asking(r.Channel, r.Seq)
		if !ok || m.From == user {
			continue
		}
		if _, done := o.store.Confirmations(r.Channel, r.Seq)[user]; !done {
			out = append(out, m)
		}
	}
	return out
}

// Confirm records that user read the announcement; again, it answers the
// first time. Not an announcement asking user: archive.ErrNotFound.
func (o *Office) Confirm(user, channel string, seq uint64) (time.Time, error) {
	m, ok := o.asking(channel, seq)
	if _, member := o.store.Membership(channel, user); !ok || !member || m.From == user {
		return time.Time{}, archive.ErrNotFound
	}
	at, err := o.store.Confirm(channel, seq, user)
	if err != nil {
		return at, err
	}
	o.tell(user, announceFrame{Type: "confirmed", Channel: channel, Seq: seq, TS: at.Format(time.RFC3339Nano)})
	return at, nil
}

// FirstLine is the start of a text for a table or the audit log: its
// first line that says something, at most 80 characters.
func FirstLine(text string) string {
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) > 80 {
			r := []rune(line)
			line = strings.TrimSpace(string(r[:79])) + "…"
		}
		return line
	}
	return "(no text)"
}

// announceID is the client id of an announcement the console posts: unique,
// so that two alike are two messages.
func announceID() string {
	var b [9]byte
	rand.Read(b[:])
	return "announce-" + base64.RawURLEncoding.EncodeToString(b[:])
}

// announceFrame is the confirmed and remind frames, type first as every
// frame.
type announceFrame struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	Seq     uint64 `json:"seq"`
	TS      string `json:"ts,omitempty"`
}
