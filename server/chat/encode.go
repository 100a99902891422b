package chat

import (
	"strconv"

	"inhouse/server/archive"
	"inhouse/server/jsonstr"
)

// The two frames every message costs (its ack and the message itself) are
// written by hand: they are on the hot path, and reflection-based encoding
// was a tenth of a message's CPU. Their shapes match ackFrame and
// MessageFrame; the tests decode them with encoding/json.

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

func encodeMessage(m archive.Message) []byte {
	b := make([]byte, 0, 128+len(m.Text)+len(m.ID)+len(m.Channel)+len(m.From))
	b = append(b, `{"type":"message","channel":`...)
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
