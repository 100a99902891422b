package office

import (
	"errors"
	"slices"
	"testing"

	"inhouse/server/archive"
)

// Channel use cases tell the chat engine themselves, and the office's
// settings apply whichever door they come through.
func TestChannelUseCasesAnnounceThemselves(t *testing.T) {
	o, st, live := newOffice(t)
	boss := Actor{Name: "boss", Role: archive.RoleAdmin, Via: ViaConsole}
	ana := Actor{Name: "ana", Role: archive.RoleMember, Via: ViaAPI}
	for _, p := range []NewPerson{{Name: "boss", Role: archive.RoleAdmin, Password: pw}, {Name: "ana", Password: pw}, {Name: "ben", Password: pw}} {
		if _, err := o.AddPerson(boss, p); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := o.CreateChannel(ana, NewChannel{Name: "Front Desk", Join: true})
	if err != nil || pub.Name != "front-desk" || !pub.Has("ana") {
		t.Fatalf("create: %+v %v", pub, err)
	}
	if _, err := o.CreateChannel(ana, NewChannel{Name: "front-desk"}); !errors.Is(err, archive.ErrExists) {
		t.Fatalf("a taken name: %v", err)
	}
	if _, err := o.CreateChannel(ana, NewChannel{Name: "bad name!!"}); err == nil {
		t.Fatal("a bad name was accepted")
	}
	if c, err := o.JoinChannel(Actor{Name: "ben", Role: archive.RoleMember, Via: ViaAPI}, pub.ID); err != nil || !c.Has("ben") {
		t.Fatalf("join: %v", err)
	}
	priv, err := o.CreateChannel(boss, NewChannel{Name: "salaries", Private: true, Members: []string{"ana"}})
	if err != nil || priv.Has("boss") {
		t.Fatalf("a private channel set up for others: %+v %v", priv, err)
	}
	if _, err := o.JoinChannel(Actor{Name: "ben", Via: ViaAPI}, priv.ID); !errors.Is(err, archive.ErrNotFound) {
		t.Fatalf("joining a private channel: %v", err)
	}
	if _, err := o.ChangeMembers(boss, priv.ID, []string{"boss"}, nil); !errors.Is(err, archive.ErrSelfAddPrivate) {
		t.Fatalf("the manager adding themselves to a private channel: %v", err)
	}
	if _, err := o.ChangeMembers(boss, priv.ID, []string{"ben"}, []string{"ana"}); err != nil {
		t.Fatal(err)
	}
	if changed, err := o.EditChannel(boss, pub.ID, "reception", archive.KindPublic, true); err != nil || changed == "" {
		t.Fatalf("edit: %q %v", changed, err)
	}
	if _, err := o.ArchiveChannel(boss, pub.ID, true); err != nil {
		t.Fatal(err)
	}
	dm, err := o.OpenDirect(ana, "ben")
	if err != nil || dm.Kind != archive.KindDirect {
		t.Fatalf("direct: %+v %v", dm, err)
	}
	want := []string{"#front-desk changed", "#front-desk changed", "#salaries changed", "#salaries changed",
		"#reception changed", "#reception changed", "#" + dm.Name + " changed"}
	if !slices.Equal(*live, want) {
		t.Fatalf("the chat engine was told %v, want %v", *live, want)
	}
	// An office where only the manager creates channels and starts
	// direct messages.
	set := st.Settings()
	set.ChannelsBy, set.DirectBy = archive.AdminsOnly, archive.AdminsOnly
	if err := st.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	var f *Forbidden
	if _, err := o.CreateChannel(ana, NewChannel{Name: "mine"}); !errors.As(err, &f) {
		t.Fatalf("a member creating a channel in a managed office: %v", err)
	}
	if _, err := o.CreateChannel(boss, NewChannel{Name: "theirs"}); err != nil {
		t.Fatalf("the manager: %v", err)
	}
	if _, err := o.OpenDirect(Actor{Name: "ben", Role: archive.RoleMember, Via: ViaAPI}, "boss"); !errors.As(err, &f) {
		t.Fatalf("a member starting a new direct message in a managed office: %v", err)
	}
	if _, err := o.OpenDirect(Actor{Name: "ben", Role: archive.RoleMember, Via: ViaAPI}, "ana"); err != nil {
		t.Fatalf("an existing direct conversation: %v", err)
	}
}
