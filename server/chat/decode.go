package chat

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"inhouse/server/office"
)

// frameError is a frame refused before any work: its code and a sentence.
type frameError struct {
	id, code, msg string
}

// decodeFrame parses a client frame and checks its shape: a known type and
// the fields that type needs, of the right kinds. What needs the server's
// state (membership, limits) is checked by the handlers.
func decodeFrame(data []byte) (inFrame, *frameError) {
	f, ok := decodeFlat(data)
	if !ok {
		// Decoded into a variable of its own: &f given to encoding/json
		// would put f on the heap for every frame, the fast ones too.
		var slow inFrame
		if err := json.Unmarshal(data, &slow); err != nil {
			return slow, &frameError{"", CodeBadRequest, "The frame is not valid JSON of the expected shape: " + jsonProblem(err)}
		}
		f = slow
	}
	bad := func(msg string) *frameError { return &frameError{truncate(f.ID, maxClientID), CodeBadRequest, msg} }
	needID := func() *frameError {
		if f.ID == "" || len(f.ID) > maxClientID || !printable(f.ID) {
			return bad(fmt.Sprintf("A %s needs an id of 1 to %d printable characters.", f.Type, maxClientID))
		}
		return nil
	}
	needText := func() *frameError {
		if f.Text == nil || strings.TrimSpace(*f.Text) == "" {
			return bad(fmt.Sprintf("A %s needs a text.", f.Type))
		}
		if !utf8.ValidString(*f.Text) {
			return bad("The text is not valid UTF-8.")
		}
		return nil
	}
	// A message with files may have no text (the files are its content).
	needTextOrFiles := func() *frameError {
		if len(f.Files) == 0 {
			return needText()
		}
		if len(f.Files) > office.MaxFilesPerMessage {
			return &frameError{truncate(f.ID, maxClientID), CodeTooLarge, fmt.Sprintf("A message carries at most %d files.", office.MaxFilesPerMessage)}
		}
		for _, id := range f.Files {
			if id == "" || len(id) > maxClientID || !printable(id) {
				return bad("Each file of a message is named by the id its upload answered.")
			}
		}
		if f.Text == nil {
			empty := ""
			f.Text = &empty
		}
		if !utf8.ValidString(*f.Text) {
			return bad("The text is not valid UTF-8.")
		}
		return nil
	}
	needChannel := func() *frameError {
		if f.Channel == "" {
			return bad("The frame needs a channel.")
		}
		return nil
	}
	needSeq := func() *frameError {
		if f.Seq == nil {
			return bad(fmt.Sprintf("A %s needs a seq.", f.Type))
		}
		return nil
	}
	var checks []func() *frameError
	switch f.Type {
	case "send":
		checks = []func() *frameError{needID, needTextOrFiles, needChannel}
	case "edit":
		checks = []func() *frameError{needID, needText, needChannel, needSeq}
	case "react":
		checks = []func() *frameError{needID, needChannel, needSeq, func() *frameError {
			if f.Emoji == "" || len(f.Emoji) > 64 {
				return bad("A reaction needs an emoji.")
			}
			return nil
		}}
	case "pin":
		checks = []func() *frameError{needID, needChannel, needSeq}
	case "delete":
		checks = []func() *frameError{needID, needChannel, needSeq}
	case "history", "typing":
		checks = []func() *frameError{needChannel}
	case "read":
		checks = []func() *frameError{needChannel, needSeq}
	case "sync":
		if len(f.Channels) > maxSyncChannels {
			return f, &frameError{truncate(f.ID, maxClientID), CodeTooLarge, fmt.Sprintf("A sync can name at most %d channels.", maxSyncChannels)}
		}
	case "presence":
		if f.Status != "online" && f.Status != "away" {
			return f, bad(`A presence frame needs a status of "online" or "away".`)
		}
	case "":
		return f, bad("The frame has no type.")
	default:
		return f, bad(fmt.Sprintf("Unknown frame type %q.", truncate(f.Type, 40)))
	}
	for _, check := range checks {
		if e := check(); e != nil {
			return f, e
		}
	}
	return f, nil
}
