package admin

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/a-h/templ"
)

// pictureURL is where the browser loads a person's picture: the server's
// own address for it (docs/people.md), which the console's session opens
// like the chat's, cached under its version.
func pictureURL(name, version string) templ.SafeURL {
	return templ.SafeURL("/api/users/" + url.PathEscape(name) + "/picture?v=" + url.QueryEscape(version))
}

// initials stand in for a picture: the first letters of the first and
// last words of the display name ("Ana Ruiz" → "AR"), as the chat shows
// them (assets/web/people.js).
func initials(display, name string) string {
	src := strings.TrimSpace(display)
	if src == "" {
		src = name
	}
	words := strings.FieldsFunc(src, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' })
	first := func(s string) string {
		for _, r := range s {
			return strings.ToUpper(string(r))
		}
		return ""
	}
	switch len(words) {
	case 0:
		return "?"
	case 1:
		return first(words[0])
	}
	return first(words[0]) + first(words[len(words)-1])
}

// avatarColours is how many colours initials sit on: the chat's (console.css
// has the same, a class each).
const avatarColours = 8

// avatarColour picks a person's colour from the user name as the chat does
// (assets/web/people.js, hue), so it stays when the display name changes
// and is the same in both.
func avatarColour(name string) string {
	x := uint32(7)
	for _, r := range name {
		x = x*31 + uint32(r)
	}
	return "avatar-c" + itoa(int(x%avatarColours))
}
