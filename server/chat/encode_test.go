package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"inhouse/server/archive"
)

// The hand-written frames decode to exactly what encoding/json would give.
func TestHandWrittenFramesMatchJSON(t *testing.T) {
	texts := []string{"", "plain", `quote " and \ backslash`, "line\nbreak\ttab\r", "\x00\x01\x1f ctl",
		"<script>&</script>", "Grüße 東京 🙂", "bad \xff utf8", "\u2028\u2029"}
	for _, text := range texts {
		m := archive.Message{Channel: "c123", Seq: 42, ID: "id-" + text, From: "ana", Text: text, TS: 1700000000123}
		withFiles := m
		withFiles.Files = []archive.File{{SHA256: strings.Repeat("ab", 32), Name: text + ".png", Type: "image/png", Size: 12, W: 4, H: 3},
			{SHA256: strings.Repeat("cd", 32), Name: "x" + text, Type: "text/plain; charset=utf-8", Size: 1}}
		talked := m
		talked.Parent, talked.Also, talked.Pinned = 9, true, true
		talked.Thread = &archive.Thread{Replies: 2, Last: 1700000000999, People: []string{"ana", text}}
		talked.Reactions = []archive.Reaction{{Emoji: "👍", People: []string{"ben"}}, {Emoji: text + "x", People: []string{"a", "b"}}}
		for _, variant := range []archive.Message{m, withFiles, talked, {Channel: "c1", Seq: 7, ID: "e", From: "ben", Text: text, TS: 1, Kind: "edit", Ref: 3, Edited: true}} {
			want := ToFrame(variant)
			want.Type = "message"
			wantJSON, _ := json.Marshal(want)
			if got := encodeMessage(variant); !bytes.Equal(got, wantJSON) {
				t.Fatalf("message frame for %q:\n got %s\nwant %s", text, got, wantJSON)
			}
		}
		var ack, wantAck ackFrame
		if err := json.Unmarshal(encodeAck(m), &ack); err != nil {
			t.Fatalf("ack for %q: %v", text, err)
		}
		b, _ := json.Marshal(ackFrame{Type: "ack", ID: m.ID, Channel: m.Channel, Seq: m.Seq, TS: formatTS(m.TS)})
		json.Unmarshal(b, &wantAck)
		if ack != wantAck {
			t.Fatalf("ack for %q: %+v, want %+v", text, ack, wantAck)
		}
	}
}

// appendTS writes what the general formatter writes, for every era.
func TestAppendTSMatchesTimeFormat(t *testing.T) {
	cases := []int64{0, 1, -1, 999, 1000, 1700000000123, 951782400000 /* 2000-02-29 */, 253402300799999, 253402300800000,
		-62135596800000, -62135596800001, math.MaxInt64 / 2, math.MinInt64 / 2}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		cases = append(cases, r.Int64N(4e14)-1e14)
	}
	for _, ms := range cases {
		want := time.UnixMilli(ms).UTC().Format(TimeFormat)
		if got := string(appendTS([]byte("x"), ms)); got != "x"+want {
			t.Fatalf("appendTS(%d) = %q, want %q", ms, got[1:], want)
		}
	}
}

// historyFrame is how history frames were written before they had the
// message encoder: through encoding/json. Clients read these bytes.
type historyFrame struct {
	Type     string         `json:"type"`
	Channel  string         `json:"channel"`
	Messages []MessageFrame `json:"messages"`
}

// A history frame is byte for byte what encoding/json wrote for it.
func TestHistoryFrameMatchesJSON(t *testing.T) {
	texts := []string{"plain", "<b>bold</b> & co", "line\u2028sep\u2029para", "bad \xff\xfe utf8", `"quoted" \ back`,
		"\x00\x1f\x7f ctl", "Grüße 東京 🙂", ""}
	var msgs []archive.Message
	for i, text := range texts {
		msgs = append(msgs, archive.Message{Channel: "c<&>\u2028", Seq: uint64(i + 1), ID: "id-" + text, From: "ana" + text,
			Text: text, TS: 1700000000123 + int64(i)*61001})
	}
	msgs = append(msgs,
		archive.Message{Channel: "c1", Seq: 20, ID: "e", From: "ben", Text: "now <fixed>", TS: 1, Kind: archive.KindEdit, Ref: 3},
		archive.Message{Channel: "c1", Seq: 21, ID: "d", From: "ben", TS: -62135596800001, Kind: archive.KindDelete, Ref: 20},
		archive.Message{Channel: "c1", Seq: 3, ID: "x", From: "ana", Text: "now <fixed>", TS: 2, Edited: true},
		archive.Message{Channel: "c1", Seq: 4, ID: "y", From: "ana", TS: 253402300800000, Deleted: true})
	for _, channel := range []string{"c1", "", "<chan>\u2029&\xff"} {
		for _, list := range [][]archive.Message{nil, {}, msgs[:1], msgs} {
			want := historyFrame{Type: "history", Channel: channel, Messages: make([]MessageFrame, len(list))}
			for i, m := range list {
				want.Messages[i] = ToFrame(m)
			}
			wantJSON, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if got := encodeHistory(channel, list); !bytes.Equal(got, wantJSON) {
				t.Fatalf("history frame of %d messages in %q:\n got %s\nwant %s", len(list), channel, got, wantJSON)
			}
		}
	}
}

// BenchmarkHistoryFrame: history pages written by the message encoder and
// as they were, through encoding/json: a default page (50 messages) and the
// largest page of texts that are all escapes (an attack's favourite).
func BenchmarkHistoryFrame(b *testing.B) {
	page := func(n int, text string) []archive.Message {
		msgs := make([]archive.Message, n)
		for i := range msgs {
			msgs[i] = archive.Message{Channel: "c4k2x9", Seq: uint64(i + 1), ID: "k3j4-" + fmt.Sprint(i), From: "ben",
				Text: text, TS: 1700000000123 + int64(i)}
		}
		return msgs
	}
	for _, p := range []struct {
		name string
		msgs []archive.Message
	}{
		{"50-plain", page(defaultHistory, "a message of ordinary length for an office chat, with a comma.")},
		{"200-escaped", page(maxHistory, strings.Repeat("<", 2000))},
	} {
		b.Run(p.name+"/encoder", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				encodeHistory("c4k2x9", p.msgs)
			}
		})
		b.Run(p.name+"/json", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				out := historyFrame{Type: "history", Channel: "c4k2x9", Messages: make([]MessageFrame, len(p.msgs))}
				for i, m := range p.msgs {
					out.Messages[i] = ToFrame(m)
				}
				mustJSON(out)
			}
		})
	}
}

// BenchmarkEncodeMessage is the frame every delivered message costs once.
func BenchmarkEncodeMessage(b *testing.B) {
	m := archive.Message{Channel: "c4k2x9", Seq: 42, ID: "k3j4-1", From: "ben",
		Text: "a message of ordinary length for an office chat, with a comma.", TS: 1700000000123}
	b.ReportAllocs()
	for range b.N {
		encodeMessage(m)
	}
}

// The reference the hand-written encoder is compared with: a message frame
// as encoding/json writes it.

// MessageFrame is a message as clients see it, for encoding/json.
type MessageFrame struct {
	Type      string          `json:"type,omitempty"`
	Channel   string          `json:"channel"`
	Seq       uint64          `json:"seq"`
	ID        string          `json:"id"`
	From      string          `json:"from"`
	Text      string          `json:"text"`
	TS        string          `json:"ts"`
	Kind      string          `json:"kind,omitempty"` // "edit" or "delete": about message Ref
	Ref       uint64          `json:"ref,omitempty"`
	Parent    uint64          `json:"parent,omitempty"`
	Also      bool            `json:"also,omitempty"`
	Files     []FileFrame     `json:"files,omitempty"`
	Thread    *ThreadFrame    `json:"thread,omitempty"`
	Reactions []ReactionFrame `json:"reactions,omitempty"`
	Pinned    bool            `json:"pinned,omitempty"`
	Edited    bool            `json:"edited,omitempty"`
	Deleted   bool            `json:"deleted,omitempty"`
}

// ThreadFrame and ReactionFrame are docs/conversation.md's objects.
type ThreadFrame struct {
	Replies int      `json:"replies"`
	Last    string   `json:"last"`
	People  []string `json:"people"`
}

type ReactionFrame struct {
	Emoji  string   `json:"emoji"`
	People []string `json:"people"`
}

// FileFrame is a file of a message as clients see it (docs/files.md).
type FileFrame struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	W    int    `json:"w,omitempty"`
	H    int    `json:"h,omitempty"`
}

// ToFrame turns a stored message into its frame.
func ToFrame(m archive.Message) MessageFrame {
	f := MessageFrame{Channel: m.Channel, Seq: m.Seq, ID: m.ID, From: m.From, Text: m.Text, TS: formatTS(m.TS),
		Kind: m.Kind, Ref: m.Ref, Parent: m.Parent, Also: m.Also, Pinned: m.Pinned, Edited: m.Edited, Deleted: m.Deleted}
	if m.Thread != nil {
		f.Thread = &ThreadFrame{m.Thread.Replies, formatTS(m.Thread.Last), m.Thread.People}
	}
	for _, r := range m.Reactions {
		f.Reactions = append(f.Reactions, ReactionFrame{r.Emoji, r.People})
	}
	for _, file := range m.Files {
		f.Files = append(f.Files, FileFrame{file.Name, file.Type, file.Size, file.W, file.H})
	}
	return f
}

// A message in a JSON answer (search results) is written by the same
// encoder as the frames, and reads as encoding/json wrote it before.
func TestMessageJSONMatchesTheFrames(t *testing.T) {
	for _, m := range []archive.Message{
		{Channel: "c1", Seq: 3, ID: "k3-1", From: "ana", Text: "hi <b>&</b> \u2028 \xff", TS: 1763726400000},
		{Channel: "c1", Seq: 7, ID: "e", From: "ben", Text: "fixed", TS: 1, Kind: archive.KindEdit, Ref: 3, Edited: true},
		{Channel: "c1", Seq: 8, ID: "d", From: "ben", TS: 2, Kind: archive.KindDelete, Ref: 3, Deleted: true},
	} {
		got, err := json.Marshal(Message(m))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(ToFrame(m))
		if string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	}
}
