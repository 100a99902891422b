package chat

import (
	"strconv"
	"unicode/utf8"

	"inhouse/server/archive"
)

// The two frames every message costs (its ack and the message itself) are
// written by hand: they are on the hot path, and reflection-based encoding
// was a tenth of a message's CPU. Their shapes match ackFrame and
// MessageFrame; the tests decode them with encoding/json.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Texts are valid UTF-8 (checked
// when they arrive); anything else is replaced, as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func encodeAck(m archive.Message) []byte {
	b := make([]byte, 0, 96+len(m.ID)+len(m.Channel))
	b = append(b, `{"type":"ack","id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"channel":`...)
	b = appendString(b, m.Channel)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, m.Seq, 10)
	b = append(b, `,"ts":"`...)
	b = append(b, formatTS(m.TS)...)
	return append(b, `"}`...)
}

func encodeMessage(m archive.Message) []byte {
	b := make([]byte, 0, 128+len(m.Text)+len(m.ID)+len(m.Channel)+len(m.From))
	b = append(b, `{"type":"message","channel":`...)
	b = appendString(b, m.Channel)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, m.Seq, 10)
	b = append(b, `,"id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"from":`...)
	b = appendString(b, m.From)
	b = append(b, `,"text":`...)
	b = appendString(b, m.Text)
	b = append(b, `,"ts":"`...)
	b = append(b, formatTS(m.TS)...)
	b = append(b, '"')
	if m.Kind != "" {
		b = append(b, `,"kind":`...)
		b = appendString(b, m.Kind)
		b = append(b, `,"ref":`...)
		b = strconv.AppendUint(b, m.Ref, 10)
	}
	if m.Edited {
		b = append(b, `,"edited":true`...)
	}
	if m.Deleted {
		b = append(b, `,"deleted":true`...)
	}
	return append(b, '}')
}
