package office

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"inhouse/server/archive"
	"inhouse/server/netlist"
)

// SettingsChange is what the manager sets for the whole office, as typed.
type SettingsChange struct {
	OfficeName string
	MaxText    string // the longest message, in bytes
	ChannelsBy string // who creates channels: "everyone" or archive.AdminsOnly
	DirectBy   string // who starts direct messages: the same
	// Allow is the networks served, one a line (commas and spaces also
	// separate); empty: those the server was started with.
	Allow string
	// From is where the manager is: a list that would shut them out is
	// refused, since nobody could then undo it from the console.
	From netip.Addr

	// Files: the largest file in MB, the space for all files in GB ("0":
	// the disk's), who shares files ("everyone" or
	// archive.FilesNotInAnnounce), and the kinds never allowed.
	MaxFileMB, FilesSpaceGB, FilesBy string
	BlockedKinds                     []string

	// Talking: editing and deleting ("always", "never" or "window" with
	// EditMinutes), who may use @here and @channel ("everyone" or
	// archive.AdminsOnly), and above how many people the client asks.
	Editing, EditMinutes, MentionAllBy, MentionConfirm string

	// People (docs/people.md): read receipts ("off", "on" or "always"), who
	// changes titles, phones and pictures ("everyone": each their own, or
	// archive.AdminsOnly), and who besides office managers may ask for
	// confirmation (user names separated by commas, spaces or lines).
	Receipts, ProfilesBy, Announcers string
}

// FileKinds are the kinds of file an office may refuse, as the console
// offers them (filekind's categories), with their words.
var FileKinds = []struct{ Kind, Words string }{
	{"program", "Programs and installers (.exe, .msi, .apk, .jar …, judged by content as well as name)"},
	{"script", "Scripts (.bat, .ps1, .sh, .js …, and any file starting with #!)"},
	{"archive", "Archives (.zip, .7z, .rar, .tar.gz): their content cannot be checked"},
	{"markup", "Web pages and SVG pictures (never shown in the browser either way)"},
	{"media", "Audio and video"},
}

// SaveSettings stores the office's settings; they apply at once (the
// server learns the allowed networks through Live). It returns what
// changed, in words ("" if nothing).
func (o *Office) SaveSettings(a Actor, in SettingsChange) (string, error) {
	old := o.store.Settings()
	st := old
	var bad Problems
	st.OfficeName = strings.TrimSpace(in.OfficeName)
	if st.OfficeName == "" || len(st.OfficeName) > 80 {
		bad.add("office", "Between 1 and 80 characters.")
	}
	n, err := strconv.Atoi(strings.TrimSpace(in.MaxText))
	if err != nil || n < 1 || n > 32000 {
		bad.add("max_text", "A whole number from 1 to 32000.")
	}
	st.MaxText = n
	st.ChannelsBy = whoMay(&bad, "channels_by", in.ChannelsBy)
	st.DirectBy = whoMay(&bad, "direct_by", in.DirectBy)
	if st.MaxFileMB, err = strconv.Atoi(strings.TrimSpace(in.MaxFileMB)); err != nil || st.MaxFileMB < 1 || st.MaxFileMB > archive.MaxFileMBLimit {
		bad.add("max_file_mb", fmt.Sprintf("A whole number of MB from 1 to %d.", archive.MaxFileMBLimit))
	}
	if st.FilesSpaceGB, err = strconv.Atoi(strings.TrimSpace(in.FilesSpaceGB)); err != nil || st.FilesSpaceGB < 0 || st.FilesSpaceGB > 1<<20 {
		bad.add("files_space_gb", "A whole number of GB; 0 for as much as the disk holds.")
	}
	switch in.FilesBy {
	case "everyone":
		st.FilesBy = ""
	case archive.FilesNotInAnnounce:
		st.FilesBy = archive.FilesNotInAnnounce
	default:
		bad.add("files_by", "Choose one.")
	}
	st.BlockedKinds = []string{}
	for _, k := range FileKinds {
		if slices.Contains(in.BlockedKinds, k.Kind) {
			st.BlockedKinds = append(st.BlockedKinds, k.Kind)
		}
	}
	switch in.Editing {
	case "always":
		st.EditWindow = 0
	case "never":
		st.EditWindow = -1
	case "window":
		n, err := strconv.Atoi(strings.TrimSpace(in.EditMinutes))
		if err != nil || n < 1 || n > archive.MaxEditWindow {
			bad.add("edit_minutes", fmt.Sprintf("A whole number of minutes from 1 to %d.", archive.MaxEditWindow))
		}
		st.EditWindow = n
	default:
		bad.add("editing", "Choose one.")
	}
	st.MentionAllBy = whoMay(&bad, "mention_all_by", in.MentionAllBy)
	if st.MentionConfirm, err = strconv.Atoi(strings.TrimSpace(in.MentionConfirm)); err != nil || st.MentionConfirm < 1 || st.MentionConfirm > 10000 {
		bad.add("mention_confirm", "A whole number of people from 1 to 10000.")
	}
	st.Receipts = receiptsOf(&bad, in.Receipts)
	st.ProfilesBy = whoMay(&bad, "profiles_by", in.ProfilesBy)
	st.Announcers = o.announcersOf(&bad, in.Announcers)
	nets, lines := parseNetworks(&bad, in.Allow)
	st.Allow = lines
	if len(nets) > 0 && in.From.IsValid() {
		ip := in.From.Unmap()
		if !ip.IsLoopback() && !slices.ContainsFunc(nets, func(p netip.Prefix) bool { return p.Contains(ip) }) {
			bad.add("allow", fmt.Sprintf("This list would lock you out: your address %s is in none of these networks. Add it or its network.", ip))
		}
	}
	if err := bad.err(); err != nil {
		return "", err
	}
	if err := o.store.SaveSettings(st); err != nil {
		return "", err
	}
	st = o.store.Settings()
	if o.live != nil {
		o.live.AllowChanged(st.AllowPrefixes())
	}
	changes := settingsChanges(old, st)
	if len(changes) == 0 {
		return "", nil
	}
	changed := strings.Join(changes, "; ")
	o.audit(a, "settings.save", "settings", changed+".")
	return changed, nil
}

// whoMay reads a "who may" choice.
func whoMay(bad *Problems, field, v string) string {
	switch v {
	case "everyone":
		return archive.Everyone
	case archive.AdminsOnly:
		return archive.AdminsOnly
	}
	bad.add(field, "Choose one.")
	return archive.Everyone
}

// parseNetworks reads the allowed networks: one a line (commas and spaces
// also separate), each masked to its network.
func parseNetworks(bad *Problems, text string) ([]netip.Prefix, []string) {
	var nets []netip.Prefix
	var lines []string
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' }) {
		p, err := netlist.ParsePrefix(part)
		if err != nil {
			bad.add("allow", err.Error()+".")
			continue
		}
		p = p.Masked()
		nets = append(nets, p)
		lines = append(lines, p.String())
	}
	if len(lines) > 200 {
		bad.add("allow", "At most 200 networks.")
	}
	return nets, lines
}

// WhoMayWords says a "who may" setting: "everyone" or "admins".
func WhoMayWords(v string) string {
	if v == archive.Everyone {
		return "everyone"
	}
	return v
}

func settingsChanges(a, b archive.Settings) []string {
	var out []string
	if a.OfficeName != b.OfficeName {
		out = append(out, fmt.Sprintf("office name from %q to %q", a.OfficeName, b.OfficeName))
	}
	if a.MaxText != b.MaxText {
		out = append(out, fmt.Sprintf("message size limit from %d to %d bytes", a.MaxText, b.MaxText))
	}
	if !slices.Equal(a.Allow, b.Allow) {
		out = append(out, fmt.Sprintf("allowed networks from [%s] to [%s]", strings.Join(a.Allow, " "), strings.Join(b.Allow, " ")))
	}
	if a.ChannelsBy != b.ChannelsBy {
		out = append(out, "channels may be created by "+WhoMayWords(b.ChannelsBy))
	}
	if a.DirectBy != b.DirectBy {
		out = append(out, "direct messages may be started by "+WhoMayWords(b.DirectBy))
	}
	if a.MaxFileBytes() != b.MaxFileBytes() {
		out = append(out, fmt.Sprintf("largest file from %s to %s", SizeText(a.MaxFileBytes()), SizeText(b.MaxFileBytes())))
	}
	if a.FilesSpace() != b.FilesSpace() {
		out = append(out, fmt.Sprintf("space for files from %s to %s", spaceWords(a.FilesSpace()), spaceWords(b.FilesSpace())))
	}
	if a.FilesBy != b.FilesBy {
		if b.FilesBy == archive.FilesNotInAnnounce {
			out = append(out, "files are not shared in announcement channels")
		} else {
			out = append(out, "files may be shared in every channel")
		}
	}
	if a.EditWindow != b.EditWindow {
		out = append(out, "editing and deleting messages: "+EditWords(b.EditWindow))
	}
	if a.MentionAllBy != b.MentionAllBy {
		out = append(out, "@here and @channel may be used by "+WhoMayWords(b.MentionAllBy))
	}
	if a.ConfirmAbove() != b.ConfirmAbove() {
		out = append(out, fmt.Sprintf("ask before notifying more than %d people", b.ConfirmAbove()))
	}
	out = append(out, peopleSettingsChanges(a, b)...)
	if !slices.Equal(a.Blocked(), b.Blocked()) {
		out = append(out, fmt.Sprintf("kinds of file refused from [%s] to [%s]", strings.Join(a.Blocked(), " "), strings.Join(b.Blocked(), " ")))
	}
	return out
}

// spaceWords says a space for files.
func spaceWords(n int64) string {
	if n == 0 {
		return "the whole disk"
	}
	return SizeText(n)
}

// EditWords says the office's editing window.
func EditWords(window int) string {
	switch {
	case window == 0:
		return "always"
	case window < 0:
		return "never"
	}
	return "within " + plural(window, "minute") + " of sending"
}
