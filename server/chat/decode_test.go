package chat

import (
	"encoding/json"
	"fmt"
	"reflect"
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
//
// The fast reader of flat frames must agree with encoding/json on every
// frame it takes.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"send","id":"k3-1","channel":"c4k2","text":"Sent it at 9."}`,
		` { "type" : "read" , "channel":"c","seq":18446744073709551615 }`,
		`{"type":"history","channel":"c","before":12,"limit":50}`,
		`{"type":"send","id":"a","channel":"c","text":"ünï ✓","id":"b"}`,
		`{"type":"read","channel":"c","seq":01}`,
		`{"Type":"typing","channel":"c"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if fast, ok := decodeFlat(data); ok {
			var want inFrame
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("fast reader took %q, encoding/json refuses it: %v", data, err)
			}
			if !reflect.DeepEqual(fast, want) {
				t.Fatalf("%q: fast reader %+v, encoding/json %+v", data, fast, want)
			}
		}
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

// The common frames take the fast reader; frames with escapes or unknown
// keys go to encoding/json and still decode.
func TestDecodeFlatTakesTheCommonFrames(t *testing.T) {
	for _, s := range []string{
		`{"type":"send","id":"k3-1","channel":"c4k2","text":"Sent it at 9 ✓"}`,
		`{"type":"typing","channel":"c4k2"}`,
		`{"type":"read","channel":"c4k2","seq":41}`,
		`{"type":"history","channel":"c4k2","before":120,"limit":50}`,
		`{"type":"presence","status":"away"}`,
	} {
		if _, ok := decodeFlat([]byte(s)); !ok {
			t.Errorf("fast reader refused %s", s)
		}
	}
	for _, s := range []string{
		`{"type":"send","id":"k3-1","channel":"c4k2","text":"two\nlines"}`,
		`{"type":"send","id":"k3-1","channel":"c4k2","text":"hi","extra":true}`,
		`{"type":"sync","channels":{"c4k2":3}}`,
	} {
		if _, ok := decodeFlat([]byte(s)); ok {
			t.Errorf("fast reader took %s", s)
		}
		if _, err := decodeFrame([]byte(s)); err != nil {
			t.Errorf("%s: %+v", s, err)
		}
	}
}
