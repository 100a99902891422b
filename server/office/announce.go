package office

import (
	"errors"
	"time"

	"inhouse/server/archive"
)

// NewAnnouncement is a message that asks its readers to confirm they read
// it (docs/people.md), posted from the console.
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

var errNotYet = errors.New("not built yet")

// Announce posts an announcement to each channel it names.
func (o *Office) Announce(a Actor, n NewAnnouncement) ([]archive.Message, error) {
	return nil, errNotYet
}

// Announcements lists every announcement, newest first.
func (o *Office) Announcements() []AnnouncementSummary { return nil }

// Announcement is one announcement's confirmations.
func (o *Office) Announcement(channel string, seq uint64) (AnnouncementDetail, error) {
	return AnnouncementDetail{}, errNotYet
}

// Remind tells those who have not confirmed an announcement again; it
// returns how many people it reached.
func (o *Office) Remind(a Actor, channel string, seq uint64) (int, error) {
	return 0, errNotYet
}
