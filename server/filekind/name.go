package filekind

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes bounds a stored file name.
const MaxNameBytes = 200

// maxExtBytes is the longest extension (with its dot) kept when a name is
// shortened; a longer "extension" is more likely a sentence with a dot.
const maxExtBytes = 16

// ErrNoName is SafeName's answer for a name with nothing left to show.
var ErrNoName = errors.New("The file has no name.") //lint:ignore ST1005 shown to people as it is

// SafeName makes the name stored and shown for a file from what a browser
// sent: its last path element (both / and \ separate), with control and
// format characters (bidirectional overrides among them), characters
// Windows refuses in names and invalid UTF-8 replaced by "_", leading and
// trailing dots and spaces trimmed, at most MaxNameBytes bytes with the
// extension kept.
func SafeName(name string) (string, error) {
	name = strings.ToValidUTF8(name, "_")
	name = strings.TrimRight(name, `/\`) // "folder/" names the folder
	name = name[strings.LastIndexFunc(name, isSep)+1:]
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.In(r, unicode.Cc, unicode.Cf), // controls; bidi, zero-width and other invisible marks
			r == '\u2028', r == '\u2029', // line and paragraph separators
			strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimFunc(name, isDotOrSpace)
	if len(name) > MaxNameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= maxExtBytes {
			ext = name[i:]
		}
		stem := cutUTF8(name[:len(name)-len(ext)], MaxNameBytes-len(ext))
		name = strings.TrimRightFunc(stem, isDotOrSpace) + ext
		name = strings.TrimFunc(name, isDotOrSpace)
	}
	if name == "" {
		return "", ErrNoName
	}
	return name, nil
}

func isSep(r rune) bool { return r == '/' || r == '\\' }

// isDotOrSpace are the characters Windows drops from a name's end, and
// that at its start hide a file or make it look blank.
func isDotOrSpace(r rune) bool { return r == '.' || unicode.IsSpace(r) }

// cutUTF8 shortens valid UTF-8 to at most n bytes without splitting a
// character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
