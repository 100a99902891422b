package office

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"inhouse/server/archive"
	"inhouse/server/auth"
)

// kicks records what the chat engine was told.
type kicks []string

func (k *kicks) Kick(user, reason string) { *k = append(*k, user+": "+reason) }

func (k *kicks) UnlockSignIn(user string) { *k = append(*k, user+": unlocked") }

func (k *kicks) AllowChanged(nets []netip.Prefix) {}

func (k *kicks) Tell(user string, frame []byte) { *k = append(*k, user+" told "+string(frame)) }

func (k *kicks) TellAll(frame []byte) { *k = append(*k, "all told "+string(frame)) }

func (k *kicks) Post(p archive.Post) (archive.Message, error) {
	*k = append(*k, "posted in "+p.Channel)
	return archive.Message{Channel: p.Channel, From: p.From, Text: p.Text, Confirm: p.Confirm}, nil
}

func (k *kicks) ChannelChanged(c archive.Channel, removed []string) {
	*k = append(*k, "#"+c.Name+" changed")
}

func newOffice(t *testing.T) (*Office, *archive.Store, *kicks) {
	t.Helper()
	st, err := archive.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k := &kicks{}
	return New(st, k, nil), st, k
}

const pw = "correct horse battery staple"

// lastAudit is the newest admin audit entry.
func lastAudit(t *testing.T, st *archive.Store) archive.AuditEntry {
	t.Helper()
	es, _, err := st.AuditLog(0, 1, nil)
	if err != nil || len(es) == 0 {
		t.Fatalf("no audit entry (%v)", err)
	}
	return es[0]
}

// Every door adds a person the same way; only the one-time flag differs,
// and every door leaves an audit entry naming it.
func TestAddPersonIsOneUseCaseForEveryDoor(t *testing.T) {
	o, st, _ := newOffice(t)
	for i, door := range []string{ViaAPI, ViaConsole, ViaCLI, ViaSetup} {
		name := "p" + door
		u, err := o.AddPerson(Actor{Name: "boss", Via: door}, NewPerson{Name: " " + name + " ", Display: " Pat ", Role: archive.RoleMember, Password: pw, OneTime: door == ViaConsole})
		if err != nil {
			t.Fatalf("%s: %v", door, err)
		}
		if u.Name != name || u.Display != "Pat" || u.MustChange != (door == ViaConsole) || !auth.VerifyPassword(u.Hash, pw) {
			t.Fatalf("%s: stored %+v", door, u)
		}
		if e := lastAudit(t, st); e.Via != door || e.Action != "person.add" || e.Target != name {
			t.Fatalf("%s (%d): audit %+v", door, i, e)
		}
	}
	// No display name: the user name stands in.
	if u, err := o.AddPerson(Actor{Via: ViaCLI}, NewPerson{Name: "bare", Password: pw}); err != nil || u.Display != "bare" || u.Role != archive.RoleMember {
		t.Fatalf("bare: %+v %v", u, err)
	}
}

// Bad input is told all at once, field by field, and a taken name is also
// archive.ErrExists (the API's 409).
func TestAddPersonTellsEveryProblem(t *testing.T) {
	o, _, _ := newOffice(t)
	_, err := o.AddPerson(Actor{Via: ViaAPI}, NewPerson{Name: "Not A Name!", Role: "boss", Password: "short"})
	p, ok := AsProblems(err)
	if !ok || len(p) != 3 {
		t.Fatalf("problems %v (%v)", p, err)
	}
	var fields []string
	for _, x := range p {
		fields = append(fields, x.Field)
	}
	if !slices.Equal(fields, []string{"name", "role", "password"}) {
		t.Fatalf("fields %v", fields)
	}
	if _, err := o.AddPerson(Actor{Via: ViaAPI}, NewPerson{Name: "ana", Password: pw}); err != nil {
		t.Fatal(err)
	}
	_, err = o.AddPerson(Actor{Via: ViaAPI}, NewPerson{Name: "ana", Password: pw})
	if p, ok := AsProblems(err); !ok || !errors.Is(err, archive.ErrExists) || p[0].Field != "name" {
		t.Fatalf("a taken name: %v", err)
	}
}

// Disabling ends sessions, tells the chat engine and is audited; nobody
// disables themselves.
func TestDisableAndPasswordsTellTheChatEngine(t *testing.T) {
	o, st, k := newOffice(t)
	boss := Actor{Name: "boss", Via: ViaConsole}
	o.AddPerson(boss, NewPerson{Name: "boss", Role: archive.RoleAdmin, Password: pw})
	o.AddPerson(boss, NewPerson{Name: "ana", Password: pw})
	if _, err := st.AddSession("tok", "ana", "csrf"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.DisablePerson(boss, "boss"); err == nil {
		t.Fatal("the manager disabled themselves")
	}
	if _, err := o.DisablePerson(boss, "ana"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SessionFor("tok"); err == nil {
		t.Fatal("her session survived")
	}
	if u, _ := st.User("ana"); !u.Disabled || lastAudit(t, st).Action != "person.disable" {
		t.Fatalf("not disabled or not audited: %+v", u)
	}
	if _, err := o.SetPassword(boss, "ana", "another fine passphrase", true); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.User("ana"); !u.MustChange || !auth.VerifyPassword(u.Hash, "another fine passphrase") {
		t.Fatalf("after a reset: %+v", u)
	}
	if err := o.ChangeOwnPassword("ana", "another fine passphrase", "another fine passphrase"); err == nil {
		t.Fatal("the same password was accepted as a new one")
	}
	if err := o.ChangeOwnPassword("ana", "another fine passphrase", "her very own passphrase"); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.User("ana"); u.MustChange {
		t.Fatal("still must change after choosing her own")
	}
	want := []string{"ana: account disabled", "ana: password reset", "ana: unlocked", "ana: password changed", "ana: unlocked"}
	if !slices.Equal(*k, want) {
		t.Fatalf("the chat engine was told %v, want %v", *k, want)
	}
}

// First run makes #general with the manager in it, and everyone added
// later joins it: nobody lands on an empty page.
func TestFirstRunMakesGeneralThatEveryoneJoins(t *testing.T) {
	o, st, _ := newOffice(t)
	boss, err := o.SetUpOffice(NewPerson{Name: "boss", Display: "The Boss", Password: pw})
	if err != nil || boss.Role != archive.RoleAdmin {
		t.Fatalf("setup: %+v %v", boss, err)
	}
	id := st.Settings().Welcome
	general, err := st.Channel(id)
	if err != nil || general.Name != "general" || general.Kind != archive.KindPublic || !general.Has("boss") {
		t.Fatalf("#general: %+v %v", general, err)
	}
	a := Actor{Name: "boss", Role: archive.RoleAdmin, Via: ViaConsole}
	for _, n := range []string{"ana", "ben"} {
		if _, err := o.AddPerson(a, NewPerson{Name: n, Password: pw, OneTime: true}); err != nil {
			t.Fatal(err)
		}
	}
	if general, _ = st.Channel(id); !general.Has("ana") || !general.Has("ben") {
		t.Fatalf("new people are not in #general: %v", general.Members)
	}
	// An archived welcome channel takes nobody new, and adding still works.
	if _, err := o.ArchiveChannel(a, id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := o.AddPerson(a, NewPerson{Name: "cleo", Password: pw}); err != nil {
		t.Fatal(err)
	}
	if general, _ = st.Channel(id); general.Has("cleo") {
		t.Fatal("joined an archived welcome channel")
	}
}
