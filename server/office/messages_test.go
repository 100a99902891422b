package office

import (
	"strings"
	"testing"

	"inhouse/server/archive"
	"inhouse/server/rules"
)

// The message rules refuse with the contract's codes, in the order the
// person can act on: size, membership, the channel, the policy.
func TestMessageRulesRefuseWithTheirCode(t *testing.T) {
	o, st, _ := newOffice(t)
	boss := Actor{Name: "boss", Role: archive.RoleAdmin, Via: ViaConsole}
	for _, p := range []NewPerson{{Name: "boss", Role: archive.RoleAdmin, Password: pw}, {Name: "ana", Password: pw}, {Name: "ben", Password: pw}} {
		if _, err := o.AddPerson(boss, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"boss", "ana"} {
		if err := st.AcceptPolicy(n, st.Policy().Version); err != nil {
			t.Fatal(err)
		}
	}
	room, err := o.CreateChannel(boss, NewChannel{Name: "room", Join: true, Members: []string{"ana", "ben"}})
	if err != nil {
		t.Fatal(err)
	}
	news, err := o.CreateChannel(boss, NewChannel{Name: "news", Announce: true, Join: true, Members: []string{"ana"}})
	if err != nil {
		t.Fatal(err)
	}
	old, err := o.CreateChannel(boss, NewChannel{Name: "old", Join: true, Members: []string{"ana"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.ArchiveChannel(boss, old.ID, true); err != nil {
		t.Fatal(err)
	}
	secret, err := o.CreateChannel(boss, NewChannel{Name: "secret", Private: true, Join: true})
	if err != nil {
		t.Fatal(err)
	}
	m := o.Messages()
	text := func(s string) *string { return &s }
	long := strings.Repeat("x", st.Settings().MaxText+1)
	for _, c := range []struct {
		name, user, channel string
		text                *string
		code                string // "" when allowed
	}{
		{"a message in a room", "ana", room.ID, text("hi"), ""},
		{"a delete (no text)", "ana", room.ID, nil, ""},
		{"too long", "ana", room.ID, &long, RefusedTooLarge},
		{"no such channel", "ana", "nope", text("hi"), RefusedNotFound},
		{"not a member", "ana", secret.ID, text("hi"), RefusedForbidden},
		{"an archived channel", "ana", old.ID, text("hi"), RefusedForbidden},
		{"an announcement, not the manager", "ana", news.ID, text("hi"), RefusedForbidden},
		{"an announcement by the manager", "boss", news.ID, text("hi"), ""},
		{"the policy not accepted", "ben", room.ID, text("hi"), RefusedPolicy},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := m.MayPost(c.user, c.channel, c.text)
			switch {
			case c.code == "" && r != nil:
				t.Fatalf("refused: %+v", r)
			case c.code != "" && (r == nil || r.Code != c.code || r.Message == ""):
				t.Fatalf("got %+v, want code %s", r, c.code)
			}
		})
	}
	if r := m.Member("ben", secret.ID); r == nil || r.Code != RefusedForbidden {
		t.Fatalf("reading a channel one is not in: %+v", r)
	}

	// Content rules: block refuses and queues a masked excerpt; flag lets
	// it through with a verdict to queue once stored.
	if err := o.AddRule(boss, rules.Rule{ID: "iban", Name: "bank accounts", Kind: rules.KindDetector, Detector: "iban", Action: rules.ActionBlock, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := o.AddRule(boss, rules.Rule{ID: "salary", Name: "salaries", Kind: rules.KindPattern, Pattern: "salary", Action: rules.ActionFlag, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, v, r := m.Screen("ana", room.ID, "pay to DE89 3704 0044 0532 0130 00 please"); v != nil || r == nil || r.Code != RefusedBlocked || !strings.Contains(r.Message, "bank accounts") {
		t.Fatalf("block: %+v %+v", v, r)
	}
	if f := st.Flags(true, 10); len(f) != 1 || strings.Contains(f[0].Excerpt, "0532") {
		t.Fatalf("the blocked message's flag: %+v", f)
	}
	masked, v, r := m.Screen("ana", room.ID, "my salary is late")
	if r != nil || v == nil || v.Action != rules.ActionFlag || masked != "my salary is late" {
		t.Fatalf("flag: %+v %+v %q", v, r, masked)
	}
	if masked, v, r := m.Screen("ana", room.ID, "lunch?"); v != nil || r != nil || masked != "lunch?" {
		t.Fatalf("nothing matched: %+v %+v", v, r)
	}
}
