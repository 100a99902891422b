package chat

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeFrame(t *testing.T) {
	cases := []struct {
		frame, code string
	}{
		{`{"type":"send","id":"a","channel":"c","text":"hi"}`, ""},
		{`{"type":"send","id":"a","channel":"c","text":"  "}`, CodeBadRequest},
		{`{"type":"send","id":"","channel":"c","text":"hi"}`, CodeBadRequest},
		{`{"type":"send","id":"a\u0007","channel":"c","text":"hi"}`, CodeBadRequest},
		{`{"type":"send","id":"` + strings.Repeat("x", 65) + `","channel":"c","text":"hi"}`, CodeBadRequest},
		{`{"type":"send","id":"a","text":"hi"}`, CodeBadRequest},
		{`{"type":"edit","id":"a","channel":"c","text":"hi"}`, CodeBadRequest},
		{`{"type":"edit","id":"a","channel":"c","text":"hi","seq":3}`, ""},
		{`{"type":"delete","id":"a","channel":"c","seq":3}`, ""},
		{`{"type":"read","channel":"c","seq":-1}`, CodeBadRequest},
		{`{"type":"read","channel":"c","seq":1.5}`, CodeBadRequest},
		{`{"type":"history","channel":"c","limit":"ten"}`, CodeBadRequest},
		{`{"type":"sync","channels":{"c":4}}`, ""},
		{`{"type":"sync","channels":{"c":"4"}}`, CodeBadRequest},
		{`{"type":"presence","status":"away"}`, ""},
		{`{"type":"presence","status":"busy"}`, CodeBadRequest},
		{`{"type":"typing"}`, CodeBadRequest},
		{`{"type":7}`, CodeBadRequest},
		{`null`, CodeBadRequest},
		{`"send"`, CodeBadRequest},
		{``, CodeBadRequest},
	}
	for _, c := range cases {
		_, err := decodeFrame([]byte(c.frame))
		got := ""
		if err != nil {
			got = err.code
		}
		if got != c.code {
			t.Errorf("%s: code %q, want %q", c.frame, got, c.code)
		}
	}
	names := make([]string, maxSyncChannels+1)
	for i := range names {
		names[i] = fmt.Sprintf(`"c%d":1`, i)
	}
	many := `{"type":"sync","channels":{` + strings.Join(names, ",") + "}}"
	if _, err := decodeFrame([]byte(many)); err == nil || err.code != CodeTooLarge {
		t.Fatalf("sync with %d channels: %v", maxSyncChannels+1, err)
	}
}

// FuzzDecodeFrame: any bytes give a frame or an error with a known code and
// a message that is valid UTF-8; nothing panics.
func FuzzDecodeFrame(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data)
		if err == nil {
			switch fr.Type {
			case "send", "edit", "delete", "sync", "history", "typing", "read", "presence":
			default:
				t.Fatalf("accepted type %q", fr.Type)
			}
			return
		}
		switch err.code {
		case CodeBadRequest, CodeTooLarge:
		default:
			t.Fatalf("unknown code %q", err.code)
		}
		if !utf8.ValidString(err.msg) || len(err.id) > maxClientID {
			t.Fatalf("error %+v", err)
		}
	})
}
