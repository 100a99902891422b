package office

import (
	"fmt"
	"slices"
	"strings"

	"inhouse/server/archive"
)

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
