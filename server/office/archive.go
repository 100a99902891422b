package office

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"inhouse/server/archive"
)

// Reading the archive is the auditor's act. Each read is written to the
// auditors' read log before it is answered, and a read the log refuses is
// not answered at all: the log is the account of who looked at what, and
// a read missing from it could never be answered for.
//
// The read log's query text is the door's: each door words what was asked
// in its own terms (the console by names, the API and the command line by
// their parameters), and auditors compare entries by that wording, so the
// door passes it in and the office writes it as given.

// ErrNotRecorded is a read the read log refused. A read is then not
// answered; a verify is (VerifyArchive).
var ErrNotRecorded = errors.New("it could not be written to the read log")

// recordRead appends to the read log. Tests make it fail while the archive
// still reads; a closed store would refuse both and prove nothing.
var recordRead = (*archive.Store).RecordRead

// The command line is run by whoever holds the server machine, and with it
// the data folder: refusing them would protect nothing. The read log has
// always named them so.
const (
	cliReader     = "command line"
	cliReaderRole = "operator"
)

// MayReadArchive refuses anyone but an auditor: office managers run the
// office but do not read the archive (docs/security.md). The command line
// may. A door that parses a request first asks this before, so a refused
// person hears "no" rather than about their typing.
func MayReadArchive(a Actor) error {
	if a.Via == ViaCLI || a.Role == archive.RoleAuditor {
		return nil
	}
	return &Forbidden{"Only auditors may read the archive."}
}

// record writes a read to the read log; an error is ErrNotRecorded.
func (o *Office) record(a Actor, action, asked string, results int) error {
	e := archive.ReadEntry{By: a.Name, Role: a.Role, Action: action, Query: asked, Results: results}
	if a.Via == ViaCLI {
		e.By, e.Role = cliReader, cliReaderRole
	}
	if err := recordRead(o.store, e); err != nil {
		o.log.Error("archive read log", "err", err, "action", action, "by", e.By, "via", a.Via)
		return fmt.Errorf("%w: %w", ErrNotRecorded, err)
	}
	return nil
}

// notRun says a read the log refused was not answered.
func notRun(action string, err error) error {
	return fmt.Errorf("the %s was not run: %w", action, err)
}

// SearchHit is a search hit with the record it found.
type SearchHit struct {
	archive.Hit
	Record archive.Message
}

// SearchResults is one page of a search: an auditor's has each record as
// stored (the API shows a member's, as members see them, the same way).
type SearchResults struct {
	Hits []SearchHit // newest first
	Next uint64      // Query.Before for the next, older page; 0: none
}

// SearchArchive is the auditor's search: every channel q allows, every
// version (edited and deleted texts too). asked is the search in the
// door's words, for the read log, whose entry counts the hits.
func (o *Office) SearchArchive(a Actor, q archive.Query, asked string) (SearchResults, error) {
	if err := MayReadArchive(a); err != nil {
		return SearchResults{}, err
	}
	q.AllVersions = true
	// The index gives the count without reading a record; the records are
	// read only once the search is in the log.
	hits, more := o.store.Search(q)
	if err := o.record(a, "search", asked, len(hits)); err != nil {
		return SearchResults{}, notRun("search", err)
	}
	var res SearchResults
	for _, h := range hits {
		m, err := o.store.RawMessage(h.Channel, h.Seq)
		if err != nil {
			continue // purged meanwhile
		}
		res.Hits = append(res.Hits, SearchHit{Hit: h, Record: m})
	}
	if more && len(hits) > 0 {
		res.Next = hits[len(hits)-1].Cursor
	}
	return res, nil
}

// Conversation is a message an auditor opened, as stored: every version
// of it and the records around it.
type Conversation struct {
	Channel string
	// Target is the message: opening an edit or a delete opens the
	// message it is about.
	Target   uint64
	Versions []archive.Message // the message, then its edits and deletion
	Around   []archive.Message // the records of the window, oldest first
	// MoreBefore, MoreAfter: the channel has records beyond the window.
	MoreBefore, MoreAfter bool
}

// ViewConversation opens record seq of channel with up to around records
// either side. label is the channel as the door names it to people, for
// the read log. A missing record is archive.ErrNotFound, and no read.
func (o *Office) ViewConversation(a Actor, channel string, seq uint64, around int, label string) (Conversation, error) {
	if err := MayReadArchive(a); err != nil {
		return Conversation{}, err
	}
	if seq == 0 {
		return Conversation{}, archive.ErrNotFound
	}
	raw, err := o.store.RawMessage(channel, seq)
	if err != nil {
		return Conversation{}, err
	}
	v := Conversation{Channel: channel, Target: seq}
	if raw.Kind != archive.KindMessage {
		v.Target = raw.Ref
	}
	if v.Versions, err = o.store.Versions(channel, v.Target); err != nil {
		return Conversation{}, err
	}
	end := o.store.LastSeq(channel)
	first := max(1, int64(v.Target)-int64(around))
	last := min(int64(end), int64(v.Target)+int64(around))
	for s := first; s <= last; s++ {
		if m, err := o.store.RawMessage(channel, uint64(s)); err == nil {
			v.Around = append(v.Around, m)
		}
	}
	v.MoreBefore, v.MoreAfter = first > 1, uint64(last) < end
	// The window is read to be counted, and answered only once recorded.
	asked := fmt.Sprintf("message %d in %s: %s and the conversation around it", v.Target, label, plural(len(v.Versions), "version"))
	if err := o.record(a, "view", asked, len(v.Versions)+len(v.Around)); err != nil {
		return Conversation{}, notRun("view", err)
	}
	return v, nil
}

// ExportArchive writes the records q matches, every version as stored
// with its chain link, as JSON lines or CSV, and says how many. It is
// made in memory first: the entry counts the records, and not a byte
// reaches w unless the entry was written. asked is the export in the
// door's words.
func (o *Office) ExportArchive(a Actor, w io.Writer, format string, q archive.Query, asked string) (int, error) {
	if err := MayReadArchive(a); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	n, err := o.store.Export(&buf, format, q)
	if err != nil {
		return 0, err
	}
	if err := o.record(a, "export", asked, n); err != nil {
		return 0, notRun("export", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return n, err
	}
	return n, nil
}

// VerifyArchive walks every chain. It shows no message to anyone, but it
// is an auditor's act on the archive, so it is logged as one, after the
// walk (the entry counts the records). Unlike a read it is not held back
// when the log refuses, since a failing store is when a check matters
// most: the report comes back with ErrNotRecorded.
func (o *Office) VerifyArchive(a Actor) (archive.VerifyReport, error) {
	if err := MayReadArchive(a); err != nil {
		return archive.VerifyReport{}, err
	}
	rep := o.store.Verify()
	if err := o.record(a, "verify", "every chain", rep.Records); err != nil {
		return rep, fmt.Errorf("the verify ran, but %w", err)
	}
	return rep, nil
}

// OpenArchivedFile opens a file a stored record carries, whatever members
// see now (an edited or deleted message keeps its files here), for an
// auditor; the read is recorded first, and without the entry there is no
// file. label is the channel as the door names it to people.
func (o *Office) OpenArchivedFile(a Actor, channel string, seq uint64, index int, label string) (archive.File, string, error) {
	if err := MayReadArchive(a); err != nil {
		return archive.File{}, "", err
	}
	m, err := o.store.RawMessage(channel, seq)
	if err != nil {
		return archive.File{}, "", err
	}
	if index < 0 || index >= len(m.Files) || !archive.ValidSHA256(m.Files[index].SHA256) {
		return archive.File{}, "", archive.ErrNotFound
	}
	f := m.Files[index]
	asked := fmt.Sprintf("file %q (%s) of message %d in %s", f.Name, SizeText(f.Size), seq, label)
	if err := o.record(a, "file", asked, 1); err != nil {
		return archive.File{}, "", notRun("file", err)
	}
	return f, o.store.FilePath(f.SHA256), nil
}
