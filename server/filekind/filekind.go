// Package filekind decides what a shared file is from its bytes, whether a
// browser may show it in the page, whether the office refuses it, a safe
// name to store and show, a picture's size, and the text the office's
// content rules read. See docs/files.md.
//
// The kind comes from the content: a name is believed only when it makes a
// file more dangerous (a program's extension), never less, and otherwise
// only to tell apart kinds the bytes cannot (text versus markup).
package filekind

import (
	"bytes"
	"encoding/binary"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what a file is, decided from its content (the name only breaks
// ties between text kinds).
type Kind struct {
	Type     string // MIME type served
	Category string // one of the Category* constants
}

// Categories. Offices block by category, so each is a decision an
// administrator can take, not a file format.
const (
	CategoryImage   = "image"   // JPEG, PNG, GIF, WebP only (these are shown inline)
	CategoryPDF     = "pdf"     // shown inline by the browser's own viewer
	CategoryText    = "text"    // valid UTF-8 without NULs, shown inline as plain text
	CategoryOffice  = "office"  // OOXML, ODF, and legacy OLE documents
	CategoryArchive = "archive" // zip, gzip, 7z, rar, tar, and other compressors
	CategoryProgram = "program" // executables by content, and anything with a program's extension
	CategoryScript  = "script"  // content starting with "#!"
	CategoryMarkup  = "markup"  // HTML, SVG, XML: they run script when opened, so never inline
	CategoryMedia   = "media"   // audio and video
	CategoryOther   = "other"
)

// DefaultBlocked is the office's list of categories refused unless an
// administrator changes it.
var DefaultBlocked = []string{CategoryProgram, CategoryScript}

// Types given to kinds. Programs and scripts are all served as bytes: no
// browser or viewer should try to make sense of them.
const (
	typeBinary = "application/octet-stream"
	typeText   = "text/plain; charset=utf-8"
	typeJPEG   = "image/jpeg"
	typePNG    = "image/png"
	typeGIF    = "image/gif"
	typeWebP   = "image/webp"
	typePDF    = "application/pdf"
	typeHTML   = "text/html; charset=utf-8"
	typeSVG    = "image/svg+xml"
	typeXML    = "application/xml"
	typeDocx   = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	typeXlsx   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	typePptx   = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// programExts are extensions Windows, macOS or a Unix shell runs, installs
// or mounts when the file is opened. The name alone makes such a file a
// program: the content of a script is text like any other.
var programExts = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`
		.exe .dll .com .scr .msi .bat .cmd .ps1 .psm1 .vbs .vbe .js .jse .wsf .wsh
		.hta .jar .sh .bash .zsh .csh .py .pl .rb .php .apk .app .deb .rpm .lnk
		.reg .cpl .msc .appimage .dmg .pkg .iso
		.msp .mst .pif .chm .xll .sys .drv .ocx .so .dylib .vb .ws .wsc .sct .inf
		.url .scf .application .jnlp .appx .appxbundle .msix .msixbundle .img
		.vhd .vhdx .command .ksh .fish .run .pyw .pyc .pyz .phar .cgi .mjs .cjs
		.psd1 .ps1xml .psc1 .gadget`) {
		programExts[e] = true
	}
}

// markupExts break the tie for text that a browser would run as a page
// when the file is opened from the disk.
var markupExts = map[string]string{
	".html": typeHTML, ".htm": typeHTML, ".shtml": typeHTML, ".xhtml": "application/xhtml+xml",
	".mht": "multipart/related", ".mhtml": "multipart/related",
	".svg": typeSVG, ".xml": typeXML, ".xsl": typeXML, ".xslt": typeXML,
}

// Sniff decides the kind from the first bytes of a file (up to 4096; fewer
// is fine) and its name. Content wins over the name, except that a name
// with a program's extension makes any file a program.
func Sniff(head []byte, name string) Kind {
	ext := nameExt(name)
	if isExecutable(head) {
		return Kind{typeBinary, CategoryProgram}
	}
	if isOLE(head) && (ext == ".msi" || ext == ".msp" || ext == ".mst" || isInstaller(head)) {
		return Kind{typeBinary, CategoryProgram}
	}
	var k Kind
	if isZip(head) {
		k = sniffZip(head, ext)
	}
	if k.Category == CategoryProgram || programExts[ext] {
		return Kind{typeBinary, CategoryProgram}
	}
	if hasShebang(head) {
		return Kind{typeBinary, CategoryScript}
	}
	if k.Category != "" {
		return k
	}
	if k, ok := sniffBinary(head, ext); ok {
		return k
	}
	if !isText(head) {
		return Kind{typeBinary, CategoryOther}
	}
	if t, ok := sniffMarkup(head); ok {
		return Kind{t, CategoryMarkup}
	}
	if t, ok := markupExts[ext]; ok {
		return Kind{t, CategoryMarkup}
	}
	return Kind{typeText, CategoryText}
}

// nameExt is the name's extension, lower case, as Windows would see it:
// trailing dots and spaces dropped, and invisible characters removed so
// that "a.e\u200bxe" cannot hide ".exe" from this check.
func nameExt(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimRight(name, ". ")
	return strings.ToLower(path.Ext(name))
}

func isExecutable(h []byte) bool {
	switch {
	case bytes.HasPrefix(h, []byte("MZ")), // DOS and Windows PE
		bytes.HasPrefix(h, []byte("\x7fELF")),
		bytes.HasPrefix(h, []byte("\x00asm")),                       // WebAssembly
		bytes.HasPrefix(h, []byte("dex\n")),                         // Android Dalvik
		bytes.HasPrefix(h, []byte("L\x00\x00\x00\x01\x14\x02\x00")): // Windows shortcut
		return true
	}
	if len(h) < 4 {
		return false
	}
	switch binary.BigEndian.Uint32(h) {
	case 0xfeedface, 0xcefaedfe, 0xfeedfacf, 0xcffaedfe, // Mach-O 32/64, both byte orders
		0xcafebabe, 0xbebafeca, 0xcafebabf, 0xbfbafeca: // fat Mach-O (0xcafebabe is also a Java class)
		return true
	}
	return false
}

var oleMagic = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

func isOLE(h []byte) bool { return bytes.HasPrefix(h, oleMagic) }

// isInstaller tells a Windows Installer package, patch or transform from an
// old Word or Excel file by the class of the OLE root storage, when its
// directory sector is within the head.
func isInstaller(h []byte) bool {
	if len(h) < 512 {
		return false
	}
	shift := binary.LittleEndian.Uint16(h[30:])
	if shift != 9 && shift != 12 {
		return false
	}
	sector := uint64(1) << shift
	dir := uint64(binary.LittleEndian.Uint32(h[48:]))
	off := (dir + 1) * sector // the header takes the place of one sector
	if off+0x60 > uint64(len(h)) {
		return false
	}
	clsid := h[off+0x50 : off+0x60]
	// {000C1084-…} package, {000C1086-…} patch, {000C1082-…} transform.
	rest := []byte("\x0c\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46")
	return (clsid[0] == 0x84 || clsid[0] == 0x86 || clsid[0] == 0x82) && clsid[1] == 0x10 && bytes.Equal(clsid[2:], rest)
}

func isZip(h []byte) bool {
	return bytes.HasPrefix(h, []byte("PK\x03\x04")) || bytes.HasPrefix(h, []byte("PK\x05\x06")) ||
		bytes.HasPrefix(h, []byte("PK\x07\x08"))
}

// sniffZip looks at the names of the entries whose local headers are in the
// head. Writers that stream (Go's, .NET's) put no sizes there, so entries
// are found by their signature rather than by skipping from one to the next.
func sniffZip(h []byte, ext string) Kind {
	var contentTypes, rels, word, xl, ppt, program bool
	var odf string
	for i := 0; ; {
		j := bytes.Index(h[i:], []byte("PK\x03\x04"))
		if j < 0 {
			break
		}
		i += j + 4
		if i+26 > len(h) {
			break
		}
		n := int(binary.LittleEndian.Uint16(h[i+22:]))
		x := int(binary.LittleEndian.Uint16(h[i+24:]))
		if i+26+n > len(h) {
			break
		}
		name := string(h[i+26 : i+26+n])
		switch {
		case name == "[Content_Types].xml":
			contentTypes = true
		case name == "_rels/.rels":
			rels = true
		case strings.HasPrefix(name, "word/"):
			word = true
		case strings.HasPrefix(name, "xl/"):
			xl = true
		case strings.HasPrefix(name, "ppt/"):
			ppt = true
		case name == "META-INF/MANIFEST.MF", strings.HasSuffix(name, ".class"), // Java
			name == "AndroidManifest.xml", name == "classes.dex", // Android
			name == "AppxManifest.xml", name == "AppxBlockMap.xml": // Windows app package
			program = true
		case name == "mimetype" && odf == "":
			odf = odfType(h[min(i+26+n+x, len(h)):])
		}
	}
	switch {
	case program:
		return Kind{typeBinary, CategoryProgram}
	case odf != "":
		return Kind{odf, CategoryOffice}
	case contentTypes || rels:
		switch {
		case word:
			return Kind{typeDocx, CategoryOffice}
		case xl:
			return Kind{typeXlsx, CategoryOffice}
		case ppt:
			return Kind{typePptx, CategoryOffice}
		}
		// The parts were past the head: the name tells which document.
		switch ext {
		case ".docx", ".docm", ".dotx", ".dotm":
			return Kind{typeDocx, CategoryOffice}
		case ".xlsx", ".xlsm", ".xltx", ".xltm":
			return Kind{typeXlsx, CategoryOffice}
		case ".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm":
			return Kind{typePptx, CategoryOffice}
		}
		return Kind{typeBinary, CategoryOffice}
	}
	return Kind{"application/zip", CategoryArchive}
}

// odfType reads the stored "mimetype" entry of an OpenDocument file, which
// the format puts first and uncompressed.
func odfType(data []byte) string {
	const prefix = "application/vnd.oasis.opendocument."
	n := 0
	for n < len(data) && n < 100 {
		c := data[n]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '+' || c == '/') {
			break
		}
		n++
	}
	if t := string(data[:n]); strings.HasPrefix(t, prefix) && len(t) > len(prefix) {
		return t
	}
	return ""
}

// hasShebang is true for "#!", also after a byte order mark: some systems
// and interpreters accept it there.
func hasShebang(h []byte) bool {
	return bytes.HasPrefix(bytes.TrimPrefix(h, []byte("\xef\xbb\xbf")), []byte("#!"))
}

// sniffBinary recognises formats by their magic numbers.
func sniffBinary(h []byte, ext string) (Kind, bool) {
	has := func(off int, magic string) bool {
		return len(h) >= off+len(magic) && string(h[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "\xff\xd8\xff"):
		return Kind{typeJPEG, CategoryImage}, true
	case has(0, "\x89PNG\r\n\x1a\n"):
		return Kind{typePNG, CategoryImage}, true
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return Kind{typeGIF, CategoryImage}, true
	case has(0, "RIFF") && has(8, "WEBP"):
		return Kind{typeWebP, CategoryImage}, true
	case has(0, "%PDF-"):
		return Kind{typePDF, CategoryPDF}, true

	case has(0, "RIFF") && has(8, "WAVE"):
		return Kind{"audio/wav", CategoryMedia}, true
	case has(0, "RIFF") && has(8, "AVI "):
		return Kind{"video/x-msvideo", CategoryMedia}, true
	case has(0, "OggS\x00"):
		return Kind{"audio/ogg", CategoryMedia}, true
	case has(0, "\x1a\x45\xdf\xa3"): // EBML: WebM or Matroska
		if bytes.Contains(h[:min(len(h), 64)], []byte("webm")) {
			return Kind{"video/webm", CategoryMedia}, true
		}
		return Kind{"video/x-matroska", CategoryMedia}, true
	case has(4, "ftyp"):
		return sniffISO(h), true
	case has(0, "ID3") && len(h) > 3 && 2 <= h[3] && h[3] <= 4:
		return Kind{"audio/mpeg", CategoryMedia}, true
	case len(h) >= 2 && h[0] == 0xff && h[1]&0xf6 == 0xf0: // ADTS sync, layer 0
		return Kind{"audio/aac", CategoryMedia}, true
	case len(h) >= 2 && h[0] == 0xff && h[1]&0xe0 == 0xe0 && h[1]&0x18 != 0x08 && (h[1]&0x06 == 0x02 || h[1]&0x06 == 0x04):
		// MPEG audio frame sync, layer III or II. Layer I is left out: its
		// first bytes would include FF FE, the mark of UTF-16 text.
		return Kind{"audio/mpeg", CategoryMedia}, true
	case has(0, "fLaC"):
		return Kind{"audio/flac", CategoryMedia}, true
	case has(0, "MThd\x00\x00\x00\x06"):
		return Kind{"audio/midi", CategoryMedia}, true
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return Kind{"audio/aiff", CategoryMedia}, true
	case has(0, "\x00\x00\x01\xba"), has(0, "\x00\x00\x01\xb3"):
		return Kind{"video/mpeg", CategoryMedia}, true

	case has(0, "\x1f\x8b\x08"):
		return Kind{"application/gzip", CategoryArchive}, true
	case has(0, "7z\xbc\xaf\x27\x1c"):
		return Kind{"application/x-7z-compressed", CategoryArchive}, true
	case has(0, "Rar!\x1a\x07\x00"), has(0, "Rar!\x1a\x07\x01\x00"):
		return Kind{"application/vnd.rar", CategoryArchive}, true
	case has(257, "ustar\x00"), has(257, "ustar  \x00"):
		return Kind{"application/x-tar", CategoryArchive}, true
	case has(0, "BZh") && (has(4, "\x31\x41\x59\x26\x53\x59") || has(4, "\x17\x72\x45\x38\x50\x90")):
		return Kind{"application/x-bzip2", CategoryArchive}, true
	case has(0, "\xfd7zXZ\x00"):
		return Kind{"application/x-xz", CategoryArchive}, true
	case has(0, "\x28\xb5\x2f\xfd"):
		return Kind{"application/zstd", CategoryArchive}, true
	case has(0, "MSCF\x00\x00\x00\x00"):
		return Kind{"application/vnd.ms-cab-compressed", CategoryArchive}, true

	case isOLE(h): // Word 97–2003 and friends; installers were taken out before
		switch ext {
		case ".doc", ".dot":
			return Kind{"application/msword", CategoryOffice}, true
		case ".xls", ".xlt":
			return Kind{"application/vnd.ms-excel", CategoryOffice}, true
		case ".ppt", ".pot", ".pps":
			return Kind{"application/vnd.ms-powerpoint", CategoryOffice}, true
		}
		return Kind{"application/x-ole-storage", CategoryOffice}, true

	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return Kind{"image/tiff", CategoryOther}, true
	case has(0, "BM") && len(h) >= 18 && isBMPHeader(binary.LittleEndian.Uint32(h[14:])):
		return Kind{"image/bmp", CategoryOther}, true
	case has(0, "\x00\x00\x01\x00") && len(h) >= 6 && h[4]|h[5] != 0:
		return Kind{"image/x-icon", CategoryOther}, true
	case has(0, "8BPS"):
		return Kind{"image/vnd.adobe.photoshop", CategoryOther}, true
	}
	return Kind{}, false
}

func isBMPHeader(size uint32) bool {
	switch size {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// sniffISO names an ISO base media file (MP4 and relatives) by its brand.
func sniffISO(h []byte) Kind {
	brand := ""
	if len(h) >= 12 {
		brand = string(h[8:12])
	}
	switch {
	case brand == "M4A " || brand == "M4B ":
		return Kind{"audio/mp4", CategoryMedia}
	case brand == "qt  ":
		return Kind{"video/quicktime", CategoryMedia}
	case strings.HasPrefix(brand, "3g"):
		return Kind{"video/3gpp", CategoryMedia}
	case brand == "avif" || brand == "avis":
		return Kind{"image/avif", CategoryOther}
	case brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1" || brand == "hevc":
		return Kind{"image/heic", CategoryOther}
	}
	return Kind{"video/mp4", CategoryMedia}
}

// isText reports valid UTF-8 without NULs. The head may end inside a
// character, so an incomplete last one is forgiven.
func isText(h []byte) bool {
	if len(h) == 0 || bytes.IndexByte(h, 0) >= 0 {
		return false
	}
	for i := len(h) - 1; i >= 0 && i >= len(h)-3; i-- {
		if utf8.RuneStart(h[i]) {
			if !utf8.FullRune(h[i:]) {
				h = h[:i]
			}
			break
		}
	}
	return utf8.Valid(h)
}

// htmlStarts are the tags by which a browser recognises a page (after the
// WHATWG sniffing rules); any of them at the start makes text HTML.
var htmlStarts = []string{
	"<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font",
	"<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--",
}

// sniffMarkup recognises text that starts like a document of tags.
func sniffMarkup(h []byte) (string, bool) {
	t := bytes.TrimPrefix(h, []byte("\xef\xbb\xbf"))
	t = bytes.TrimLeft(t, " \t\r\n\f")
	if len(t) < 2 || t[0] != '<' {
		return "", false
	}
	lower := bytes.ToLower(t)
	for _, s := range htmlStarts {
		if bytes.HasPrefix(lower, []byte(s)) && len(lower) > len(s) {
			if c := lower[len(s)]; c == ' ' || c == '>' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || s == "<!--" {
				if s == "<!--" && bytes.Contains(lower, []byte("<svg")) {
					return typeSVG, true
				}
				return typeHTML, true
			}
		}
	}
	if c := t[1]; !(c == '?' || c == '!' || 'a' <= c|0x20 && c|0x20 <= 'z') {
		return "", false // "<3", "<= 5": prose, not markup
	}
	switch {
	case bytes.Contains(lower, []byte("<svg")):
		return typeSVG, true
	case bytes.Contains(lower, []byte("<html")), bytes.Contains(lower, []byte("<!doctype html")):
		return typeHTML, true
	}
	return typeXML, true
}

// Inline reports whether the browser may show the kind in the page:
// pictures of the four kinds, PDF and plain text. Everything else is an
// attachment.
func (k Kind) Inline() bool { return InlineType(k.Type) }

// InlineType reports whether a file of this served type may be shown in
// the browser: pictures of the four kinds, PDF and plain text. SVG and HTML
// never are, whatever the name says.
func InlineType(typ string) bool {
	switch typ {
	case typeJPEG, typePNG, typeGIF, typeWebP, typePDF, typeText:
		return true
	}
	return false
}

// Blocked reports whether the kind's category is one of kinds, the office's
// list of categories never allowed (DefaultBlocked unless changed). An empty
// list blocks nothing.
func (k Kind) Blocked(kinds []string) bool {
	for _, c := range kinds {
		if strings.EqualFold(strings.TrimSpace(c), k.Category) {
			return true
		}
	}
	return false
}
