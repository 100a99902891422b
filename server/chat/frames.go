package chat

import (
	"encoding/json"
	"time"
)

// Error codes sent in error frames.
const (
	CodeBadRequest  = "bad_request"
	CodeForbidden   = "forbidden"
	CodeNotFound    = "not_found"
	CodeTooLarge    = "too_large"
	CodeRateLimited = "rate_limited"
	CodeBlocked     = "blocked"
	CodePolicy      = "policy_required"
	CodeUnavailable = "unavailable"
)

// inFrame is every field any client frame may carry. Decoding into typed
// fields makes a wrong JSON type a decode error, answered with bad_request.
type inFrame struct {
	Type     string            `json:"type"`
	ID       string            `json:"id"`
	Channel  string            `json:"channel"`
	Text     *string           `json:"text"`
	Channels map[string]uint64 `json:"channels"`
	Before   uint64            `json:"before"`
	Limit    int               `json:"limit"`
	Seq      *uint64           `json:"seq"`
	Status   string            `json:"status"`
	Files    []string          `json:"files"` // upload ids a send carries (docs/files.md)
	// docs/conversation.md
	Parent *uint64 `json:"parent"` // send: reply in the thread of this message
	Also   bool    `json:"also"`   // send: the reply shows in the channel too
	Emoji  string  `json:"emoji"`  // react
	Remove bool    `json:"remove"` // react, pin: take it back
	Thread uint64  `json:"thread"` // read: a thread's read position
	// docs/people.md
	Confirm bool `json:"confirm"` // send: an announcement asking its readers to confirm
}

type ackFrame struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Seq     uint64 `json:"seq"`
	TS      string `json:"ts"`
}

type typingFrame struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	User    string `json:"user"`
}

type presenceFrame struct {
	Type   string `json:"type"`
	User   string `json:"user"`
	Status string `json:"status"`
}

type readFrame struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	Seq     uint64 `json:"seq"`
}

type errorFrame struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ChannelView is a channel as one person sees it (the API's shape too).
type ChannelView struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Members []string `json:"members"`
	LastSeq uint64   `json:"last_seq"`
	Unread  uint64   `json:"unread"`
	// Archived channels take no messages; in announcement channels only
	// admins post. Clients disable their composer accordingly.
	Archived bool `json:"archived,omitempty"`
	Announce bool `json:"announce,omitempty"`
	// docs/conversation.md: the channel's topic, and the person's own
	// notification level and mute.
	Topic       string `json:"topic,omitempty"`
	Description string `json:"description,omitempty"`
	Notify      string `json:"notify"`
	Muted       bool   `json:"muted,omitempty"`
}

type channelFrame struct {
	Type    string      `json:"type"`
	Channel ChannelView `json:"channel"`
}

type leftFrame struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
}

var syncedFrame = []byte(`{"type":"synced"}`)

// TimeFormat is RFC 3339 with milliseconds, in UTC.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

func formatTS(ms int64) string { return string(appendTS(nil, ms)) }

// appendTS appends ms in TimeFormat. Every message is stamped twice (its
// ack and its frame), and the general formatter was 3% of the server's CPU
// under load, so the fixed layout is written digit by digit.
func appendTS(b []byte, ms int64) []byte {
	t := time.UnixMilli(ms).UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeFormat)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

// appendDigits appends v (0 <= v < 10^width, width <= 4) in width digits.
func appendDigits(b []byte, v, width int) []byte {
	b = append(b, "0000"[:width]...)
	for i := len(b) - 1; v > 0; i-- {
		b[i] += byte(v % 10)
		v /= 10
	}
	return b
}

func encodeError(id, code, msg string) []byte {
	return mustJSON(errorFrame{Type: "error", ID: id, Code: code, Message: msg})
}

// mustJSON encodes values that cannot fail to encode (no channels, funcs or
// cyclic data).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
