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
		bit, field := flatField(key)
		if field == 0 || seen&bit != 0 || isStr != (field == fieldString) {
			return f, false
		}
		seen |= bit
		switch key {
		case "type":
			f.Type = internType(str)
		case "id":
			f.ID = string(str)
		case "channel":
			f.Channel = string(str)
		case "text":
			text := string(str)
			f.Text = &text
		case "status":
			f.Status = internType(str)
		case "seq":
			seq := num
			f.Seq = &seq
		case "before":
			f.Before = num
		case "limit":
			if num > 1<<31-1 {
				return f, false
			}
			f.Limit = int(num)
		}
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

const (
	fieldString = 1
	fieldNumber = 2
)

// flatField is key's bit in the seen set and its kind (0: not a key the
// fast path reads).
func flatField(key string) (uint16, int) {
	switch key {
	case "type":
		return 1 << 0, fieldString
	case "id":
		return 1 << 1, fieldString
	case "channel":
		return 1 << 2, fieldString
	case "text":
		return 1 << 3, fieldString
	case "status":
		return 1 << 4, fieldString
	case "seq":
		return 1 << 5, fieldNumber
	case "before":
		return 1 << 6, fieldNumber
	case "limit":
		return 1 << 7, fieldNumber
	}
	return 0, 0
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
