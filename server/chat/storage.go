package chat

import (
	"inhouse/server/archive"
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
	MarkRead(channel, user string, seq uint64) (uint64, error)

	Channels(keep func(*archive.Channel) bool) []archive.Channel
	ChannelsOf(user string) []string
	Membership(channel, user string) (exists, member bool)
	SendRule(channel string) (archived, announce, ok bool)
	DirectPartners(user string) []string
	User(name string) (archive.User, error)

	Policy() archive.Policy
	Accepted(user string) archive.Acceptance
	Settings() archive.Settings
	RuleEngine() *rules.Engine
	AddFlag(f archive.Flag) error
}

var _ Storage = (*archive.Store)(nil)
