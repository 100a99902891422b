package chat

import (
	"bytes"
	"strconv"
	"sync"

	"inhouse/server/archive"
	"inhouse/server/jsonstr"
)

// The frames every message costs (its ack and the message itself) are
// written by hand: they are on the hot path, and reflection-based encoding
// was a tenth of a message's CPU. A message has this one encoder wherever
// a frame carries it (live, sync and history), byte for byte what
// encoding/json writes for MessageFrame; the tests compare the two.

func encodeAck(m archive.Message) []byte {
	b := make([]byte, 0, 96+len(m.ID)+len(m.Channel))
	b = append(b, `{"type":"ack","id":`...)
	b = jsonstr.Append(b, m.ID)
	b = append(b, `,"channel":`...)
	b = jsonstr.Append(b, m.Channel)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, m.Seq, 10)
	b = append(b, `,"ts":"`...)
	b = appendTS(b, m.TS)
	return append(b, `"}`...)
}

// appendNames writes a list of names as a JSON array.
func appendNames(b []byte, names []string) []byte {
	b = append(b, '[')
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, n)
	}
	return append(b, ']')
}

// encodeMessage is a live or synced message's frame.
func encodeMessage(m archive.Message) []byte {
	b := make([]byte, 0, 128+len(m.Text)+len(m.ID)+len(m.Channel)+len(m.From)+96*len(m.Files))
	b = append(b, `{"type":"message",`...)
	return appendMessageFields(b, &m)
}

// Message is a stored message as clients see it, for JSON answers outside
// the socket (search results): the same encoder as every frame.
type Message archive.Message

// MarshalJSON writes m with the frames' hand-written encoder.
func (m Message) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 128+len(m.Text)+len(m.ID)+len(m.Channel)+len(m.From))
	b = append(b, '{')
	return appendMessageFields(b, (*archive.Message)(&m)), nil
}

// historyBufs hold history frames while they are written. A page can be
// megabytes and its escapes are not known ahead, so it is built in a
// reused buffer and copied out at its exact size: no regrowing on the way,
// and a slow client's queue pins only what it must.
var historyBufs = sync.Pool{New: func() any { return new([]byte) }}

// encodeHistory is a history frame: channel's messages, each as in its
// message frame without the type.
func encodeHistory(channel string, msgs []archive.Message) []byte {
	bp := historyBufs.Get().(*[]byte)
	b := append((*bp)[:0], `{"type":"history","channel":`...)
	b = jsonstr.Append(b, channel)
	b = append(b, `,"messages":[`...)
	for i := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendMessageFields(b, &msgs[i])
	}
	b = append(b, "]}"...)
	frame := bytes.Clone(b)
	*bp = b
	historyBufs.Put(bp)
	return frame
}

// appendMessageFields appends m's fields and the object's closing brace.
// Empty kind, ref, edited and deleted are left out, as MessageFrame's
// omitempty does (a stored edit or delete always has a ref).
func appendMessageFields(b []byte, m *archive.Message) []byte {
	b = append(b, `"channel":`...)
	b = jsonstr.Append(b, m.Channel)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, m.Seq, 10)
	b = append(b, `,"id":`...)
	b = jsonstr.Append(b, m.ID)
	b = append(b, `,"from":`...)
	b = jsonstr.Append(b, m.From)
	b = append(b, `,"text":`...)
	b = jsonstr.Append(b, m.Text)
	b = append(b, `,"ts":"`...)
	b = appendTS(b, m.TS)
	b = append(b, '"')
	if m.Kind != "" {
		b = append(b, `,"kind":`...)
		b = jsonstr.Append(b, m.Kind)
	}
	if m.Ref != 0 {
		b = append(b, `,"ref":`...)
		b = strconv.AppendUint(b, m.Ref, 10)
	}
	if m.Parent != 0 {
		b = append(b, `,"parent":`...)
		b = strconv.AppendUint(b, m.Parent, 10)
	}
	if m.Also {
		b = append(b, `,"also":true`...)
	}
	if m.Confirm {
		b = append(b, `,"confirm":true`...)
	}
	if len(m.Files) > 0 {
		b = append(b, `,"files":`...)
		b = archive.AppendFiles(b, m.Files, false)
	}
	if m.Thread != nil {
		b = append(b, `,"thread":{"replies":`...)
		b = strconv.AppendInt(b, int64(m.Thread.Replies), 10)
		b = append(b, `,"last":"`...)
		b = appendTS(b, m.Thread.Last)
		b = append(b, `","people":`...)
		b = appendNames(b, m.Thread.People)
		b = append(b, '}')
	}
	if len(m.Reactions) > 0 {
		b = append(b, `,"reactions":[`...)
		for i, r := range m.Reactions {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"emoji":`...)
			b = jsonstr.Append(b, r.Emoji)
			b = append(b, `,"people":`...)
			b = appendNames(b, r.People)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if m.Pinned {
		b = append(b, `,"pinned":true`...)
	}
	if m.Edited {
		b = append(b, `,"edited":true`...)
	}
	if m.Deleted {
		b = append(b, `,"deleted":true`...)
	}
	return append(b, '}')
}
