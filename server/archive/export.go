package archive

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ExportRecord is one record of an export: every version, as stored, with
// its chain link, so an export is evidence on its own.
type ExportRecord struct {
	Channel     string       `json:"channel"`
	ChannelName string       `json:"channel_name"`
	Seq         uint64       `json:"seq"`
	ID          string       `json:"id"`
	From        string       `json:"from"`
	Text        string       `json:"text"`
	TS          string       `json:"ts"`
	Kind        string       `json:"kind,omitempty"`
	Ref         uint64       `json:"ref,omitempty"`
	Parent      uint64       `json:"parent,omitempty"` // a reply: its thread's root
	Files       []ExportFile `json:"files,omitempty"`
	H           string       `json:"h"`
}

// ExportFile is a file of an exported record: what the record says of it,
// and where its bytes are, relative to the data folder (and inside an
// evidence pack).
type ExportFile struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Path   string `json:"path"`
}

// FileRelPath is where a stored file is, relative to the data folder.
func FileRelPath(sha string) string { return filesDir + "/" + sha[:2] + "/" + sha }

func exportFiles(files []File) []ExportFile {
	var out []ExportFile
	for _, f := range files {
		if ValidSHA256(f.SHA256) {
			out = append(out, ExportFile{Name: f.Name, Type: f.Type, Size: f.Size, SHA256: f.SHA256, Path: FileRelPath(f.SHA256)})
		}
	}
	return out
}

// seqCell is a seq, or nothing for 0.
func seqCell(seq uint64) string {
	if seq == 0 {
		return ""
	}
	return strconv.FormatUint(seq, 10)
}

// filesCell says a record's files in one CSV cell.
func filesCell(files []ExportFile) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = fmt.Sprintf("%s (%d bytes, sha256 %s)", f.Name, f.Size, f.SHA256)
	}
	return strings.Join(parts, "; ")
}

// Matching returns every record that q matches, oldest first, as stored.
func (s *Store) Matching(q Query) ([]Message, error) {
	q.AllVersions, q.all, q.Limit, q.Before = true, true, math.MaxInt32, 0
	hits, _ := s.index.search(q)
	slices.Reverse(hits)
	out := make([]Message, 0, len(hits))
	for _, h := range hits {
		m, err := s.RawMessage(h.Channel, h.Seq)
		if err == ErrNotFound {
			continue // purged meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Export writes the records q matches as JSON lines or CSV. It returns how
// many it wrote.
func (s *Store) Export(w io.Writer, format string, q Query) (int, error) {
	msgs, err := s.Matching(q)
	if err != nil {
		return 0, err
	}
	names := map[string]string{}
	for _, c := range s.Channels(nil) {
		names[c.ID] = c.Name
	}
	recs := make([]ExportRecord, len(msgs))
	for i, m := range msgs {
		recs[i] = ExportRecord{Channel: m.Channel, ChannelName: names[m.Channel], Seq: m.Seq, ID: m.ID, From: m.From,
			Text: m.Text, TS: m.Time().Format("2006-01-02T15:04:05.000Z07:00"), Kind: m.Kind, Ref: m.Ref, Parent: m.Parent, Files: exportFiles(m.Files), H: m.H}
	}
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return 0, err
			}
		}
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"channel", "channel_name", "seq", "id", "from", "text", "ts", "kind", "ref", "h", "files", "parent"})
		for _, r := range recs {
			ref := ""
			if r.Ref > 0 {
				ref = strconv.FormatUint(r.Ref, 10)
			}
			cw.Write(CSVRow(r.Channel, r.ChannelName, strconv.FormatUint(r.Seq, 10), r.ID, r.From, r.Text, r.TS, r.Kind, ref, r.H, filesCell(r.Files), seqCell(r.Parent)))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return 0, err
		}
	default:
		return 0, userErr(fmt.Errorf("export format %q: use jsonl or csv", format))
	}
	return len(recs), nil
}

// CSVRow is a row of cells a spreadsheet shows but never runs: every CSV
// the office downloads goes through it. A cell that starts like a formula
// (= + - @), or with the tab or carriage return a spreadsheet skips before
// one, gets a leading apostrophe (OWASP's advice on CSV injection).
func CSVRow(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
