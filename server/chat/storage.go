package chat

import (
	"inhouse/server/archive"
	"inhouse/server/office"
	"inhouse/server/rules"
)

// Storage is what the engine needs of the archive: *archive.Store, or an
// in-memory fake in the engine's tests.
type Storage interface {
	// Append stores a message, edit or delete durably and then calls done,
	// in commit order, from one goroutine (so done hands over and returns).
	Append(p archive.Post, done func(m archive.Message, dup bool, err error))
	// After and Before read a channel's messages as members see them,
	// oldest first.
	After(channel string, after uint64, limit int) ([]archive.Message, error)
	Before(channel string, before uint64, limit int) ([]archive.Message, error)
	LastSeq(channel string) uint64
	ReadSeq(channel, user string) uint64
	Unread(channel string, read, last uint64) uint64
	MarkRead(channel, user string, seq uint64) (uint64, error)
	MarkThreadRead(channel string, root uint64, user string, seq uint64) error

	Channels(keep func(*archive.Channel) bool) []archive.Channel
	ChannelsOf(user string) []string
	DirectPartners(user string) []string
	Prefs(channel, user string) archive.ChannelPrefs
}

// Posting is the office's rules for what a person may read and post
// (office.Messages): each answers nil or the refusal to send back.
type Posting interface {
	Member(user, channel string) *office.Refusal
	MayPost(user, channel string, text *string) *office.Refusal
	// Screen runs the content rules over a text: it returns the text for
	// members (masked, or as it is) and the verdict to hand to Flagged once
	// the message is stored.
	Screen(user, channel, text string) (string, *rules.Result, *office.Refusal)
	Flagged(m archive.Message, v *rules.Result)
	// Attach resolves the uploads a send names into the message's files.
	Attach(user, channel string, ids []string) ([]archive.File, *office.Refusal)
	// MayChange applies the office's window for edits and deletes.
	MayChange(user, channel string, seq uint64) *office.Refusal
	// MayReact and MayPin also say when the record would change nothing.
	MayReact(user, channel string, seq uint64, emoji string, remove bool) (noop bool, r *office.Refusal)
	MayPin(user, channel string, seq uint64, remove bool) (noop bool, r *office.Refusal)
	// MayAnnounce: may user ask readers to confirm (docs/people.md).
	MayAnnounce(user string) bool
	// ReceiptsTo lists who is told that reader's read position moved.
	ReceiptsTo(reader, channel string, before, now uint64) []string
}

var _ Posting = (*office.Messages)(nil)

var _ Storage = (*archive.Store)(nil)
