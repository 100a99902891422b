package chat

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
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
		for _, variant := range []archive.Message{m, {Channel: "c1", Seq: 7, ID: "e", From: "ben", Text: text, TS: 1, Kind: "edit", Ref: 3, Edited: true}} {
			want := ToFrame(variant)
			want.Type = "message"
			var got MessageFrame
			if err := json.Unmarshal(encodeMessage(variant), &got); err != nil {
				t.Fatalf("message frame for %q is not JSON: %v: %s", text, err, encodeMessage(variant))
			}
			wantJSON, _ := json.Marshal(want)
			var wantBack MessageFrame
			json.Unmarshal(wantJSON, &wantBack)
			if !reflect.DeepEqual(got, wantBack) {
				t.Fatalf("message frame for %q:\n got %+v\nwant %+v", text, got, wantBack)
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
