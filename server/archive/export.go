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
	Channel     string `json:"channel"`
	ChannelName string `json:"channel_name"`
	Seq         uint64 `json:"seq"`
	ID          string `json:"id"`
	From        string `json:"from"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	Kind        string `json:"kind,omitempty"`
	Ref         uint64 `json:"ref,omitempty"`
	H           string `json:"h"`
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
			Text: m.Text, TS: m.Time().Format("2006-01-02T15:04:05.000Z07:00"), Kind: m.Kind, Ref: m.Ref, H: m.H}
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
		cw.Write([]string{"channel", "channel_name", "seq", "id", "from", "text", "ts", "kind", "ref", "h"})
		for _, r := range recs {
			ref := ""
			if r.Ref > 0 {
				ref = strconv.FormatUint(r.Ref, 10)
			}
			cw.Write(CSVRow(r.Channel, r.ChannelName, strconv.FormatUint(r.Seq, 10), r.ID, r.From, r.Text, r.TS, r.Kind, ref, r.H))
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
