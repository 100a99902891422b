package chat

import (
	"unicode/utf8"
)

// decodeFlat reads the frames clients send all the time (send, typing,
// read, …): one flat object of known keys, with plain strings and
// unsigned integers. It gives up (ok false) on anything else, escapes,
// nesting, unknown or repeated keys, and encoding/json reads the frame
// instead, so the two always agree (FuzzDecodeFrame checks it).
func decodeFlat(data []byte) (f inFrame, ok bool) {
	var seen uint16
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return f, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return f, skipSpace(data, i+1) == len(data)
	}
	for {
		keyb, j, ok := flatString(data, i)
		key := string(keyb) // short and kept on the stack
		if !ok {
			return f, false
		}
		i = skipSpace(data, j)
		if i >= len(data) || data[i] != ':' {
			return f, false
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return f, false
		}
		var str []byte
		var num uint64
		isStr := data[i] == '"'
		if isStr {
			str, i, ok = flatString(data, i)
		} else {
			num, i, ok = flatUint(data, i)
		}
		if !ok {
			return f, false
		}
		// Each key the fast path knows, once, with a value of its kind;
		// what is set for a frame given up on is dropped with it.
		var bit uint16
		wantStr := true
		switch key {
		case "type":
			bit, f.Type = 1<<0, internType(str)
		case "id":
			bit, f.ID = 1<<1, string(str)
		case "channel":
			bit, f.Channel = 1<<2, string(str)
		case "text":
			text := string(str)
			bit, f.Text = 1<<3, &text
		case "status":
			bit, f.Status = 1<<4, internType(str)
		case "seq":
			seq := num
			bit, wantStr, f.Seq = 1<<5, false, &seq
		case "before":
			bit, wantStr, f.Before = 1<<6, false, num
		case "limit":
			bit, wantStr, f.Limit = 1<<7, false, int(num)
			if num > 1<<31-1 {
				return f, false
			}
		}
		if bit == 0 || seen&bit != 0 || isStr != wantStr {
			return f, false
		}
		seen |= bit
		i = skipSpace(data, i)
		if i >= len(data) {
			return f, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return f, skipSpace(data, i+1) == len(data)
		default:
			return f, false
		}
	}
}

// internType returns the known frame types and statuses as constants,
// without making a string for each frame.
func internType(t []byte) string {
	for _, k := range [...]string{"send", "typing", "read", "history", "sync", "presence", "edit", "delete", "online", "away"} {
		if string(t) == k {
			return k
		}
	}
	return string(t)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// flatString reads a string with no escapes and no control characters
// that is valid UTF-8, starting at its opening quote. The bytes are data's.
func flatString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, i, false
	}
	start := i + 1
	ascii := true
	for j := start; j < len(data); j++ {
		c := data[j]
		switch {
		case c == '"':
			s := data[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, i, false
			}
			return s, j + 1, true
		case c == '\\' || c < 0x20:
			return nil, i, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, i, false
}

// flatUint reads an unsigned integer as JSON writes it: no sign, no
// fraction or exponent, no leading zero.
func flatUint(data []byte, i int) (uint64, int, bool) {
	start := i
	var n uint64
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		d := uint64(data[i] - '0')
		if n > (1<<64-1-d)/10 {
			return 0, start, false
		}
		n = n*10 + d
		i++
	}
	if i == start || (data[start] == '0' && i-start > 1) {
		return 0, start, false
	}
	if i < len(data) && (data[i] == '.' || data[i] == 'e' || data[i] == 'E') {
		return 0, start, false
	}
	return n, i, true
}
