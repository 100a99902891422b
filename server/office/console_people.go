package office

import (
	"fmt"
	"slices"
	"strings"

	"inhouse/server/archive"
)

// PeopleSettings is what the office decides about people (docs/people.md),
// as the console's Settings page has it typed.
type PeopleSettings struct {
	Receipts   string // read receipts: "off", "on" or "always"
	ProfilesBy string // who changes titles, phones and pictures: "everyone" (each their own) or archive.AdminsOnly
	Announcers string // who besides office managers may ask for confirmation: user names, separated by commas, spaces or lines
}

// SaveSettingsPage saves the console's Settings page: the office's
// settings (SaveSettings) and those about people. Nothing is saved while
// a field about people is wrong; the audit log has an entry for each part
// that changed. It returns what changed, in words ("" if nothing).
//
// It belongs in SaveSettings (SettingsChange with the three fields); it is
// a method of its own only until that file takes them.
func (o *Office) SaveSettingsPage(a Actor, in SettingsChange, p PeopleSettings) (string, error) {
	var bad Problems
	receipts := receiptsOf(&bad, p.Receipts)
	profilesBy := whoMay(&bad, "profiles_by", p.ProfilesBy)
	announcers := o.announcersOf(&bad, p.Announcers)
	if err := bad.err(); err != nil {
		return "", err
	}
	changed, err := o.SaveSettings(a, in)
	if err != nil {
		return "", err
	}
	old := o.store.Settings()
	st := old
	st.Receipts, st.ProfilesBy, st.Announcers = receipts, profilesBy, announcers
	if err := o.store.SaveSettings(st); err != nil {
		return changed, err
	}
	people := peopleSettingsChanges(old, o.store.Settings())
	if len(people) == 0 {
		return changed, nil
	}
	words := strings.Join(people, "; ")
	o.audit(a, "settings.save", "settings", words+".")
	if changed != "" {
		words = changed + "; " + words
	}
	return words, nil
}

// receiptsOf reads the read receipts' choice.
func receiptsOf(bad *Problems, v string) string {
	switch v {
	case "on":
		return archive.ReceiptsOn
	case archive.ReceiptsOff, archive.ReceiptsAlways:
		return v
	}
	bad.add("receipts", "Choose one.")
	return archive.ReceiptsOn
}

// announcersOf reads a list of user names; each must be a person.
func (o *Office) announcersOf(bad *Problems, text string) []string {
	var names []string
	for _, n := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}) {
		n = strings.TrimPrefix(n, "@")
		if n == "" || slices.Contains(names, n) {
			continue
		}
		if _, err := o.store.User(n); err != nil {
			bad.add("announcers", fmt.Sprintf("Nobody has the user name %q.", n))
			continue
		}
		names = append(names, n)
	}
	if len(names) > 100 {
		bad.add("announcers", "At most 100 people.")
	}
	slices.Sort(names)
	return names
}

// peopleSettingsChanges says what changed about people, for the audit log.
func peopleSettingsChanges(a, b archive.Settings) []string {
	var out []string
	if a.Receipts != b.Receipts {
		out = append(out, "read receipts: "+ReceiptsWords(b.Receipts))
	}
	if a.ProfilesBy != b.ProfilesBy {
		if b.ProfilesBy == archive.AdminsOnly {
			out = append(out, "titles, phones and pictures are changed by office managers only")
		} else {
			out = append(out, "each person changes their own title, phone and picture")
		}
	}
	if !slices.Equal(a.Announcers, b.Announcers) {
		if len(b.Announcers) == 0 {
			out = append(out, "only office managers may ask for confirmation")
		} else {
			out = append(out, "besides office managers, "+strings.Join(b.Announcers, ", ")+" may ask for confirmation")
		}
	}
	return out
}

// ReceiptsWords says the read receipts' setting.
func ReceiptsWords(v string) string {
	switch v {
	case archive.ReceiptsOff:
		return "off"
	case archive.ReceiptsAlways:
		return "always on"
	}
	return "on (each person may hide theirs)"
}
