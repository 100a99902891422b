package archive

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/tidwall/buntdb"
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
}

// DefaultSettings are in force until the office changes them.
var DefaultSettings = Settings{OfficeName: "Inhouse", MaxText: 8000}

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
	data, _ := json.Marshal(st)
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keySettings, string(data), nil)
		return err
	}, func() { s.settings = st })
}
