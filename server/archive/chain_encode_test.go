package archive

import (
	"encoding/json"
	"testing"
)

// FuzzMessageJSON: the hand-written encoding of a stored message is the one
// encoding/json writes, byte for byte: the chain's hashes depend on it.
func FuzzMessageJSON(f *testing.F) {
	f.Add("k3-1", "ana", "hi <b>&</b>\n", int64(1763726400000), "", uint64(0), "", "")
	f.Add("k3-2", "ben", "edited \u2028 \xff", int64(-1), KindEdit, uint64(7), "masked ****", "hAsH+/")
	f.Fuzz(func(t *testing.T, id, from, text string, ts int64, kind string, ref uint64, masked, h string) {
		m := Message{ID: id, From: from, Text: text, TS: ts, Kind: kind, Ref: ref, M: masked, H: h, Channel: "c", Seq: 3}
		want, err := json.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		// Sealing by hand gives the record and link the general way gives.
		m.H = ""
		canonical, _ := json.Marshal(&m)
		link := linkHash("prev-link", "msg:c:000000000003", canonical)
		m.H = link
		record, _ := json.Marshal(&m)
		scratch := []byte("left over from the message before")
		if got := sealMessage(&scratch, "prev-link", "msg:c:000000000003", &m); got != string(record) || m.H != link {
			t.Fatalf("sealed %s (h %s)\nwant %s (h %s)", got, m.H, record, link)
		}
	})
}

func TestMsgKeyPads(t *testing.T) {
	for seq, want := range map[uint64]string{1: "msg:c4:000000000001", 123456789012: "msg:c4:123456789012", 1234567890123: "msg:c4:1234567890123"} {
		if got := msgKey("c4", seq); got != want {
			t.Errorf("msgKey(c4, %d) = %s, want %s", seq, got, want)
		}
	}
}
