package archive

import (
	"errors"
	"testing"
)

func TestGroupChannelsCreateRenameArchive(t *testing.T) {
	s, dir, general := setup(t)
	c, err := s.CreateGroupChannel(NewChannel{Name: "News Desk", Announce: true, Creator: "boss", Members: []string{"ben"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "news-desk" || c.Kind != KindPublic || !c.Announce || c.Has("boss") || !c.Has("ben") {
		t.Fatalf("created %+v", c)
	}
	if _, err := s.CreateGroupChannel(NewChannel{Name: "news-desk"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := s.CreateGroupChannel(NewChannel{Name: "x", Members: []string{"nobody"}}); err == nil {
		t.Fatalf("unknown member accepted")
	}
	if _, err := s.UpdateChannel(c.ID, func(x *Channel) error { x.Name = "general"; return nil }); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto another channel: %v", err)
	}
	u, err := s.UpdateChannel(c.ID, func(x *Channel) error {
		x.Name, x.Kind, x.Archived = "News", KindPrivate, true
		x.Members = nil // ignored: members change through ChangeMembers
		return nil
	})
	if err != nil || u.Name != "news" || u.Kind != KindPrivate || !u.Archived || !u.Has("ben") {
		t.Fatalf("update: %+v %v", u, err)
	}
	if _, err := s.UpdateChannel(c.ID, func(x *Channel) error { x.Kind = KindDirect; return nil }); err == nil {
		t.Fatalf("made a group channel direct")
	}
	if archived, announce, ok := s.SendRule(c.ID); !archived || !announce || !ok {
		t.Fatalf("send rule: %v %v %v", archived, announce, ok)
	}
	if _, _, ok := s.SendRule("nope"); ok {
		t.Fatalf("send rule of an unknown channel")
	}
	d, _, err := s.DirectChannel("ana", "ben")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateChannel(d.ID, func(x *Channel) error { x.Archived = true; return nil }); err == nil {
		t.Fatalf("changed a direct conversation")
	}
	s.Close()

	// The old name is free again and the new one is taken, after a reopen too.
	s = open(t, dir)
	defer s.Close()
	if _, err := s.CreateGroupChannel(NewChannel{Name: "news-desk"}); err != nil {
		t.Fatalf("old name not freed: %v", err)
	}
	if _, err := s.CreateGroupChannel(NewChannel{Name: "news"}); !errors.Is(err, ErrExists) {
		t.Fatalf("new name not taken: %v", err)
	}
	got, _ := s.Channel(c.ID)
	if !got.Archived || got.Name != "news" {
		t.Fatalf("after reopen: %+v", got)
	}
	_ = general
}

func TestAccessSettings(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	st := s.Settings()
	if st.AdminsOnlyChannels() || st.AdminsOnlyDirect() || st.AllowPrefixes() != nil {
		t.Fatalf("defaults: %+v", st)
	}
	st.ChannelsBy, st.DirectBy = AdminsOnly, AdminsOnly
	st.Allow = []string{"192.168.1.7/24", " 10.0.0.5 ", "", "192.168.1.0/24"}
	if err := s.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	got := s.Settings()
	if !got.AdminsOnlyChannels() || !got.AdminsOnlyDirect() || len(got.Allow) != 2 || got.Allow[0] != "10.0.0.5/32" || got.Allow[1] != "192.168.1.0/24" {
		t.Fatalf("saved: %+v", got)
	}
	for _, bad := range []Settings{
		{OfficeName: "x", MaxText: 10, ChannelsBy: "bosses"},
		{OfficeName: "x", MaxText: 10, Allow: []string{"not a network"}},
	} {
		if err := s.SaveSettings(bad); err == nil {
			t.Fatalf("accepted %+v", bad)
		}
	}
}
