package filekind

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// ---- building real files ----

type entry struct {
	name string
	data string
	// store writes the entry uncompressed (OpenDocument's mimetype).
	store bool
}

func buildZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	aNS = `xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"`
	sNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
)

func contentTypes(main string) entry {
	return entry{name: "[Content_Types].xml", data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="` + main + `" ContentType="application/vnd.openxmlformats-officedocument.main+xml"/></Types>`}
}

var rels = entry{name: "_rels/.rels", data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`}

func wordDoc(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:document ` + wNS + `><w:body>` + body + `</w:body></w:document>`
}

func docx(t testing.TB, body string, more ...entry) []byte {
	return buildZip(t, append([]entry{contentTypes("/word/document.xml"), rels,
		{name: "word/document.xml", data: wordDoc(body)}}, more...)...)
}

func writeFile(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func encode(t testing.TB, kind string, w, h int) []byte {
	t.Helper()
	r := image.Rect(0, 0, w, h)
	var buf bytes.Buffer
	var err error
	switch kind {
	case "png": // grey: its size is all in IHDR, no palette needed
		err = png.Encode(&buf, image.NewGray(r))
	case "jpeg":
		err = jpeg.Encode(&buf, image.NewGray(r), nil)
	case "gif":
		err = gif.Encode(&buf, image.NewPaletted(r, color.Palette{color.Black, color.White}), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webpVP8X is the smallest extended WebP: its canvas, no image data.
func webpVP8X(w, h int) []byte {
	b := []byte("RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00")
	b = append(b, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return b
}

// webpVP8L is a lossless WebP header: signature byte, then 14-bit width-1,
// 14-bit height-1, alpha bit and 3 version bits, little-endian.
func webpVP8L(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	b := []byte("RIFF\x11\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f")
	return binary.LittleEndian.AppendUint32(b, bits)
}

// withEXIF puts an APP1 segment with the given orientation right after
// the JPEG's SOI, in either byte order, optionally after an XMP APP1.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func withEXIF(jpg []byte, orientation int, bo byteOrder, xmpFirst bool) []byte {
	var tiff []byte
	if bo.String() == binary.LittleEndian.String() {
		tiff = []byte("II")
	} else {
		tiff = []byte("MM")
	}
	tiff = bo.AppendUint16(tiff, 42)
	tiff = bo.AppendUint32(tiff, 8)
	tiff = bo.AppendUint16(tiff, 2)      // two entries
	tiff = bo.AppendUint16(tiff, 0x010f) // Make, ignored
	tiff = bo.AppendUint16(tiff, 2)
	tiff = bo.AppendUint32(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, uint16(orientation))
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	var out []byte
	out = append(out, jpg[:2]...)
	if xmpFirst {
		xmp := []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>")
		out = append(out, 0xff, 0xe1)
		out = binary.BigEndian.AppendUint16(out, uint16(len(xmp)+2))
		out = append(out, xmp...)
	}
	out = append(out, 0xff, 0xe1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// withSize rewrites the size a picture's header claims.
func withSize(t testing.TB, kind string, b []byte, w, h int) []byte {
	t.Helper()
	b = bytes.Clone(b)
	switch kind {
	case "png": // IHDR is the first chunk; its CRC covers type and data
		binary.BigEndian.PutUint32(b[16:], uint32(w))
		binary.BigEndian.PutUint32(b[20:], uint32(h))
		binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	case "jpeg":
		i := bytes.Index(b, []byte{0xff, 0xc0})
		if i < 0 {
			t.Fatal("no SOF0")
		}
		binary.BigEndian.PutUint16(b[i+5:], uint16(h))
		binary.BigEndian.PutUint16(b[i+7:], uint16(w))
	case "gif":
		binary.LittleEndian.PutUint16(b[6:], uint16(w))
		binary.LittleEndian.PutUint16(b[8:], uint16(h))
	}
	return b
}

// ole is a compound file header whose root storage has the given class.
func ole(clsid []byte) []byte {
	b := make([]byte, 1024)
	copy(b, oleMagic)
	binary.LittleEndian.PutUint16(b[30:], 9) // 512-byte sectors
	binary.LittleEndian.PutUint32(b[48:], 0) // directory in sector 0
	copy(b[512:], []byte("R\x00o\x00o\x00t\x00"))
	copy(b[512+0x50:], clsid)
	return b
}

var msiCLSID = []byte("\x84\x10\x0c\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46")

func gzipped(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte("hello"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarred(t testing.TB) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o600, Size: 5}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte("hello"))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func head(b []byte) []byte { return b[:min(len(b), 4096)] }

// ---- Sniff ----

func TestSniff(t *testing.T) {
	odt := buildZip(t, entry{name: "mimetype", data: "application/vnd.oasis.opendocument.text", store: true},
		entry{name: "content.xml", data: "<office:document-content/>"}, entry{name: "META-INF/manifest.xml", data: "<m/>"})
	xlsx := buildZip(t, contentTypes("/xl/workbook.xml"), entry{name: "xl/workbook.xml", data: "<workbook/>"})
	pptx := buildZip(t, contentTypes("/ppt/presentation.xml"), entry{name: "ppt/presentation.xml", data: "<p/>"})
	// System.IO.Packaging writes [Content_Types].xml last.
	dotnetDocx := buildZip(t, entry{name: "word/document.xml", data: wordDoc("")}, rels, contentTypes("/word/document.xml"))
	mp4 := append([]byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2mp41"), make([]byte, 32)...)
	webm := []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04")
	jpg := encode(t, "jpeg", 4, 4)

	tests := []struct {
		name, file string
		head       []byte
		want       Kind
	}{
		{"jpeg", "photo.jpg", jpg, Kind{"image/jpeg", CategoryImage}},
		{"png", "a.png", encode(t, "png", 4, 4), Kind{"image/png", CategoryImage}},
		{"gif", "a.gif", encode(t, "gif", 4, 4), Kind{"image/gif", CategoryImage}},
		{"webp", "a.webp", webpVP8X(10, 10), Kind{"image/webp", CategoryImage}},
		{"png named jpg", "a.jpg", encode(t, "png", 4, 4), Kind{"image/png", CategoryImage}},
		{"pdf", "a.pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), Kind{"application/pdf", CategoryPDF}},

		{"MZ named invoice.pdf", "invoice.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), Kind{"application/octet-stream", CategoryProgram}},
		{"ELF named txt", "report.txt", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), Kind{"application/octet-stream", CategoryProgram}},
		{"Mach-O 64", "a", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), Kind{"application/octet-stream", CategoryProgram}},
		{"Mach-O 32", "a", []byte("\xce\xfa\xed\xfe\x07\x00\x00\x00"), Kind{"application/octet-stream", CategoryProgram}},
		{"Mach-O big-endian", "a", []byte("\xfe\xed\xfa\xce\x00\x00\x00\x12"), Kind{"application/octet-stream", CategoryProgram}},
		{"Mach-O 64 big-endian", "a", []byte("\xfe\xed\xfa\xcf\x00\x00\x00\x12"), Kind{"application/octet-stream", CategoryProgram}},
		{"fat Mach-O / Java class", "a.png", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x02"), Kind{"application/octet-stream", CategoryProgram}},
		{"fat Mach-O 64", "a", []byte("\xca\xfe\xba\xbf\x00\x00\x00\x02"), Kind{"application/octet-stream", CategoryProgram}},
		{"fat Mach-O swapped", "a", []byte("\xbe\xba\xfe\xca\x02\x00\x00\x00"), Kind{"application/octet-stream", CategoryProgram}},
		{"WebAssembly", "a.txt", []byte("\x00asm\x01\x00\x00\x00"), Kind{"application/octet-stream", CategoryProgram}},
		{"Windows shortcut", "a.txt", []byte("L\x00\x00\x00\x01\x14\x02\x00\x00\x00"), Kind{"application/octet-stream", CategoryProgram}},
		{"OLE named msi", "setup.MSI", ole(nil), Kind{"application/octet-stream", CategoryProgram}},
		{"MSI named doc", "letter.doc", ole(msiCLSID), Kind{"application/octet-stream", CategoryProgram}},
		{"OLE Word", "letter.doc", ole(nil), Kind{"application/msword", CategoryOffice}},
		{"OLE Excel", "sums.xls", ole(nil), Kind{"application/vnd.ms-excel", CategoryOffice}},
		{"jar named zip", "lib.zip", buildZip(t, entry{name: "META-INF/MANIFEST.MF", data: "Manifest-Version: 1.0\n"}), Kind{"application/octet-stream", CategoryProgram}},
		{"classes in zip", "lib.zip", buildZip(t, entry{name: "com/x/Main.class", data: "\xca\xfe\xba\xbe"}), Kind{"application/octet-stream", CategoryProgram}},
		{"apk named zip", "game.zip", buildZip(t, entry{name: "AndroidManifest.xml", data: "x"}, entry{name: "classes.dex", data: "dex\n"}), Kind{"application/octet-stream", CategoryProgram}},

		{"shebang named notes.txt", "notes.txt", []byte("#!/bin/sh\nrm -rf ~\n"), Kind{"application/octet-stream", CategoryScript}},
		{"shebang after BOM", "notes.txt", []byte("\xef\xbb\xbf#!/usr/bin/env python3\n"), Kind{"application/octet-stream", CategoryScript}},
		{"shebang named .sh", "run.sh", []byte("#!/bin/sh\n"), Kind{"application/octet-stream", CategoryProgram}},
		{"text named .exe", "a.EXE", []byte("hello"), Kind{"application/octet-stream", CategoryProgram}},
		{"text named .ps1", "clean.ps1", []byte("Remove-Item C:\\ -Recurse"), Kind{"application/octet-stream", CategoryProgram}},
		{"picture named .exe", "photo.jpg.exe", jpg, Kind{"application/octet-stream", CategoryProgram}},
		{"docx named .js", "report.js", docx(t, ""), Kind{"application/octet-stream", CategoryProgram}},
		{"exe with trailing dot", "evil.exe.", []byte("hello"), Kind{"application/octet-stream", CategoryProgram}},
		{"exe with trailing space", "evil.exe ", []byte("hello"), Kind{"application/octet-stream", CategoryProgram}},
		{"exe behind zero-width space", "evil.e\u200bxe", []byte("hello"), Kind{"application/octet-stream", CategoryProgram}},
		{"exe behind RTL override", "invoice\u202efdp.exe", []byte("hello"), Kind{"application/octet-stream", CategoryProgram}},
		{"exe in a Windows path", `C:\dl\x.exe`, []byte("hello"), Kind{"application/octet-stream", CategoryProgram}},
		{"AppImage", "tool.AppImage", []byte("hello"), Kind{"application/octet-stream", CategoryProgram}},
		{"empty exe", "a.exe", nil, Kind{"application/octet-stream", CategoryProgram}},
		{"exe named txt is not believed either way", "setup.exe.txt", []byte("hello"), Kind{"text/plain; charset=utf-8", CategoryText}},

		{"plain text", "notes.txt", []byte("Hello, world.\nLine two.\n"), Kind{"text/plain; charset=utf-8", CategoryText}},
		{"csv", "sums.csv", []byte("a,b\n1,2\n"), Kind{"text/plain; charset=utf-8", CategoryText}},
		{"json", "x.json", []byte(`{"a": [1, 2]}`), Kind{"text/plain; charset=utf-8", CategoryText}},
		{"UTF-8 cut mid-character", "a.txt", []byte("ready: caf\xc3"), Kind{"text/plain; charset=utf-8", CategoryText}},
		{"heart is not markup", "a.txt", []byte("<3 thanks"), Kind{"text/plain; charset=utf-8", CategoryText}},
		{"html", "a.txt", []byte("\n  <!DOCTYPE html><html><body>hi"), Kind{"text/html; charset=utf-8", CategoryMarkup}},
		{"html fragment", "a.txt", []byte("<script>alert(1)</script>"), Kind{"text/html; charset=utf-8", CategoryMarkup}},
		{"svg", "a.png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), Kind{"image/svg+xml", CategoryMarkup}},
		{"svg after comment", "a.png", []byte(`<!-- drawn --><svg xmlns="http://www.w3.org/2000/svg"/>`), Kind{"image/svg+xml", CategoryMarkup}},
		{"xml", "a.txt", []byte(`<?xml version="1.0"?><note>hi</note>`), Kind{"application/xml", CategoryMarkup}},
		{"text named html", "page.html", []byte("just words"), Kind{"text/html; charset=utf-8", CategoryMarkup}},
		{"text named svg", "x.SVG", []byte("just words"), Kind{"image/svg+xml", CategoryMarkup}},

		{"docx", "report.docx", docx(t, "<w:p/>"), Kind{typeDocx, CategoryOffice}},
		{"docx named pdf", "report.pdf", docx(t, "<w:p/>"), Kind{typeDocx, CategoryOffice}},
		{"docx, content types last", "report.docx", dotnetDocx, Kind{typeDocx, CategoryOffice}},
		{"xlsx", "sums.xlsx", xlsx, Kind{typeXlsx, CategoryOffice}},
		{"pptx", "talk.pptx", pptx, Kind{typePptx, CategoryOffice}},
		{"odt", "letter.odt", odt, Kind{"application/vnd.oasis.opendocument.text", CategoryOffice}},
		{"zip", "photos.zip", buildZip(t, entry{name: "word/notes.txt", data: "x"}), Kind{"application/zip", CategoryArchive}},
		{"gzip", "a.gz", gzipped(t), Kind{"application/gzip", CategoryArchive}},
		{"tar", "a.tar", tarred(t), Kind{"application/x-tar", CategoryArchive}},
		{"7z", "a.7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), Kind{"application/x-7z-compressed", CategoryArchive}},
		{"rar", "a.rar", []byte("Rar!\x1a\x07\x01\x00"), Kind{"application/vnd.rar", CategoryArchive}},

		{"mp4", "clip.mp4", mp4, Kind{"video/mp4", CategoryMedia}},
		{"webm", "clip.webm", webm, Kind{"video/webm", CategoryMedia}},
		{"mp3 with ID3", "a.mp3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), Kind{"audio/mpeg", CategoryMedia}},
		{"mp3 frame", "a.mp3", []byte("\xff\xfb\x90\x64\x00\x00"), Kind{"audio/mpeg", CategoryMedia}},
		{"ogg", "a.ogg", []byte("OggS\x00\x02\x00\x00\x00\x00"), Kind{"audio/ogg", CategoryMedia}},
		{"wav", "a.wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), Kind{"audio/wav", CategoryMedia}},

		{"UTF-16 text is not mp3", "a.txt", []byte("\xff\xfeh\x00i\x00"), Kind{"application/octet-stream", CategoryOther}},
		{"binary", "a.bin", []byte{1, 2, 3, 0, 0xff, 0x80}, Kind{"application/octet-stream", CategoryOther}},
		{"invalid UTF-8", "a.txt", []byte("abc\xff\xfedef"), Kind{"application/octet-stream", CategoryOther}},
		{"NUL in text", "a.txt", []byte("abc\x00def"), Kind{"application/octet-stream", CategoryOther}},
		{"empty", "a.txt", nil, Kind{"application/octet-stream", CategoryOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff(head(tt.head), tt.file); got != tt.want {
				t.Errorf("Sniff(%q) = %+v, want %+v", tt.file, got, tt.want)
			}
		})
	}
}

func TestSniffProgramNames(t *testing.T) {
	for _, ext := range strings.Fields(`.exe .dll .com .scr .msi .bat .cmd .ps1 .psm1 .vbs .vbe .js .jse
		.wsf .wsh .hta .jar .sh .bash .zsh .csh .py .pl .rb .php .apk .app .deb .rpm .lnk .reg .cpl .msc
		.appimage .dmg .pkg .iso`) {
		for _, name := range []string{"file" + ext, "FILE" + strings.ToUpper(ext)} {
			t.Run(name, func(t *testing.T) {
				if k := Sniff([]byte("plain words"), name); k.Category != CategoryProgram || k.Type != typeBinary {
					t.Errorf("Sniff(text, %q) = %+v, want a program", name, k)
				}
			})
		}
	}
}

// ---- Inline and Blocked ----

func TestInline(t *testing.T) {
	tests := []struct {
		k    Kind
		want bool
	}{
		{Kind{"image/jpeg", CategoryImage}, true},
		{Kind{"image/png", CategoryImage}, true},
		{Kind{"image/gif", CategoryImage}, true},
		{Kind{"image/webp", CategoryImage}, true},
		{Kind{"application/pdf", CategoryPDF}, true},
		{Kind{"text/plain; charset=utf-8", CategoryText}, true},
		{Kind{"image/svg+xml", CategoryImage}, false}, // a forged kind: SVG runs script
		{Kind{"text/html; charset=utf-8", CategoryText}, false},
		{Kind{"image/svg+xml", CategoryMarkup}, false},
		{Kind{"text/html; charset=utf-8", CategoryMarkup}, false},
		{Kind{typeDocx, CategoryOffice}, false},
		{Kind{"video/mp4", CategoryMedia}, false},
		{Kind{"application/octet-stream", CategoryProgram}, false},
		{Kind{"image/tiff", CategoryOther}, false},
		{Kind{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.k.Category+" "+tt.k.Type, func(t *testing.T) {
			if got := tt.k.Inline(); got != tt.want {
				t.Errorf("%+v.Inline() = %v, want %v", tt.k, got, tt.want)
			}
		})
	}
}

func TestBlocked(t *testing.T) {
	mz := Sniff([]byte("MZ\x90\x00"), "invoice.pdf")
	script := Sniff([]byte("#!/bin/sh\n"), "notes.txt")
	text := Sniff([]byte("hello"), "notes.txt")
	zipped := Sniff(buildZip(t, entry{name: "a.txt", data: "x"}), "a.zip")
	tests := []struct {
		name  string
		k     Kind
		kinds []string
		want  bool
	}{
		{"program by default", mz, DefaultBlocked, true},
		{"script by default", script, DefaultBlocked, true},
		{"text by default", text, DefaultBlocked, false},
		{"archive by default", zipped, DefaultBlocked, false},
		{"archive when listed", zipped, []string{"archive"}, true},
		{"program when not listed", mz, []string{"archive"}, false},
		{"nothing listed", mz, nil, false},
		{"case and spaces", mz, []string{" Program "}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.k.Blocked(tt.kinds); got != tt.want {
				t.Errorf("%+v.Blocked(%q) = %v, want %v", tt.k, tt.kinds, got, tt.want)
			}
		})
	}
}

// ---- SafeName ----

func TestSafeName(t *testing.T) {
	long := strings.Repeat("a", 996) + ".pdf"
	tests := []struct {
		name, in, want string
	}{
		{"plain", "photo.jpg", "photo.jpg"},
		{"unix path", "../../etc/passwd", "passwd"},
		{"windows path", `C:\Users\ana\Desktop\report.pdf`, "report.pdf"},
		{"mixed separators", `a/b\c/d.txt`, "d.txt"},
		{"trailing slash", "folder/sub/", "sub"},
		{"forbidden characters", `a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{"RTL override", "invoice\u202efdp.exe", "invoice_fdp.exe"},
		{"bidi embeddings and isolates", "a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i.txt", "a_b_c_d_e_f_g_h_i.txt"},
		{"bidi marks", "a\u200eb\u200fc\u061cd.txt", "a_b_c_d.txt"},
		{"zero-width and BOM", "a\u200bb\ufeffc.txt", "a_b_c.txt"},
		{"controls", "line\nbreak\tand\x00nul\x7f.txt", "line_break_and_nul_.txt"},
		{"C1 control", "a\u0085b.txt", "a_b.txt"},
		{"line separator", "a\u2028b.txt", "a_b.txt"},
		{"leading dots and spaces", " . ..hidden.txt", "hidden.txt"},
		{"trailing dots and spaces", "report.pdf. . ", "report.pdf"},
		{"spaces inside kept", "my report v2.pdf", "my report v2.pdf"},
		{"invalid UTF-8", "a\xff\xfeb.txt", "a_b.txt"},
		{"unicode kept", "Überweisung – März 2026 ✓.pdf", "Überweisung – März 2026 ✓.pdf"},
		{"1000 bytes keep the extension", long, strings.Repeat("a", 196) + ".pdf"},
		{"cut on a rune boundary", strings.Repeat("é", 500) + ".docx", strings.Repeat("é", 97) + ".docx"},
		{"cut three-byte runes", strings.Repeat("日", 400), strings.Repeat("日", 66)},
		{"long extension not kept", strings.Repeat("b", 300) + ".abcdefghijklmnopqrstuvwxyz", strings.Repeat("b", 200)},
		{"cut leaves no trailing dot", strings.Repeat("c", 195) + "....." + strings.Repeat("d", 100), strings.Repeat("c", 195)},
		{"exactly 200 bytes", strings.Repeat("x", 196) + ".txt", strings.Repeat("x", 196) + ".txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SafeName(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("SafeName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if len(got) > MaxNameBytes || !utf8.ValidString(got) {
				t.Errorf("SafeName(%q) = %q: %d bytes, valid UTF-8 %v", tt.in, got, len(got), utf8.ValidString(got))
			}
		})
	}
	for _, in := range []string{"", ".", "..", "/", `\`, "a/..", "a/.", " ", "...", " . . "} {
		t.Run("no name "+in, func(t *testing.T) {
			got, err := SafeName(in)
			if err == nil || err.Error() != "The file has no name." || got != "" {
				t.Errorf("SafeName(%q) = %q, %v; want the error", in, got, err)
			}
		})
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a.txt", "../x", "a\u202eb", strings.Repeat("é", 300) + ".pdf", " . ", "a\xffb", `C:\x\y.exe`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := SafeName(in)
		if err != nil {
			if got != "" {
				t.Fatalf("SafeName(%q) = %q with error", in, got)
			}
			return
		}
		if got == "" || len(got) > MaxNameBytes || !utf8.ValidString(got) {
			t.Fatalf("SafeName(%q) = %q", in, got)
		}
		if strings.ContainsAny(got, `/\<>:"|?*`) {
			t.Fatalf("SafeName(%q) = %q keeps a forbidden character", in, got)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }) {
			t.Fatalf("SafeName(%q) = %q keeps a control or format character", in, got)
		}
		first, _ := utf8.DecodeRuneInString(got)
		last, _ := utf8.DecodeLastRuneInString(got)
		if isDotOrSpace(first) || isDotOrSpace(last) {
			t.Fatalf("SafeName(%q) = %q starts or ends with a dot or space", in, got)
		}
		if again, err := SafeName(got); err != nil || again != got {
			t.Fatalf("SafeName is not stable: %q then %q, %v", got, again, err)
		}
	})
}

// ---- ImageSize ----

func TestImageSize(t *testing.T) {
	jpg := encode(t, "jpeg", 40, 10)
	pngb := encode(t, "png", 30, 20)
	gifb := encode(t, "gif", 7, 5)
	tests := []struct {
		name       string
		data       []byte
		typ        string
		w, h, orie int
		err        error // ErrTooManyPixels, or errAny for some other error
	}{
		{"png", pngb, "image/png", 30, 20, 1, nil},
		{"gif", gifb, "image/gif", 7, 5, 1, nil},
		{"jpeg without EXIF", jpg, "image/jpeg", 40, 10, 1, nil},
		{"jpeg orientation 6 (Motorola)", withEXIF(jpg, 6, binary.BigEndian, false), "image/jpeg", 10, 40, 6, nil},
		{"jpeg orientation 6 (Intel)", withEXIF(jpg, 6, binary.LittleEndian, false), "image/jpeg", 10, 40, 6, nil},
		{"jpeg orientation 8 after XMP", withEXIF(jpg, 8, binary.BigEndian, true), "image/jpeg", 10, 40, 8, nil},
		{"jpeg orientation 3 keeps the size", withEXIF(jpg, 3, binary.LittleEndian, false), "image/jpeg", 40, 10, 3, nil},
		{"jpeg orientation 5 swaps", withEXIF(jpg, 5, binary.LittleEndian, false), "image/jpeg", 10, 40, 5, nil},
		{"jpeg bad orientation ignored", withEXIF(jpg, 9, binary.LittleEndian, false), "image/jpeg", 40, 10, 1, nil},
		{"webp extended", webpVP8X(300, 200), "image/webp", 300, 200, 1, nil},
		{"webp lossless", webpVP8L(64, 48), "image/webp", 64, 48, 1, nil},
		{"header only, pixels never read", withSize(t, "png", pngb, 8000, 8000)[:33], "image/png", 8000, 8000, 1, nil},
		{"exactly 100 megapixels", withSize(t, "png", pngb, 10000, 10000), "image/png", 10000, 10000, 1, nil},

		{"png 50000x50000", withSize(t, "png", pngb, 50000, 50000), "image/png", 0, 0, 0, ErrTooManyPixels},
		{"png one pixel too many", withSize(t, "png", pngb, 10001, 10000), "image/png", 0, 0, 0, ErrTooManyPixels},
		{"jpeg 50000x50000", withSize(t, "jpeg", jpg, 50000, 50000), "image/jpeg", 0, 0, 0, ErrTooManyPixels},
		{"gif 50000x50000", withSize(t, "gif", gifb, 50000, 50000), "image/gif", 0, 0, 0, ErrTooManyPixels},
		{"webp 50000x50000", webpVP8X(50000, 50000), "image/webp", 0, 0, 0, ErrTooManyPixels},
		{"webp 16383x16383 lossless", webpVP8L(16383, 16383), "image/webp", 0, 0, 0, ErrTooManyPixels},

		{"truncated png", pngb[:20], "image/png", 0, 0, 0, errAny},
		{"png with a bad CRC", append(append([]byte{}, pngb[:29]...), 0, 0, 0, 0), "image/png", 0, 0, 0, errAny},
		{"jpeg garbage", []byte("\xff\xd8\xff\xe0garbage"), "image/jpeg", 0, 0, 0, errAny},
		{"webp garbage", []byte("RIFF\x04\x00\x00\x00WEBPjunk"), "image/webp", 0, 0, 0, errAny},
		{"not a picture type", []byte("<svg/>"), "image/svg+xml", 0, 0, 0, errAny},
		{"type and content differ", pngb, "image/jpeg", 0, 0, 0, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, o, err := ImageSize(bytes.NewReader(tt.data), tt.typ)
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("ImageSize: %v", err)
			case tt.err == errAny && (err == nil || errors.Is(err, ErrTooManyPixels)):
				t.Fatalf("ImageSize = %d, %d, %d, %v; want a header error", w, h, o, err)
			case tt.err == ErrTooManyPixels && !errors.Is(err, ErrTooManyPixels):
				t.Fatalf("ImageSize = %d, %d, %d, %v; want ErrTooManyPixels", w, h, o, err)
			}
			if w != tt.w || h != tt.h || o != tt.orie {
				t.Errorf("ImageSize = %d×%d orientation %d, want %d×%d orientation %d", w, h, o, tt.w, tt.h, tt.orie)
			}
		})
	}
}

var errAny = errors.New("any error")

// ---- Text ----

func TestText(t *testing.T) {
	doc := docx(t,
		`<w:p><w:pPr><w:jc w:val="left"/></w:pPr><w:r><w:t>Hello </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>Wor</w:t></w:r><w:r><w:t>ld</w:t></w:r></w:p>`+
			`<w:p/><w:p><w:r><w:t xml:space="preserve">A &amp; B&#x20;&lt;x&gt;</w:t><w:tab/><w:t>C &#233; &bogus; &amp</w:t></w:r></w:p>`+
			`<!-- <w:t>in a comment</w:t> --><w:p><w:r><w:instrText>HYPERLINK "x"</w:instrText><w:t><![CDATA[raw <b>]]]]></w:t></w:r></w:p>`+
			`<w:p><w:del><w:r><w:delText>struck</w:delText></w:r></w:del></w:p>`,
		entry{name: "word/header1.xml", data: `<w:hdr ` + wNS + `><w:p><w:r><w:t>Head</w:t></w:r></w:p></w:hdr>`},
		entry{name: "word/footer1.xml", data: `<w:ftr ` + wNS + `><w:p><w:r><w:t>Foot</w:t></w:r></w:p></w:ftr>`},
		entry{name: "word/styles.xml", data: `<w:styles ` + wNS + `><w:style><w:name w:val="Normal"/></w:style></w:styles>`},
	)
	xlsx := buildZip(t, contentTypes("/xl/workbook.xml"),
		entry{name: "xl/workbook.xml", data: `<workbook ` + sNS + `><sheets><sheet name="Sheet1"/></sheets></workbook>`},
		entry{name: "xl/sharedStrings.xml", data: `<?xml version="1.0"?><sst ` + sNS + ` count="2" uniqueCount="2">` +
			`<si><t>alpha</t></si><si><r><t>be</t></r><r><rPr><b/></rPr><t>ta</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si></sst>`},
		entry{name: "xl/worksheets/sheet1.xml", data: `<worksheet ` + sNS + `><sheetData><row r="1">` +
			`<c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>gamma</t></is></c><c r="C1"><v>42</v></c></row></sheetData></worksheet>`},
	)
	slide := func(text string) string {
		return `<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" ` + aNS +
			`><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>` + text + `</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`
	}
	pptx := buildZip(t, contentTypes("/ppt/presentation.xml"),
		entry{name: "ppt/slides/slide10.xml", data: slide("ten")},
		entry{name: "ppt/slides/slide2.xml", data: slide("two")},
		entry{name: "ppt/slides/slide1.xml", data: slide("one")},
		entry{name: "ppt/slideLayouts/slideLayout1.xml", data: slide("Click to edit")},
	)
	odt := buildZip(t, entry{name: "mimetype", data: "application/vnd.oasis.opendocument.text", store: true},
		entry{name: "content.xml", data: `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
			`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:automatic-styles/><office:body><office:text>` +
			"\n  " + `<text:h>Title</text:h><text:p>Hello<text:s/>there, <text:span>friend</text:span></text:p></office:text></office:body></office:document-content>`})
	// Entities that fall across the reader's chunks.
	manyAmps := strings.Repeat("a&amp;", 5000)

	tests := []struct {
		name   string
		data   []byte
		kind   Kind
		maxOut int
		want   string
	}{
		{"plain text", []byte("Hello\nworld\n"), Kind{typeText, CategoryText}, 100, "Hello\nworld\n"},
		{"plain text cut", []byte("Hello world"), Kind{typeText, CategoryText}, 5, "Hello"},
		{"plain text cut on a rune", []byte("ééé"), Kind{typeText, CategoryText}, 5, "éé"},
		{"invalid UTF-8 replaced", []byte("a\xffb"), Kind{typeText, CategoryText}, 100, "a\uFFFDb"},
		{"markup read as text", []byte("<p>IBAN DE89</p>"), Kind{typeHTML, CategoryMarkup}, 100, "<p>IBAN DE89</p>"},
		{"docx", doc, Kind{typeDocx, CategoryOffice}, 1000,
			"Hello World\nA & B <x>\tC é &bogus; &amp\nraw <b>]]\nstruck\nHead\nFoot\n"},
		{"docx cut", doc, Kind{typeDocx, CategoryOffice}, 8, "Hello Wo"},
		{"xlsx", xlsx, Kind{typeXlsx, CategoryOffice}, 1000, "alpha\nbeta\ngamma\n"},
		{"pptx in slide order", pptx, Kind{typePptx, CategoryOffice}, 1000, "one\ntwo\nten\n"},
		{"odt", odt, Kind{"application/vnd.oasis.opendocument.text", CategoryOffice}, 1000, "Title\nHello there, friend\n"},
		{"entities across chunks", docx(t, `<w:p><w:r><w:t>`+manyAmps+`</w:t></w:r></w:p>`), Kind{typeDocx, CategoryOffice}, 1 << 20,
			strings.Repeat("a&", 5000) + "\n"},
		{"text named by its kind only", docx(t, `<w:p><w:r><w:t>x</w:t></w:r></w:p>`), Kind{typeBinary, CategoryOffice}, 100, "x\n"},
		{"legacy Word has no text here", ole(nil), Kind{"application/msword", CategoryOffice}, 100, ""},
		{"pdf has no text here", []byte("%PDF-1.7 (secret)"), Kind{typePDF, CategoryPDF}, 100, ""},
		{"pictures have none", encode(t, "png", 2, 2), Kind{typePNG, CategoryImage}, 100, ""},
		{"programs have none", []byte("MZ secret"), Kind{typeBinary, CategoryProgram}, 100, ""},
		{"maxOut 0", []byte("hello"), Kind{typeText, CategoryText}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Text(context.Background(), writeFile(t, tt.data), tt.kind, tt.maxOut)
			if err != nil || got != tt.want {
				t.Errorf("Text = %q, %v; want %q", got, err, tt.want)
			}
			if len(got) > max(tt.maxOut, 0) || !utf8.ValidString(got) {
				t.Errorf("Text = %d bytes (max %d), valid UTF-8 %v", len(got), tt.maxOut, utf8.ValidString(got))
			}
		})
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// bombDocx is a docx whose document.xml holds a paragraph, then n bytes of
// zeros (or spaces), streamed through a fast compressor.
func bombDocx(t testing.TB, n int64, filler byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range []entry{contentTypes("/word/document.xml"), rels} {
		w, _ := zw.Create(e.name)
		_, _ = io.WriteString(w, e.data)
	}
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, `<w:document `+wNS+`><w:body><w:p><w:r><w:t>before the bomb</w:t></w:r></w:p>`)
	var r io.Reader = zeros{}
	if filler != 0 {
		r = strings.NewReader(strings.Repeat(string(filler), int(n)))
	}
	if _, err := io.CopyN(w, r, n); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, `<w:p><w:r><w:t>after the bomb</w:t></w:r></w:p></w:body></w:document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The bound, not a clock, is what is checked: the 200 MiB entry is cut
// off by ErrLimit (speed belongs to benchmarks).
func TestTextZipBomb(t *testing.T) {
	bomb := bombDocx(t, 200<<20, 0)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed; the test wants a small one", len(bomb))
	}
	path := writeFile(t, bomb)
	k := Sniff(head(bomb), "report.docx")
	if k.Category != CategoryOffice {
		t.Fatalf("Sniff(bomb) = %+v", k)
	}
	got, err := Text(context.Background(), path, k, 1<<20)
	if !errors.Is(err, ErrLimit) {
		t.Errorf("Text(bomb) error = %v, want ErrLimit", err)
	}
	if !strings.Contains(got, "before the bomb") || strings.Contains(got, "after") {
		t.Errorf("Text(bomb) = %q, want the text before the bomb only", got)
	}
}

func TestTextBounds(t *testing.T) {
	small := limits{entries: 2000, unzipped: 1 << 20, directory: 1 << 20}
	const prefix = `<w:document ` + wNS + `><w:body><w:p><w:r><w:t>before the bomb</w:t></w:r></w:p>`
	const suffix = `<w:p><w:r><w:t>after the bomb</w:t></w:r></w:p></w:body></w:document>`
	// Sized so that document.xml is exactly the budget, or one byte more.
	fits := bombDocx(t, 1<<20-int64(len(prefix)+len(suffix)), ' ')
	over := bombDocx(t, 1<<20-int64(len(prefix)+len(suffix))+1, ' ')

	var many []entry
	for i := range 2001 {
		many = append(many, entry{name: "word/media/image" + strconv.Itoa(i) + ".png"})
	}
	tooMany := docx(t, `<w:p><w:r><w:t>first</w:t></w:r></w:p>`, many...)
	justEnough := docx(t, `<w:p><w:r><w:t>first</w:t></w:r></w:p>`, many[:1997]...) // 3 entries + document

	// Two parts of 600 KiB: each fits, together they are over the budget.
	spaces := strings.Repeat(" ", 600<<10)
	twoParts := docx(t, `<w:p><w:r><w:t>body</w:t></w:r></w:p>`+spaces,
		entry{name: "word/header1.xml", data: `<w:hdr ` + wNS + `>` + spaces + `<w:p><w:r><w:t>head</w:t></w:r></w:p></w:hdr>`})

	// A declared size is not believed: this entry claims to be 10 bytes.
	var lying bytes.Buffer
	{
		zw := zip.NewWriter(&lying)
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestSpeed)
		_, _ = io.WriteString(fw, wordDoc(`<w:p><w:r><w:t>`+strings.Repeat("x", 2<<20)+`</w:t></w:r></w:p>`))
		_ = fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate,
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1 << 40, CRC32: 0})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(comp.Bytes())
		_ = zw.Close()
	}

	tests := []struct {
		name    string
		data    []byte
		lim     limits
		maxOut  int
		want    string // a prefix of the text
		wantErr error
	}{
		{"document.xml exactly the budget", fits, small, 1 << 20, "before the bomb\nafter the bomb", nil},
		{"one byte over the budget", over, small, 1 << 20, "before the bomb\n", ErrLimit},
		{"budget shared by all parts", twoParts, small, 1 << 20, "body\n", ErrLimit},
		{"maxOut reached first is no error", twoParts, small, 3, "bod", nil},
		{"a declared size is not believed", lying.Bytes(), small, 4 << 20, "xxx", ErrLimit},
		{"2001 entries", tooMany, defaultLimits, 100, "first\n", ErrLimit},
		{"2000 entries", justEnough, defaultLimits, 100, "first\n", nil},
		{"directory over its bound", tooMany, limits{entries: 2000, unzipped: 1 << 20, directory: 16 << 10}, 100, "", ErrLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := extract(context.Background(), writeFile(t, tt.data), Kind{typeDocx, CategoryOffice}, tt.maxOut, tt.lim)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(got, tt.want) || tt.want == "" && got != "" {
				t.Errorf("text = %.80q, want it to start with %q", got, tt.want)
			}
			if len(got) > tt.maxOut {
				t.Errorf("text is %d bytes, more than %d", len(got), tt.maxOut)
			}
		})
	}
}

func TestTextContext(t *testing.T) {
	bomb := writeFile(t, bombDocx(t, 200<<20, 0))
	text := writeFile(t, []byte(strings.Repeat("words ", 100_000)))
	k := Kind{typeDocx, CategoryOffice}

	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, c := range []struct {
			path string
			k    Kind
		}{{bomb, k}, {text, Kind{typeText, CategoryText}}} {
			if got, err := Text(ctx, c.path, c.k, 1<<20); !errors.Is(err, context.Canceled) || got != "" {
				t.Errorf("Text(%s) = %.20q, %v; want context.Canceled", c.k.Category, got, err)
			}
		}
	})
	t.Run("deadline while reading", func(t *testing.T) {
		// Only the deadline bounds this reading of 200 MiB.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		// With no other bound, only the deadline can end this read early.
		_, err := extract(ctx, bomb, k, 1<<20, limits{entries: 2000, unzipped: 1 << 40, directory: 1 << 20})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want the deadline", err)
		}
	})
}

func TestTextErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"not a zip", []byte("PK\x03\x04 broken")},
		{"truncated zip", docx(t, "<w:p/>")[:100]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Text(context.Background(), writeFile(t, tt.data), Kind{typeDocx, CategoryOffice}, 100); err == nil {
				t.Errorf("Text = %q, nil; want an error", got)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		if _, err := Text(context.Background(), filepath.Join(t.TempDir(), "none"), Kind{typeText, CategoryText}, 100); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error = %v, want ErrNotExist", err)
		}
	})
}

// ---- fuzzing the hand-written parts ----

func FuzzSniff(f *testing.F) {
	f.Add([]byte("MZ"), "a.pdf")
	f.Add([]byte("PK\x03\x04\x14\x00\x08\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x13\x00\xff\xff"), "a.docx")
	f.Add(ole(msiCLSID), "a.doc")
	f.Add([]byte("<svg"), "a")
	f.Fuzz(func(t *testing.T, h []byte, name string) {
		k := Sniff(h, name)
		switch k.Category {
		case CategoryImage, CategoryPDF, CategoryText, CategoryOffice, CategoryArchive, CategoryProgram,
			CategoryScript, CategoryMarkup, CategoryMedia, CategoryOther:
		default:
			t.Fatalf("Sniff = %+v", k)
		}
		if k.Type == "" {
			t.Fatalf("Sniff = %+v without a type", k)
		}
		if programExts[nameExt(name)] && k.Category != CategoryProgram {
			t.Fatalf("Sniff(%q) = %+v for a program's name", name, k)
		}
	})
}

func FuzzScanner(f *testing.F) {
	f.Add([]byte(`<w:p><w:r><w:t a=">">x &amp; y</w:t></w:r></w:p>`), 100)
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a ">">]><t><![CDATA[a]]]></t><!-- c --><?pi ?>`), 5)
	f.Fuzz(func(t *testing.T, data []byte, maxOut int) {
		maxOut = max(1, maxOut%4096)
		out := newTextOut(maxOut)
		s := scanner{br: bufioReader(data), rules: wordRules, out: out}
		_ = s.run()
		if got := out.String(); len(got) > maxOut || !utf8.ValidString(got) {
			t.Fatalf("scanned %q into %q", data, got)
		}
	})
}

// bufioReader has a small buffer, so that names, entities and CDATA fall
// across its refills.
func bufioReader(data []byte) *bufio.Reader { return bufio.NewReaderSize(bytes.NewReader(data), 16) }
