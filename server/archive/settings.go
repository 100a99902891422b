package archive

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tidwall/buntdb"

	"inhouse/server/filekind"
)

// Settings are the office's choices made in the console.
type Settings struct {
	OfficeName string `json:"office_name"`
	MaxText    int    `json:"max_text"` // longest message, in bytes

	// Set in the console; see admin_settings.go.
	Allow      []string `json:"allow,omitempty"`       // client networks; empty: the serve flag's
	ChannelsBy string   `json:"channels_by,omitempty"` // who creates channels: "" (everyone) or "admins"
	DirectBy   string   `json:"direct_by,omitempty"`   // who starts direct messages: "" or "admins"

	// Welcome is the channel everyone joins when added (the #general made
	// at first run); "" for none.
	Welcome string `json:"welcome,omitempty"`

	// Files. Zero values are the defaults, so settings saved before files
	// existed keep working.
	MaxFileMB    int      `json:"max_file_mb,omitempty"`    // largest file in MB (0: DefaultMaxFileMB)
	FilesSpaceGB int      `json:"files_space_gb,omitempty"` // space for all files in GB (0: the disk's)
	FilesBy      string   `json:"files_by,omitempty"`       // who shares files: "" (everyone) or FilesNotInAnnounce
	BlockedKinds []string `json:"blocked_kinds"`            // kinds never allowed (nil: DefaultBlockedKinds; [] none)

	// Talking (docs/conversation.md).
	EditWindow     int    `json:"edit_window,omitempty"`     // minutes one may edit or delete one's message: 0 always, -1 never
	MentionAllBy   string `json:"mention_all_by,omitempty"`  // who may use @here and @channel: "" (everyone) or AdminsOnly
	MentionConfirm int    `json:"mention_confirm,omitempty"` // ask before notifying more than this many (0: DefaultMentionConfirm)

	// People (docs/people.md).
	ProfilesBy string   `json:"profiles_by,omitempty"` // who changes titles, phones and pictures: "" (each their own) or AdminsOnly
	Receipts   string   `json:"receipts,omitempty"`    // read receipts: "" (on, each may hide theirs), ReceiptsOff or ReceiptsAlways
	Announcers []string `json:"announcers,omitempty"`  // who besides office managers may ask for confirmation
}

// Read receipts' settings.
const (
	ReceiptsOn     = "" // the default
	ReceiptsOff    = "off"
	ReceiptsAlways = "always"
)

// DefaultMentionConfirm is how many people @channel notifies before the
// client asks.
const DefaultMentionConfirm = 20

// MaxEditWindow is the longest editing window in minutes (a week).
const MaxEditWindow = 7 * 24 * 60

// ConfirmAbove is how many people @here or @channel may notify before the
// client asks.
func (st Settings) ConfirmAbove() int {
	if st.MentionConfirm <= 0 {
		return DefaultMentionConfirm
	}
	return st.MentionConfirm
}

// DefaultSettings are in force until the office changes them.
var DefaultSettings = Settings{OfficeName: "Inhouse", MaxText: 8000}

// File settings' defaults and bounds.
const (
	DefaultMaxFileMB   = 100
	MaxFileMBLimit     = 10 << 10 // 10 GB: beyond it, use a file server
	FilesNotInAnnounce = "not_announce"
)

// DefaultBlockedKinds are the kinds of file never allowed unless the
// office says otherwise (filekind's: programs and scripts).
var DefaultBlockedKinds = filekind.DefaultBlocked

// MaxFileBytes is the largest file the office takes.
func (st Settings) MaxFileBytes() int64 {
	mb := st.MaxFileMB
	if mb <= 0 {
		mb = DefaultMaxFileMB
	}
	return int64(mb) << 20
}

// FilesSpace is the space for all files in bytes, 0 for no limit but the disk.
func (st Settings) FilesSpace() int64 { return int64(st.FilesSpaceGB) << 30 }

// Blocked is the kinds of file never allowed.
func (st Settings) Blocked() []string {
	if st.BlockedKinds == nil {
		return DefaultBlockedKinds
	}
	return st.BlockedKinds
}

// Settings returns the settings in force.
func (s *Store) Settings() Settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.settings
}

// SaveSettings validates and stores new settings.
func (s *Store) SaveSettings(st Settings) error {
	st.OfficeName = strings.TrimSpace(st.OfficeName)
	if st.OfficeName == "" || len(st.OfficeName) > 80 {
		return userErr(errors.New("office name: between 1 and 80 characters"))
	}
	if st.MaxText < 1 || st.MaxText > 32000 {
		return userErr(errors.New("message size limit: between 1 and 32000 bytes"))
	}
	if err := checkAccessSettings(&st); err != nil {
		return err
	}
	if st.MaxFileMB < 0 || st.MaxFileMB > MaxFileMBLimit {
		return userErr(fmt.Errorf("largest file: between 1 and %d MB", MaxFileMBLimit))
	}
	if st.FilesSpaceGB < 0 || st.FilesSpaceGB > 1<<20 {
		return userErr(errors.New("space for files: a number of GB, 0 for the whole disk"))
	}
	if st.EditWindow < -1 || st.EditWindow > MaxEditWindow {
		return userErr(fmt.Errorf("editing window: -1 (never), 0 (always) or up to %d minutes", MaxEditWindow))
	}
	if st.MentionAllBy != "" && st.MentionAllBy != AdminsOnly {
		return userErr(errors.New("who may use @here and @channel: everyone or admins"))
	}
	if st.MentionConfirm < 0 || st.MentionConfirm > 10000 {
		return userErr(errors.New("ask before notifying: 0 to 10000 people"))
	}
	if st.ProfilesBy != "" && st.ProfilesBy != AdminsOnly {
		return userErr(errors.New("who changes profiles: each person, or admins"))
	}
	switch st.Receipts {
	case ReceiptsOn, ReceiptsOff, ReceiptsAlways:
	default:
		return userErr(errors.New("read receipts: off, on or always"))
	}
	if len(st.Announcers) > 100 {
		return userErr(errors.New("who may ask for confirmation: at most 100 people"))
	}
	for _, n := range st.Announcers {
		if err := ValidName(n); err != nil {
			return err
		}
	}
	st.Announcers = sortedUnique(st.Announcers)
	if len(st.Announcers) == 0 {
		st.Announcers = nil
	}
	if st.FilesBy != "" && st.FilesBy != FilesNotInAnnounce {
		return userErr(errors.New("who shares files: everyone, or not in announcement channels"))
	}
	data, _ := json.Marshal(st)
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keySettings, string(data), nil)
		return err
	}, func() { s.settings = st })
}
