package archive

import (
	"encoding/json"
	"errors"

	"github.com/tidwall/buntdb"
)

// DirectorySettings are how the office reaches its directory (docs/directory.md).
// The service account's password is kept sealed by the office layer
// (Secret): this record, and so every backup, never holds it in clear.
type DirectorySettings struct {
	On                    bool           `json:"on"`
	URL                   string         `json:"url"`
	StartTLS              bool           `json:"starttls,omitempty"`
	Plain                 bool           `json:"plain,omitempty"` // ldap:// in clear, accepted by the manager
	CA                    string         `json:"ca,omitempty"`    // PEM
	BindDN                string         `json:"bind_dn"`
	Secret                string         `json:"secret,omitempty"` // the service account's password, sealed
	BaseDN                string         `json:"base_dn"`
	Filter                string         `json:"filter"`
	DisabledFilter        string         `json:"disabled_filter,omitempty"`
	Dialect               string         `json:"dialect"` // "ad" or "openldap"
	UserAttr, DisplayAttr string         `json:",omitempty"`
	MailAttr, TitleAttr   string         `json:",omitempty"`
	PhoneAttr             string         `json:",omitempty"`
	AdminGroup            string         `json:"admin_group,omitempty"`
	AuditorGroup          string         `json:"auditor_group,omitempty"`
	ChannelGroups         []GroupChannel `json:"channel_groups,omitempty"`
}

// GroupChannel says a directory group's members belong in a channel.
type GroupChannel struct {
	Group   string `json:"group"`   // the group's DN
	Channel string `json:"channel"` // the channel's id
}

// Directory returns the directory settings (zero: none).
func (s *Store) Directory() DirectorySettings {
	var d DirectorySettings
	s.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(keyDirectory)
		if err == nil {
			err = json.Unmarshal([]byte(v), &d)
		}
		return err
	})
	return d
}

// SaveDirectory stores the directory settings; the office layer has
// checked them and sealed the password.
func (s *Store) SaveDirectory(d DirectorySettings) error {
	if len(d.ChannelGroups) > 200 {
		return userErr(errors.New("at most 200 groups filling channels"))
	}
	data, _ := json.Marshal(d)
	return s.write(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(keyDirectory, string(data), nil)
		return err
	}, nil)
}
