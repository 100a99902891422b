package admin

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
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
	// Shared is every file the records carry, once per content, at its
	// path in the pack; Status says whether its bytes still match the
	// SHA-256 the chained record holds ("ok", "missing", "changed").
	Shared []sharedFile   `json:"shared_files,omitempty"`
	Chain  archive.Digest `json:"chain"`
}

type sharedFile struct {
	Path   string `json:"path"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	Status string `json:"status"`
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

	// Written to a temporary file in the data folder: shared files can be
	// large, and a failure must show as a page, not a cut-off download.
	tmp, err := os.CreateTemp(c.store.Dir(), ".evidence-*")
	if err != nil {
		c.log.Error("evidence pack", "err", err)
		c.render(r.ctx, fasthttp.StatusInternalServerError, archiveNoticePage(c.shell(r, "Evidence pack", "/admin/archive"), "The pack could not be written. The attempt is in the read log."))
		return
	}
	body := &tempFile{tmp}
	zw := zip.NewWriter(tmp)
	add := func(name string, method uint16, src io.Reader) (int64, string, error) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: now})
		if err != nil {
			return 0, "", err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), src)
		return n, hex.EncodeToString(h.Sum(nil)), err
	}
	var zerr error
	for _, fl := range files {
		_, _, err := add(fl.name, zip.Deflate, bytes.NewReader(fl.data))
		zerr = cmp.Or(zerr, err)
	}
	m.Shared, err = c.packSharedFiles(recs, add)
	zerr = cmp.Or(zerr, err)
	man, _ := json.MarshalIndent(m, "", "  ")
	_, _, err = add("manifest.json", zip.Deflate, bytes.NewReader(append(man, '\n')))
	zerr = cmp.Or(zerr, err)
	if err := cmp.Or(zerr, zw.Close()); err != nil {
		body.Close()
		c.log.Error("evidence zip", "err", err)
		c.render(r.ctx, fasthttp.StatusInternalServerError, archiveNoticePage(c.shell(r, "Evidence pack", "/admin/archive"), "The pack could not be written. The attempt is in the read log."))
		return
	}
	size, err := tmp.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		body.Close()
		c.storeFailed(r, err, "/admin/archive")
		return
	}
	r.ctx.SetContentType("application/zip")
	r.ctx.Response.Header.Set("Content-Disposition", `attachment; filename="inhouse-evidence-`+now.Format("20060102-150405")+`.zip"`)
	r.ctx.Response.Header.Set("Cache-Control", "no-store")
	r.ctx.SetBodyStream(body, int(size)) // fasthttp closes it, which removes it
}

// packSharedFiles adds each file the records carry, once per content, at
// files/<sha256> in the pack, and says whether its bytes still match the
// record. Pictures and documents are already compressed: stored as they are.
func (c *Console) packSharedFiles(recs []archive.ExportRecord, add func(string, uint16, io.Reader) (int64, string, error)) ([]sharedFile, error) {
	var out []sharedFile
	seen := map[string]bool{}
	for _, rec := range recs {
		for _, f := range rec.Files {
			if seen[f.SHA256] {
				continue
			}
			seen[f.SHA256] = true
			sf := sharedFile{Path: f.Path, Name: f.Name, SHA256: f.SHA256, Status: "missing"}
			src, err := os.Open(c.store.FilePath(f.SHA256))
			if err == nil {
				var sum string
				sf.Bytes, sum, err = add(f.Path, zip.Store, src)
				src.Close()
				if err != nil {
					return out, err
				}
				sf.Status = "ok"
				if sum != f.SHA256 {
					sf.Status = "changed"
				}
			}
			out = append(out, sf)
		}
	}
	return out, nil
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
