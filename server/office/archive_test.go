package office

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"inhouse/server/archive"
)

// archiveFixture is an office with an auditor, a manager, a member and
// #general: a greeting, a message and its edit.
type archiveFixture struct {
	o                 *Office
	st                *archive.Store
	general           string
	first, lost, edit uint64
}

var (
	audra = Actor{Name: "audra", Role: archive.RoleAuditor, Via: ViaConsole}
	boss  = Actor{Name: "boss", Role: archive.RoleAdmin, Via: ViaConsole}
	mia   = Actor{Name: "mia", Role: archive.RoleMember, Via: ViaAPI}
	shell = Actor{Name: "command line (root)", Via: ViaCLI}
)

func newArchiveFixture(t *testing.T) *archiveFixture {
	t.Helper()
	o, st, _ := newOffice(t)
	for _, a := range []Actor{audra, boss, mia} {
		if _, err := o.AddPerson(boss, NewPerson{Name: a.Name, Role: a.Role, Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := o.CreateChannel(boss, NewChannel{Name: "general", Members: []string{"mia"}})
	if err != nil {
		t.Fatal(err)
	}
	f := &archiveFixture{o: o, st: st, general: c.ID}
	say := func(p archive.Post) uint64 {
		t.Helper()
		p.Channel, p.ClientID, p.Masked = c.ID, fmt.Sprint("c", p.Text, p.Kind), p.Text
		done := make(chan error, 1)
		var seq uint64
		st.Append(p, func(m archive.Message, _ bool, err error) { seq = m.Seq; done <- err })
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return seq
	}
	f.first = say(archive.Post{From: "boss", Text: "good morning"})
	f.lost = say(archive.Post{From: "mia", Text: "invoice 42 is lost"})
	f.edit = say(archive.Post{From: "mia", Text: "invoice 42 is paid", Kind: archive.KindEdit, Ref: f.lost})
	return f
}

// reads is the read log, newest first.
func (f *archiveFixture) reads() []archive.ReadEntry { return f.st.ReadLog(0, 1000) }

// onRecord replaces the read log's writer for one test.
func onRecord(t *testing.T, fn func(s *archive.Store, e archive.ReadEntry) error) {
	t.Helper()
	saved := recordRead
	recordRead = fn
	t.Cleanup(func() { recordRead = saved })
}

// Each read is written to the read log, with who, what and how much,
// before anything of it is answered.
func TestArchiveReadsAreRecordedFirst(t *testing.T) {
	f := newArchiveFixture(t)
	var out bytes.Buffer
	onRecord(t, func(s *archive.Store, e archive.ReadEntry) error {
		if out.Len() > 0 {
			t.Errorf("%s: %d bytes were out before the read was recorded", e.Action, out.Len())
		}
		return s.RecordRead(e)
	})
	want := func(what, by, role, action, query string, results int) {
		t.Helper()
		e := f.reads()[0]
		if e.By != by || e.Role != role || e.Action != action || e.Query != query || e.Results != results {
			t.Fatalf("%s logged %+v", what, e)
		}
	}

	res, err := f.o.SearchArchive(audra, archive.Query{Words: "invoice"}, `words "invoice"`)
	if err != nil || len(res.Hits) != 2 || res.Next != 0 {
		t.Fatalf("search: %+v %v", res, err)
	}
	// Every version, as stored: the edit and the text it replaced.
	if res.Hits[0].Record.Text != "invoice 42 is paid" || res.Hits[1].Record.Text != "invoice 42 is lost" {
		t.Fatalf("search found %+v", res.Hits)
	}
	want("a search", "audra", "auditor", "search", `words "invoice"`, 2)

	res, err = f.o.SearchArchive(audra, archive.Query{Limit: 1}, "everything")
	if err != nil || len(res.Hits) != 1 || res.Next == 0 {
		t.Fatalf("a page of one: %+v %v", res, err)
	}
	want("a page", "audra", "auditor", "search", "everything", 1)

	v, err := f.o.ViewConversation(audra, f.general, f.edit, 10, "#general")
	if err != nil || v.Target != f.lost || len(v.Versions) != 2 || len(v.Around) != 3 || v.MoreBefore || v.MoreAfter {
		t.Fatalf("view of the edit: %+v %v", v, err)
	}
	want("a view", "audra", "auditor", "view", fmt.Sprintf("message %d in #general: 2 versions and the conversation around it", f.lost), 5)
	v, err = f.o.ViewConversation(audra, f.general, f.lost, 1, "#general")
	if err != nil || len(v.Around) != 3 || v.MoreBefore || v.MoreAfter {
		t.Fatalf("a window of one: %+v %v", v, err)
	}
	if v, err = f.o.ViewConversation(audra, f.general, f.first, 0, "#general"); err != nil || len(v.Around) != 1 || v.MoreBefore || !v.MoreAfter {
		t.Fatalf("a window of none: %+v %v", v, err)
	}
	want("a view", "audra", "auditor", "view", fmt.Sprintf("message %d in #general: 1 version and the conversation around it", f.first), 2)
	before := len(f.reads())
	if _, err := f.o.ViewConversation(audra, f.general, 99, 10, "#general"); !errors.Is(err, archive.ErrNotFound) || len(f.reads()) != before {
		t.Fatalf("a missing message: %v, %d entries added", err, len(f.reads())-before)
	}

	n, err := f.o.ExportArchive(audra, &out, "jsonl", archive.Query{From: "mia"}, "evidence pack: by mia")
	if err != nil || n != 2 || strings.Count(out.String(), "\n") != 2 {
		t.Fatalf("export: %d %v\n%s", n, err, out.String())
	}
	want("an export", "audra", "auditor", "export", "evidence pack: by mia", 2)

	// The command line: whoever holds the machine, named as ever.
	out.Reset()
	if n, err := f.o.ExportArchive(shell, &out, "csv", archive.Query{}, "format=csv"); err != nil || n != 3 || !strings.HasPrefix(out.String(), "channel,") {
		t.Fatalf("command-line export: %d %v\n%s", n, err, out.String())
	}
	want("a command-line export", "command line", "operator", "export", "format=csv", 3)
	out.Reset() // a verify answers no bytes

	rep, err := f.o.VerifyArchive(audra)
	if err != nil || rep.Problem != "" || rep.Records == 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	want("a verify", "audra", "auditor", "verify", "every chain", rep.Records)
	if _, err := f.o.VerifyArchive(shell); err != nil {
		t.Fatal(err)
	}
	if e := f.reads()[0]; e.By != "command line" || e.Role != "operator" || e.Action != "verify" {
		t.Fatalf("command-line verify logged %+v", e)
	}
}

// A read the log refuses is answered with nothing; a verify still runs and
// says it was not recorded.
func TestArchiveReadsTheLogRefusesAreNotAnswered(t *testing.T) {
	f := newArchiveFixture(t)
	disk := errors.New("disk full")
	onRecord(t, func(*archive.Store, archive.ReadEntry) error { return disk })
	notRecorded := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrNotRecorded) || !errors.Is(err, disk) {
			t.Fatalf("%s: %v, want ErrNotRecorded", what, err)
		}
	}

	res, err := f.o.SearchArchive(audra, archive.Query{Words: "invoice"}, "x")
	notRecorded("search", err)
	if len(res.Hits) != 0 || res.Next != 0 {
		t.Fatalf("unrecorded search answered %+v", res)
	}
	v, err := f.o.ViewConversation(audra, f.general, f.lost, 10, "#general")
	notRecorded("view", err)
	if len(v.Versions) != 0 || len(v.Around) != 0 || v.Target != 0 {
		t.Fatalf("unrecorded view answered %+v", v)
	}
	for _, a := range []Actor{audra, shell} {
		var out bytes.Buffer
		n, err := f.o.ExportArchive(a, &out, "jsonl", archive.Query{}, "x")
		notRecorded("export via "+a.Via, err)
		if n != 0 || out.Len() != 0 {
			t.Fatalf("unrecorded export via %s wrote %d records:\n%s", a.Via, n, out.String())
		}
	}
	rep, err := f.o.VerifyArchive(audra)
	notRecorded("verify", err)
	if rep.Records == 0 || !strings.Contains(err.Error(), "the verify ran") {
		t.Fatalf("unrecorded verify: %+v %v", rep, err)
	}
	if len(f.reads()) != 0 {
		t.Fatalf("read log has %+v", f.reads())
	}
}

// A store that takes no more writes refuses the entry: the search, whose
// index is in memory and still finds, answers nothing.
func TestArchiveSearchOnAFailedStoreIsNotAnswered(t *testing.T) {
	f := newArchiveFixture(t)
	f.st.Close()
	res, err := f.o.SearchArchive(audra, archive.Query{Words: "invoice"}, "x")
	if !errors.Is(err, ErrNotRecorded) || len(res.Hits) != 0 {
		t.Fatalf("search of a closed store: %+v %v", res, err)
	}
}

// Only auditors read the archive (and the command line, which holds the
// data folder anyway); anyone else is refused before anything is read or
// recorded.
func TestArchiveIsForAuditorsOnly(t *testing.T) {
	f := newArchiveFixture(t)
	onRecord(t, func(_ *archive.Store, e archive.ReadEntry) error {
		t.Errorf("%s by %s was recorded", e.Action, e.By)
		return nil
	})
	for _, a := range []Actor{boss, mia, {Name: "ana", Via: ViaAPI}, {Name: "boss", Role: archive.RoleAdmin, Via: ViaSetup}} {
		forbidden := func(what string, err error) {
			t.Helper()
			var no *Forbidden
			if !errors.As(err, &no) || MayReadArchive(a) == nil {
				t.Fatalf("%s by %+v: %v, want Forbidden", what, a, err)
			}
		}
		res, err := f.o.SearchArchive(a, archive.Query{}, "everything")
		forbidden("search", err)
		if len(res.Hits) != 0 {
			t.Fatalf("%+v searched: %+v", a, res)
		}
		v, err := f.o.ViewConversation(a, f.general, f.lost, 10, "#general")
		forbidden("view", err)
		if len(v.Versions) != 0 {
			t.Fatalf("%+v viewed: %+v", a, v)
		}
		var out bytes.Buffer
		n, err := f.o.ExportArchive(a, &out, "jsonl", archive.Query{}, "x")
		forbidden("export", err)
		if n != 0 || out.Len() != 0 {
			t.Fatalf("%+v exported %d", a, n)
		}
		rep, err := f.o.VerifyArchive(a)
		forbidden("verify", err)
		if rep.Records != 0 {
			t.Fatalf("%+v verified %+v", a, rep)
		}
	}
	for _, a := range []Actor{audra, {Name: "audra", Role: archive.RoleAuditor, Via: ViaAPI}, shell} {
		if err := MayReadArchive(a); err != nil {
			t.Fatalf("%+v refused: %v", a, err)
		}
	}
}
