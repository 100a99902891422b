package admin

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"inhouse/server/archive"
)

// The evidence pack is a ZIP an auditor hands to a lawyer or files away:
// the records as stored (messages.jsonl, with their chain links), a
// transcript people can read (transcript.html) and manifest.json with each
// file's SHA-256 and the signed chain head at export time.

type evidenceFilter struct {
	Person      string `json:"person,omitempty"`
	Channel     string `json:"channel,omitempty"`
	ChannelName string `json:"channel_name,omitempty"`
	Since       string `json:"since,omitempty"`
	Until       string `json:"until,omitempty"` // the last day included
	Description string `json:"description"`
}

type evidenceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

type evidenceManifest struct {
	Created string         `json:"created"`
	By      string         `json:"by"`
	Filter  evidenceFilter `json:"filter"`
	Records int            `json:"records"`
	Files   []evidenceFile `json:"files"`
	Chain   archive.Digest `json:"chain"`
}

// transcriptData is what transcript.html shows.
type transcriptData struct {
	Office, By, Filter, Created, Root string
	Rows                              []transcriptRow
}

type transcriptRow struct {
	archive.ExportRecord
	FromName string
}

type evidenceFormData struct {
	Form             *form
	People, Channels []archiveOption
}

// GET /admin/archive/export: the evidence pack's form.
func (c *Console) evidenceForm(r *request) {
	d := evidenceFormData{Form: newForm()}
	d.People, d.Channels = c.archiveNames().choices()
	c.render(r.ctx, fasthttp.StatusOK, evidencePage(c.shell(r, "Evidence pack", "/admin/archive"), d))
}

// POST /admin/archive/export: build the pack, record the export, send it.
func (c *Console) evidenceExport(r *request) {
	f := postedForm(r.ctx)
	f.Set("q") // the pack is for a person, a channel or dates, not words
	q := c.archiveFilter(f, false)
	n := c.archiveNames()
	if f.Valid() && f.Get("from") == "" && f.Get("channel") == "" && f.Get("since") == "" && f.Get("until") == "" {
		f.Fail("from", "Choose a person, a channel or dates (or several): a pack is for one matter, not the whole archive.")
	}
	if !f.Valid() {
		d := evidenceFormData{Form: f}
		d.People, d.Channels = n.choices()
		c.render(r.ctx, fasthttp.StatusBadRequest, evidencePage(c.shell(r, "Evidence pack", "/admin/archive"), d))
		return
	}
	// One read of the archive serves both files, so the transcript shows
	// exactly the records in messages.jsonl.
	what := describe(f, n)
	var jsonl bytes.Buffer
	count, err := c.office.ExportArchive(c.actor(r), &jsonl, "jsonl", q, "evidence pack: "+what)
	if err != nil {
		if c.readRefused(r, "export", err) {
			return
		}
		c.log.Error("evidence export", "err", err)
		c.render(r.ctx, fasthttp.StatusInternalServerError, archiveNoticePage(c.shell(r, "Evidence pack", "/admin/archive"), "The archive could not be read, so no pack was made. Check the dashboard for warnings."))
		return
	}
	var recs []archive.ExportRecord
	sc := bufio.NewScanner(bytes.NewReader(jsonl.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec archive.ExportRecord
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			recs = append(recs, rec)
		}
	}
	// The chain head is taken after the export was logged, so the pack's
	// own read-log record is covered by the signature it carries.
	digest, err := c.store.CurrentDigest()
	if err != nil {
		c.log.Error("evidence digest", "err", err)
		c.render(r.ctx, fasthttp.StatusInternalServerError, archiveNoticePage(c.shell(r, "Evidence pack", "/admin/archive"), "The archive's signing key could not be read, so the pack could not be sealed. The attempt is in the read log."))
		return
	}
	now := time.Now()
	td := transcriptData{Office: c.store.Settings().OfficeName, By: r.user.Display + " (" + r.user.Name + ")", Filter: what,
		Created: now.UTC().Format(time.RFC3339), Root: digest.Root}
	for _, rec := range recs {
		td.Rows = append(td.Rows, transcriptRow{ExportRecord: rec, FromName: n.person(rec.From)})
	}
	var html bytes.Buffer
	if err := transcript(td).Render(r.ctx, &html); err != nil {
		c.log.Error("evidence transcript", "err", err)
		c.render(r.ctx, fasthttp.StatusInternalServerError, archiveNoticePage(c.shell(r, "Evidence pack", "/admin/archive"), "The transcript could not be written. The attempt is in the read log."))
		return
	}
	m := evidenceManifest{Created: td.Created, By: r.user.Name, Records: count, Chain: digest,
		Filter: evidenceFilter{Person: f.Get("from"), Channel: f.Get("channel"), Since: f.Get("since"), Until: f.Get("until"), Description: what}}
	if m.Filter.Channel != "" {
		m.Filter.ChannelName = n.channel(m.Filter.Channel)
	}
	files := []struct {
		name string
		data []byte
	}{{"messages.jsonl", jsonl.Bytes()}, {"transcript.html", html.Bytes()}}
	for _, fl := range files {
		sum := sha256.Sum256(fl.data)
		m.Files = append(m.Files, evidenceFile{Name: fl.name, SHA256: hex.EncodeToString(sum[:]), Bytes: len(fl.data)})
	}
	man, _ := json.MarshalIndent(m, "", "  ")
	files = append(files, struct {
		name string
		data []byte
	}{"manifest.json", append(man, '\n')})

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	var zerr error
	for _, fl := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fl.name, Method: zip.Deflate, Modified: now})
		if err == nil {
			_, err = w.Write(fl.data)
		}
		zerr = cmp.Or(zerr, err)
	}
	if err := cmp.Or(zerr, zw.Close()); err != nil {
		c.log.Error("evidence zip", "err", err)
		c.render(r.ctx, fasthttp.StatusInternalServerError, archiveNoticePage(c.shell(r, "Evidence pack", "/admin/archive"), "The pack could not be written. The attempt is in the read log."))
		return
	}
	r.ctx.SetContentType("application/zip")
	r.ctx.Response.Header.Set("Content-Disposition", `attachment; filename="inhouse-evidence-`+now.Format("20060102-150405")+`.zip"`)
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	r.ctx.SetBody(out.Bytes())
}

// kindWord says what a record is, for the transcript.
func kindWord(kind string, ref uint64) string {
	switch kind {
	case archive.KindEdit:
		return "edit of message " + itoaU(ref)
	case archive.KindDelete:
		return "deletion of message " + itoaU(ref)
	}
	return "message"
}

func itoaU(n uint64) string { return strconv.FormatUint(n, 10) }
