package e2e

// Files and pictures in the browser (docs/files.md, docs/client.md):
// attaching by the paperclip, by dropping and by pasting, the preview in
// the conversation, the card and its download, the viewer, the office's
// size limit checked in the client, and a refused kind on its chip.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inhouse/server/archive"
)

// filesEnv is a server with ana and ben in #general; the people named sign
// in and open it.
func filesEnv(t *testing.T, names ...string) (*env, string, []*person) {
	e := newEnv(t)
	e.addUser("ana", true)
	e.addUser("ben", true)
	general := e.channel("general", "ana", "ben")
	var people []*person
	for _, n := range names {
		p := e.person(n)
		p.enter()
		p.open(general)
		people = append(people, p)
	}
	return e, general, people
}

// writePNG writes a w×h PNG (a gradient, so it is a picture and not a
// blank) named name into dir and returns its path and bytes.
func writePNG(t *testing.T, dir, name string, w, h int, tint color.RGBA) (string, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: tint.R ^ uint8(x*255/w), G: tint.G ^ uint8(y*255/h), B: tint.B, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, buf.Bytes()), buf.Bytes()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// attach picks files with the paperclip's file input, as the file chooser
// would.
func (p *person) attach(paths ...string) {
	p.e.t.Helper()
	p.run(chromedp.SetUploadFiles(chromedp.CSS("#attach-input"), paths))
}

// chipsJS lists the chips above the composer as "name|state|error".
const chipsJS = `[...document.querySelectorAll('#attachments > li.chip')].map(li =>
	li.querySelector('.chip-name').textContent + '|' + li.dataset.state + '|' + li.querySelector('.chip-error').textContent)`

func chips(p *person) []string {
	p.e.t.Helper()
	return eval[[]string](p, chipsJS)
}

// storedFiles lists the files in the data folder's content store
// (uploads, previews, anything half-received), relative to it.
func (e *env) storedFiles() []string {
	e.t.Helper()
	root := filepath.Join(e.dir, "files")
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatalf("walk %s: %v", root, err)
	}
	return out
}

// lastMessage is the newest message of channel in the archive.
func (e *env) lastMessage(channel string) archive.Message {
	e.t.Helper()
	msgs, err := e.store().After(channel, 0, 10000)
	if err != nil || len(msgs) == 0 {
		e.fatalf("read %s: %d messages, %v", channel, len(msgs), err)
	}
	return msgs[len(msgs)-1]
}

// sha is the hex SHA-256 of data.
func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// fetched is what a page's fetch of a file answered.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Size        int    `json:"size"`
	SHA         string `json:"sha"`
	Text        string `json:"text"`
}

// fetchFile fetches url in p's page (with p's session) and hashes it there.
func fetchFile(p *person, url string) fetched {
	p.e.t.Helper()
	return eval[fetched](p, `(async () => {
		const r = await fetch(`+js(url)+`);
		const buf = await r.arrayBuffer();
		const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', buf))].map(b => b.toString(16).padStart(2, '0')).join('');
		return { status: r.status, type: r.headers.get('content-type') || '', disposition: r.headers.get('content-disposition') || '',
			size: buf.byteLength, sha: hash, text: r.headers.get('content-type')?.startsWith('text/') ? new TextDecoder().decode(buf) : '' };
	})()`, chromedp.EvalAwaitPromise)
}

// previewLoaded is true once the preview of picture index of the message
// whose text is caption has loaded.
func previewLoaded(caption string, index int) string {
	return fmt.Sprintf(`(() => {
		const li = [...document.querySelectorAll('.msg')].find(m => m.querySelector('.text')?.textContent === %s);
		const img = li?.querySelector('.msg-files .pictures a.file-preview[data-index="%d"] > img');
		return !!img && img.complete && img.naturalWidth > 0;
	})()`, js(caption), index)
}

// previewOf describes the preview of picture index of the message whose
// text is caption.
type previewInfo struct {
	Src, Href, Channel, Seq, Index string
	NaturalWidth, NaturalHeight    int
	Width, Height                  string
}

func previewOf(p *person, caption string, index int) previewInfo {
	p.e.t.Helper()
	return eval[previewInfo](p, fmt.Sprintf(`(() => {
		const li = [...document.querySelectorAll('.msg')].find(m => m.querySelector('.text')?.textContent === %s);
		const a = li.querySelector('.msg-files .pictures a.file-preview[data-index="%d"]');
		const img = a.querySelector('img');
		return { Src: img.getAttribute('src'), Href: a.getAttribute('href'), Channel: a.dataset.channel, Seq: a.dataset.seq, Index: a.dataset.index,
			NaturalWidth: img.naturalWidth, NaturalHeight: img.naturalHeight, Width: img.getAttribute('width'), Height: img.getAttribute('height') };
	})()`, js(caption), index))
}

// (a) A picture attached with the paperclip, with a caption, reaches the
// other person as a preview: the server's JPEG preview in the
// conversation (the picture is larger than a preview), the picture itself
// behind the link.
func TestFilesAttachByButton(t *testing.T) {
	e, general, people := filesEnv(t, "ana", "ben")
	ana, ben := people[0], people[1]
	path, data := writePNG(t, t.TempDir(), "chart.png", 1600, 900, color.RGBA{R: 30, G: 90, B: 200})

	ana.attach(path)
	ana.until("the chip of chart.png", `document.querySelector('#attachments > li.chip[data-state=ready] .chip-name')?.textContent === 'chart.png'`, 5*time.Second)
	ana.say("the quarterly chart")
	ana.until("the tray to empty once sent", `!document.querySelector('#attachments > li.chip') && document.querySelector('#attachments').hidden`, 10*time.Second)

	ben.until("the picture in Ben's conversation", previewLoaded("the quarterly chart", 0), 10*time.Second)
	m := e.lastMessage(general)
	if m.Text != "the quarterly chart" || len(m.Files) != 1 {
		e.fatalf("stored message: text %q, %d files", m.Text, len(m.Files))
	}
	f := m.Files[0]
	if f.Name != "chart.png" || f.Type != "image/png" || f.Size != int64(len(data)) || f.W != 1600 || f.H != 900 || f.SHA256 != sha(data) {
		e.fatalf("stored file %+v, want chart.png image/png %d bytes 1600×900 sha %s", f, len(data), sha(data))
	}
	stored, err := os.ReadFile(e.store().FilePath(f.SHA256))
	if err != nil || !bytes.Equal(stored, data) {
		e.fatalf("the stored bytes differ from the file attached (err %v)", err)
	}

	pv := previewOf(ben, "the quarterly chart", 0)
	plain := fmt.Sprintf("/api/files/%s/%d/0", general, m.Seq)
	if pv.Src != plain+"/preview" || pv.Href != plain || pv.Channel != general || pv.Seq != fmt.Sprint(m.Seq) || pv.Index != "0" {
		e.fatalf("preview %+v: want the img from %s/preview and the link to %s", pv, plain, plain)
	}
	// The server's preview fits 1024 px; the column shows it at 569 × 320
	// (640 × 320 at most, the picture's shape kept).
	if pv.NaturalWidth != 1024 || pv.NaturalHeight != 576 || pv.Width != "569" || pv.Height != "320" {
		e.fatalf("preview %+v: want a 1024×576 preview shown at 569×320", pv)
	}
	// The link (and the viewer) give the picture itself, byte for byte.
	got := fetchFile(ben, pv.Href)
	if got.Status != 200 || got.Type != "image/png" || got.SHA != sha(data) || !strings.HasPrefix(got.Disposition, "inline") {
		e.fatalf("GET %s answered %+v, want the PNG inline", pv.Href, got)
	}
	// And the preview is the JPEG the server made once.
	got = fetchFile(ben, pv.Src)
	if got.Status != 200 || got.Type != "image/jpeg" || got.Size == 0 || got.SHA == sha(data) {
		e.fatalf("GET %s answered %+v, want a JPEG made of the picture", pv.Src, got)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "files", "previews", f.SHA256+".jpg")); err != nil {
		e.fatalf("the preview is not kept: %v", err)
	}
	// Ana's own tab shows it too, once acknowledged.
	ana.until("the picture in Ana's own conversation", previewLoaded("the quarterly chart", 0), 10*time.Second)
}

// (b) A file dropped on the conversation waits as a chip, goes with Send,
// and reaches the other person as a card whose Download gives its bytes.
func TestFilesDragAndDrop(t *testing.T) {
	e, general, people := filesEnv(t, "ana", "ben")
	ana, ben := people[0], people[1]
	const body = "Delivery on Tuesday.\nDock 4, before 10.\n"

	ana.do(`
		const dt = new DataTransfer();
		dt.items.add(new File([` + js(body) + `], 'notes.txt', { type: 'text/plain' }));
		window.dropped = dt;
		document.querySelector('main.main').dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: dt }));
		document.querySelector('main.main').dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));`)
	if z := eval[string](ana, `(z => z.hidden ? 'hidden' : z.textContent)(document.querySelector('#drop-zone'))`); !strings.Contains(z, "Drop files to share them in #general") {
		e.fatalf("while dragging, the drop zone says %q", z)
	}
	if prevented := eval[bool](ana, `(() => { const ev = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: window.dropped });
		document.querySelector('main.main').dispatchEvent(ev); return ev.defaultPrevented; })()`); !prevented {
		e.fatalf("the drop was left to the browser (it would open the file)")
	}
	ana.until("the chip of notes.txt", `document.querySelector('#attachments > li.chip[data-state=ready] .chip-name')?.textContent === 'notes.txt'`, 5*time.Second)
	if !eval[bool](ana, `document.querySelector('#drop-zone').hidden`) {
		e.fatalf("the drop zone stays after the drop")
	}
	// No caption: the Send button sends the file alone.
	ana.run(chromedp.Click(chromedp.CSS("form.composer button.send")))

	card := `[...document.querySelectorAll('.msg .msg-files .file-card[data-kind=text]')].find(c => c.querySelector('.file-name')?.textContent === 'notes.txt')`
	ben.until("the card of notes.txt in Ben's conversation", card+`?.querySelector('a.file-download')`, 10*time.Second)
	m := e.lastMessage(general)
	if m.Text != "" || len(m.Files) != 1 || m.Files[0].Name != "notes.txt" || m.Files[0].Size != int64(len(body)) {
		e.fatalf("stored message: text %q, files %+v", m.Text, m.Files)
	}
	type cardInfo struct{ Download, Name, Open, Meta string }
	c := eval[cardInfo](ben, `(c => ({ Download: c.querySelector('a.file-download').getAttribute('href'), Name: c.querySelector('a.file-download').getAttribute('download'),
		Open: c.querySelector('a.file-open')?.getAttribute('href') || '', Meta: c.querySelector('.file-meta').textContent }))(`+card+`)`)
	want := fmt.Sprintf("/api/files/%s/%d/0", general, m.Seq)
	if c.Download != want+"?download=1" || c.Name != "notes.txt" || c.Open != want || c.Meta != fmt.Sprintf("Text · %d bytes", len(body)) {
		e.fatalf("card %+v: want Download %s?download=1 named notes.txt, Open %s, \"Text · %d bytes\"", c, want, want, len(body))
	}
	got := fetchFile(ben, c.Download)
	if got.Status != 200 || got.Text != body || !strings.HasPrefix(got.Disposition, "attachment") {
		e.fatalf("Download answered %+v, want the file's bytes %q as an attachment", got, body)
	}
}

// (c) A screenshot pasted into the composer is named by the time, goes
// with its caption and shows as a preview (a small picture is its own).
func TestFilesPasteScreenshot(t *testing.T) {
	e, general, people := filesEnv(t, "ana")
	ana := people[0]
	took := eval[bool](ana, `(async () => {
		const c = document.createElement('canvas');
		c.width = 300; c.height = 200;
		const g = c.getContext('2d');
		g.fillStyle = '#2a6'; g.fillRect(0, 0, 300, 200);
		g.fillStyle = '#fff'; g.fillRect(20, 20, 120, 60);
		const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/png'));
		const dt = new DataTransfer();
		dt.items.add(new File([blob], 'image.png', { type: 'image/png' }));
		const ev = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
		document.querySelector('#composer').dispatchEvent(ev);
		return ev.defaultPrevented;
	})()`, chromedp.EvalAwaitPromise)
	if !took {
		e.fatalf("the pasted picture was left to the browser")
	}
	ana.until("a chip", `document.querySelector('#attachments > li.chip[data-state=ready]')`, 5*time.Second)
	cs := chips(ana)
	name, _, _ := strings.Cut(cs[0], "|")
	if len(cs) != 1 || !regexp.MustCompile(`^Screenshot \d{4}-\d{2}-\d{2} \d{2}\.\d{2}\.png$`).MatchString(name) {
		e.fatalf("chips %q, want one named like \"Screenshot 2026-12-05 14.03.png\"", cs)
	}
	if v := eval[string](ana, `document.querySelector('#composer').value`); v != "" {
		e.fatalf("the paste typed %q into the composer", v)
	}
	ana.say("what I see")
	ana.until("the preview of the screenshot", previewLoaded("what I see", 0), 10*time.Second)
	pv := previewOf(ana, "what I see", 0)
	if pv.NaturalWidth != 300 || pv.NaturalHeight != 200 || !strings.HasSuffix(pv.Src, "/preview") {
		e.fatalf("preview %+v: want the 300×200 picture from /preview", pv)
	}
	m := e.lastMessage(general)
	if m.Text != "what I see" || len(m.Files) != 1 || m.Files[0].Name != name || m.Files[0].Type != "image/png" || m.Files[0].W != 300 {
		e.fatalf("stored message: text %q, files %+v; want %q", m.Text, m.Files, name)
	}
}

// (d) The viewer: a click on a preview opens it on that picture (the
// picture itself, not the preview); Next and Previous go across the
// conversation's pictures; Escape closes it and focus returns to the
// preview.
func TestFilesViewer(t *testing.T) {
	e, general, people := filesEnv(t, "ana")
	ana := people[0]
	dir := t.TempDir()
	first, _ := writePNG(t, dir, "first.png", 1600, 900, color.RGBA{R: 200, G: 40, B: 40})
	second, _ := writePNG(t, dir, "second.png", 400, 300, color.RGBA{R: 20, G: 40, B: 220})
	ana.attach(first, second)
	ana.until("two chips", `document.querySelectorAll('#attachments > li.chip[data-state=ready]').length === 2`, 5*time.Second)
	ana.say("two pictures")
	ana.until("both previews", previewLoaded("two pictures", 0)+" && "+previewLoaded("two pictures", 1), 10*time.Second)
	seq := e.lastMessage(general).Seq

	type viewerState struct {
		Open              bool
		Title, Count, Src string
		Download          string
		Width             int
		PrevOff, NextOff  bool
		Focus             string
	}
	state := func() viewerState {
		return eval[viewerState](ana, `(() => {
			const d = document.querySelector('dialog#viewer'), img = document.querySelector('#viewer-image');
			const f = document.activeElement;
			return { Open: !!d?.open, Title: document.querySelector('#viewer-title')?.textContent || '', Count: d?.querySelector('.viewer-count')?.textContent || '',
				Src: img?.getAttribute('src') || '', Download: document.querySelector('#viewer-download')?.getAttribute('href') || '',
				Width: img?.complete ? img.naturalWidth : 0, PrevOff: !!document.querySelector('#viewer-prev')?.disabled, NextOff: !!document.querySelector('#viewer-next')?.disabled,
				Focus: f?.id || (f?.classList.contains('file-preview') ? 'preview ' + f.dataset.seq + '/' + f.dataset.index : f?.tagName || '') };
		})()`)
	}
	url := func(i int) string { return fmt.Sprintf("/api/files/%s/%d/%d", general, seq, i) }
	loaded := func(w int) string {
		return fmt.Sprintf(`(i => i && i.complete && i.naturalWidth === %d)(document.querySelector('dialog#viewer[open] #viewer-image'))`, w)
	}

	ana.run(chromedp.Click(chromedp.CSS(`.msg a.file-preview[data-index="0"]`)))
	ana.until("the viewer with first.png", loaded(1600), 5*time.Second)
	if s := state(); !s.Open || s.Title != "first.png" || s.Count != "1 of 2" || s.Src != url(0) || s.Download != url(0)+"?download=1" || !s.PrevOff || s.NextOff || s.Focus != "viewer-close" {
		e.fatalf("viewer opened as %+v; want first.png, 1 of 2, the picture itself, Previous disabled, focus on Close", s)
	}
	ana.run(chromedp.Click(chromedp.CSS("#viewer-next")))
	ana.until("second.png", loaded(400), 5*time.Second)
	// At the last picture Next is disabled: focus moves to Previous.
	if s := state(); s.Title != "second.png" || s.Count != "2 of 2" || s.Src != url(1) || !s.NextOff || s.PrevOff || s.Focus != "viewer-prev" {
		e.fatalf("after Next: %+v; want second.png, 2 of 2, Next disabled, focus on Previous", s)
	}
	ana.run(chromedp.Click(chromedp.CSS("#viewer-prev")))
	ana.until("first.png again", loaded(1600), 5*time.Second)
	if s := state(); s.Title != "first.png" || s.Count != "1 of 2" || s.Focus != "viewer-next" {
		e.fatalf("after Previous: %+v; want first.png with focus on Next", s)
	}
	ana.run(chromedp.KeyEvent(kb.Escape))
	ana.until("the viewer to close", `!document.querySelector('dialog#viewer')`, 5*time.Second)
	if s := state(); s.Focus != fmt.Sprintf("preview %d/0", seq) {
		e.fatalf("after Escape the focus is on %q, want the preview that opened the viewer", s.Focus)
	}
}

// (e) A file over the office's limit is refused when attached, with a
// sentence, and never uploaded; a file within the limit attached with it
// goes.
func TestFilesOverTheLimit(t *testing.T) {
	e := newEnv(t)
	e.addUser("ana", true)
	general := e.channel("general", "ana")
	st := e.store().Settings()
	st.MaxFileMB = 1
	if err := e.store().SaveSettings(st); err != nil {
		t.Fatalf("save settings: %v", err)
	}
	ana := e.person("ana")
	ana.enter()
	ana.open(general)
	dir := t.TempDir()
	big := writeFile(t, dir, "big.bin", bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 512<<10)) // 2 MB
	small := writeFile(t, dir, "small.txt", []byte(strings.Repeat("within the limit\n", 100)))

	ana.attach(big)
	ana.until("the sentence", `!document.querySelector('#attach-note').hidden`, 5*time.Second)
	if note := eval[string](ana, `document.querySelector('#attach-note').textContent`); note != "“big.bin” is 2 MB: the office's limit is 1 MB." {
		e.fatalf("the note says %q", note)
	}
	if cs := chips(ana); len(cs) != 0 {
		e.fatalf("chips %q: the file too large was attached", cs)
	}
	// Send has nothing to send: nothing reaches the server.
	ana.run(chromedp.Click(chromedp.CSS("form.composer button.send")))
	time.Sleep(300 * time.Millisecond)
	uploads := `performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname === '/api/files').length`
	if n := eval[int](ana, uploads); n != 0 {
		e.fatalf("%d upload request(s) were made", n)
	}
	if files := e.storedFiles(); len(files) != 0 {
		e.fatalf("the server keeps %q", files)
	}

	// Both at once: the large one is refused, the other goes.
	ana.attach(big, small)
	ana.until("the chip of small.txt", `document.querySelector('#attachments > li.chip .chip-name')?.textContent === 'small.txt'`, 5*time.Second)
	if cs, note := chips(ana), eval[string](ana, `document.querySelector('#attach-note').textContent`); len(cs) != 1 || note != "“big.bin” is 2 MB: the office's limit is 1 MB." {
		e.fatalf("chips %q, note %q", cs, note)
	}
	ana.say("the small one")
	ana.until("the message with its card", `[...document.querySelectorAll('.msg')].some(m => m.querySelector('.text')?.textContent === 'the small one' && m.querySelector('.file-card a.file-download'))`, 10*time.Second)
	if n := eval[int](ana, uploads); n != 1 {
		e.fatalf("%d upload requests, want 1 (small.txt)", n)
	}
	if files := e.storedFiles(); len(files) != 1 {
		e.fatalf("the server keeps %q, want small.txt alone", files)
	}
	if m := e.lastMessage(general); len(m.Files) != 1 || m.Files[0].Name != "small.txt" {
		e.fatalf("stored files %+v", m.Files)
	}
}

// (f) A program named like a PDF is refused by the server (415): its
// sentence shows on the chip, without Retry; nothing is sent or kept,
// and the caption stays.
func TestFilesRefusedKind(t *testing.T) {
	e, general, people := filesEnv(t, "ana")
	ana := people[0]
	program := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 4096)...)
	path := writeFile(t, t.TempDir(), "invoice.pdf", program)
	before := len(e.texts(general))

	ana.attach(path)
	ana.until("the chip of invoice.pdf", `document.querySelector('#attachments > li.chip[data-state=ready] .chip-name')?.textContent === 'invoice.pdf'`, 5*time.Second)
	ana.say("the invoice")
	ana.until("the refusal on the chip", `document.querySelector('#attachments > li.chip[data-state=failed]')`, 10*time.Second)
	cs := chips(ana)
	if len(cs) != 1 || cs[0] != "invoice.pdf|failed|The office does not allow sharing files of this kind (programs)." {
		e.fatalf("chips %q, want the server's sentence on invoice.pdf", cs)
	}
	type chipState struct {
		Retry, Remove    bool
		Status, Composer string
	}
	s := eval[chipState](ana, `(c => ({ Retry: !c.querySelector('.chip-retry').hidden, Remove: !c.querySelector('.chip-remove').hidden,
		Status: document.querySelector('#attach-status').hidden ? '' : document.querySelector('#attach-status').textContent,
		Composer: document.querySelector('#composer').value }))(document.querySelector('#attachments > li.chip'))`)
	if s.Retry || !s.Remove || !strings.HasPrefix(s.Status, "Not sent") || s.Composer != "the invoice" {
		e.fatalf("after the refusal: %+v; want no Retry, ×, \"Not sent…\" and the caption kept", s)
	}
	if n := len(e.texts(general)); n != before {
		e.fatalf("%d messages were stored", n-before)
	}
	if files := e.storedFiles(); len(files) != 0 {
		e.fatalf("the server keeps %q of a refused upload", files)
	}
}
