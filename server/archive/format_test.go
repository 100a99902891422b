package archive

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// Golden vectors of docs/archive-format.md: each record's canonical JSON
// (with "h" empty) and its link, written out as text. The link is
// recomputed here from the documented formula alone, and the store's own
// sealing must give the same bytes: the chain stays verifiable whatever a
// JSON library does later.
var goldenRecords = []struct {
	name, prev, key, canonical, h string
	seal                          func(prev, key string) string
}{
	{
		name:      "a message with characters JSON escapes",
		key:       "msg:c4k2:000000000001",
		canonical: `{"id":"k3j4-1","from":"ana","text":"Invoice \u003c#42\u003e \u0026 \"totals\"\n\u2028é\ufffd","ts":1773479642118,"h":""}`,
		h:         "FQWQqyI39sW9Y6syzuBHkgHzCmqhpCqs7SydIm3qJNA",
		seal: func(prev, key string) string {
			var scratch []byte
			m := Message{ID: "k3j4-1", From: "ana", Text: "Invoice <#42> & \"totals\"\n\u2028é\xff", TS: 1773479642118}
			return sealMessage(&scratch, prev, key, &m)
		},
	},
	{
		name:      "an edit of it, masked by a content rule",
		prev:      "FQWQqyI39sW9Y6syzuBHkgHzCmqhpCqs7SydIm3qJNA",
		key:       "msg:c4k2:000000000002",
		canonical: `{"id":"k3j4-2","from":"ana","text":"Invoice 42 sent","ts":1773479700000,"kind":"edit","ref":1,"m":"Invoice ** sent","h":""}`,
		h:         "lrCf++e23Tw3B0QJnbm8stO8hb3ey+XGahM9d9UE98I",
		seal: func(prev, key string) string {
			var scratch []byte
			m := Message{ID: "k3j4-2", From: "ana", Text: "Invoice 42 sent", TS: 1773479700000, Kind: KindEdit, Ref: 1, M: "Invoice ** sent"}
			return sealMessage(&scratch, prev, key, &m)
		},
	},
	{
		name:      "a message with two files",
		prev:      "lrCf++e23Tw3B0QJnbm8stO8hb3ey+XGahM9d9UE98I",
		key:       "msg:c4k2:000000000003",
		canonical: `{"id":"k3j4-3","from":"ben","text":"the delivery note","ts":1773480000000,"files":[{"sha256":"2cea274d0bedc39ec4ab6ba9e59ec889e3ed6fb56a1cf088a64d9b383378dc97","name":"note \u003c1\u003e.jpg","type":"image/jpeg","size":183004,"w":4000,"h":3000},{"sha256":"492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470","name":"list.csv","type":"text/plain; charset=utf-8","size":8}],"h":""}`,
		h:         "aOFGAcjUBJFbBVJVyGkSoNecPcWhhak3EhS1tJ3YX1U",
		seal: func(prev, key string) string {
			var scratch []byte
			m := Message{ID: "k3j4-3", From: "ben", Text: "the delivery note", TS: 1773480000000, Files: []File{
				{SHA256: "2cea274d0bedc39ec4ab6ba9e59ec889e3ed6fb56a1cf088a64d9b383378dc97", Name: "note <1>.jpg", Type: "image/jpeg", Size: 183004, W: 4000, H: 3000},
				{SHA256: "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470", Name: "list.csv", Type: "text/plain; charset=utf-8", Size: 8},
			}}
			return sealMessage(&scratch, prev, key, &m)
		},
	},
	{
		name:      "a reply in a thread, shown in the channel too",
		prev:      "aOFGAcjUBJFbBVJVyGkSoNecPcWhhak3EhS1tJ3YX1U",
		key:       "msg:c4k2:000000000004",
		canonical: `{"id":"k3j4-4","from":"cleo","text":"Checked \u0026 sent.","ts":1773480100000,"parent":1,"also":true,"h":""}`,
		h:         "qwGVRRsYSeMIKb/tqIyxtlVF9dHCRbUFAjVy9daBGnQ",
		seal: func(prev, key string) string {
			var scratch []byte
			m := Message{ID: "k3j4-4", From: "cleo", Text: "Checked & sent.", TS: 1773480100000, Parent: 1, Also: true}
			return sealMessage(&scratch, prev, key, &m)
		},
	},
	{
		name:      "a reaction",
		prev:      "qwGVRRsYSeMIKb/tqIyxtlVF9dHCRbUFAjVy9daBGnQ",
		key:       "msg:c4k2:000000000005",
		canonical: `{"id":"k3j4-5","from":"ana","text":"👍","ts":1773480200000,"kind":"react","ref":1,"h":""}`,
		h:         "Xxaw8vK6fIAcAoMJCiNlT+kGAmIIJIWtt/q3zm0jgFg",
		seal: func(prev, key string) string {
			var scratch []byte
			m := Message{ID: "k3j4-5", From: "ana", Text: "👍", TS: 1773480200000, Kind: KindReact, Ref: 1}
			return sealMessage(&scratch, prev, key, &m)
		},
	},
	{
		name:      "a membership event",
		key:       "evt:000000000001",
		canonical: `{"n":1,"type":"members_changed","channel":"c4k2","added":["ben"],"by":"ana","ts":1773479800000,"h":""}`,
		h:         "XAVkzyI4jFh/fef+ab0PTzKcEV8KFAWelikHMGrrYnE",
		seal: func(prev, key string) string {
			e := Event{N: 1, Type: "members_changed", Channel: "c4k2", Added: []string{"ben"}, By: "ana", TS: 1773479800000}
			rec, _ := seal(prev, key, &e)
			return rec
		},
	},
	{
		name:      "a read-log entry",
		key:       "reads:000000000001",
		canonical: `{"n":1,"by":"aud","role":"auditor","action":"search","query":"invoice","results":2,"ts":1773479900000,"h":""}`,
		h:         "0Q6BOv9tIJ95sK3ub7MRQkSBQ1A8+Rj98KXCheFJYqM",
		seal: func(prev, key string) string {
			r := ReadEntry{N: 1, By: "aud", Role: RoleAuditor, Action: "search", Query: "invoice", Results: 2, TS: 1773479900000}
			rec, _ := seal(prev, key, &r)
			return rec
		},
	},
}

func TestArchiveFormatGoldenVectors(t *testing.T) {
	for _, g := range goldenRecords {
		t.Run(g.name, func(t *testing.T) {
			// The documented link: SHA-256 of prev, NUL, key, NUL and the
			// canonical JSON, in unpadded standard base64.
			sum := sha256.Sum256([]byte(g.prev + "\x00" + g.key + "\x00" + g.canonical))
			if got := base64.RawStdEncoding.EncodeToString(sum[:]); got != g.h {
				t.Fatalf("the formula gives %s, the vector says %s", got, g.h)
			}
			stored := strings.TrimSuffix(g.canonical, `"h":""}`) + `"h":"` + g.h + `"}`
			if got := g.seal(g.prev, g.key); got != stored {
				t.Fatalf("the store seals\n%s\nthe format says\n%s", got, stored)
			}
		})
	}
}
