package filekind

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrLimit is Text's answer for a document that holds more than is read
// for its text: more zip entries, a larger directory, or more uncompressed
// XML than the bounds allow (a zip bomb, most likely). The text read
// before the bound was met comes with it.
var ErrLimit = errors.New("filekind: the document is too large to read its text")

// limits bound what Text reads of a zip; tests use smaller ones.
type limits struct {
	entries   int   // entries of the zip's directory looked at
	unzipped  int64 // uncompressed bytes read, all entries together
	directory int64 // bytes read to open the zip: its directory and end record
}

var defaultLimits = limits{
	entries:   2000,
	unzipped:  64 << 20,
	directory: 1<<20 + 66<<10, // the end record is searched for in the last 65 KiB
}

// chunk is how much is read between two looks at the context.
const chunk = 8 << 10

// Text extracts the text of the file at path for the office's content
// rules, at most maxOut bytes of it (truncated on a character boundary,
// without an error). Text, markup and scripts are read as they are (invalid
// UTF-8 replaced); OOXML and OpenDocument files by streaming the XML of the
// parts that hold their words. Other kinds, PDF included, have no text
// here: "", nil. A document over the bounds gives ErrLimit; a context that
// ends gives its error. With an error, the text read so far is returned.
func Text(ctx context.Context, path string, k Kind, maxOut int) (string, error) {
	return extract(ctx, path, k, maxOut, defaultLimits)
}

func extract(ctx context.Context, path string, k Kind, maxOut int, lim limits) (string, error) {
	if maxOut <= 0 {
		return "", nil
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	switch k.Category {
	case CategoryText, CategoryMarkup, CategoryScript:
		return plainText(ctx, path, maxOut)
	case CategoryOffice:
		return officeText(ctx, path, maxOut, lim)
	}
	return "", nil
}

func plainText(ctx context.Context, path string, maxOut int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	out := newTextOut(maxOut)
	r := io.LimitReader(f, int64(maxOut)+1) // one more byte says there was more
	buf := make([]byte, chunk)
	for !out.full {
		if err := ctx.Err(); err != nil {
			return out.String(), err
		}
		n, err := r.Read(buf)
		out.write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return out.String(), err
		}
	}
	return out.String(), nil
}

func officeText(ctx context.Context, name string, maxOut int, lim limits) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	var magic [8]byte
	if _, err := f.ReadAt(magic[:], 0); err == nil && isOLE(magic[:]) {
		return "", nil // Word 97–2003 and the like: no reader for them here
	}

	// archive/zip reads every directory entry there is, whatever the end
	// record claims; capping the bytes it may read caps the memory it uses.
	ra := &capReaderAt{r: f, left: lim.directory, on: true}
	zr, err := zip.NewReader(ra, fi.Size())
	if errors.Is(err, ErrLimit) {
		return "", ErrLimit
	}
	if err != nil {
		return "", fmt.Errorf("filekind: reading the document: %w", err)
	}
	ra.on = false

	entries := zr.File
	over := len(entries) > lim.entries
	if over {
		entries = entries[:lim.entries]
	}
	out := newTextOut(maxOut)
	b := &budget{ctx: ctx, left: lim.unzipped}
	for _, p := range pickParts(entries) {
		if err := ctx.Err(); err != nil {
			return out.String(), err
		}
		if err := scanPart(p, b, out); err != nil {
			return out.String(), err
		}
		if out.full {
			return out.String(), nil
		}
		out.brk("\n")
	}
	if over {
		return out.String(), ErrLimit
	}
	return out.String(), nil
}

func scanPart(p part, b *budget, out *textOut) error {
	rc, err := p.f.Open()
	if err != nil {
		return fmt.Errorf("filekind: reading %s: %w", p.f.Name, err)
	}
	defer rc.Close()
	s := scanner{
		br:    bufio.NewReaderSize(budgetReader{b, rc}, chunk),
		rules: p.rules,
		out:   out,
	}
	if err := s.run(); err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		if errors.Is(err, ErrLimit) || b.ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("filekind: reading %s: %w", p.f.Name, err)
	}
	return nil
}

// A part is a zip entry that holds words, and how to find them in it.
type part struct {
	f     *zip.File
	rules *xmlRules
	rank  int // main text first: maxOut may cut the rest
	num   int // slide2 before slide10
}

// pickParts chooses the XML parts holding a document's words, in reading
// order. Part names in OOXML are case-insensitive.
func pickParts(files []*zip.File) []part {
	var parts []part
	for _, f := range files {
		n := strings.ToLower(f.Name)
		base := path.Base(n)
		num := partNumber(base)
		add := func(r *xmlRules, rank int) { parts = append(parts, part{f, r, rank, num}) }
		switch {
		case n == "word/document.xml":
			add(wordRules, 0)
		case matchPart(n, "word/", "header"):
			add(wordRules, 1)
		case matchPart(n, "word/", "footer"):
			add(wordRules, 2)
		case n == "word/footnotes.xml", n == "word/endnotes.xml", n == "word/comments.xml":
			add(wordRules, 3)
		case n == "xl/sharedstrings.xml":
			add(sheetRules, 0)
		case matchPart(n, "xl/worksheets/", "sheet"):
			add(sheetRules, 1) // strings typed into cells inline
		case matchPart(n, "ppt/slides/", "slide"):
			add(slideRules, 0)
		case matchPart(n, "ppt/notesslides/", "notesslide"):
			add(slideRules, 1)
		case n == "content.xml":
			add(odfRules, 0)
		case n == "styles.xml": // OpenDocument page headers and footers
			add(odfRules, 1)
		}
	}
	slices.SortStableFunc(parts, func(a, b part) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.num, b.num))
	})
	return parts
}

// matchPart reports whether name is dir + prefix + digits + ".xml".
func matchPart(name, dir, prefix string) bool {
	rest, ok := strings.CutPrefix(name, dir+prefix)
	if !ok {
		return false
	}
	rest, ok = strings.CutSuffix(rest, ".xml")
	return ok && strings.Trim(rest, "0123456789") == ""
}

func partNumber(base string) int {
	base = strings.TrimSuffix(base, ".xml")
	i := len(base)
	for i > 0 && len(base)-i < 9 && '0' <= base[i-1] && base[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(base[i:])
	return n
}

// capReaderAt fails reads past a number of bytes while on.
type capReaderAt struct {
	r    io.ReaderAt
	left int64
	on   bool
}

func (c *capReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if !c.on {
		return c.r.ReadAt(p, off)
	}
	if c.left <= 0 {
		return 0, ErrLimit
	}
	want := len(p)
	if int64(want) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.ReadAt(p, off)
	c.left -= int64(n)
	if err == nil && n < want {
		err = ErrLimit
	}
	return n, err
}

// budget is what may still be read uncompressed, shared by all entries,
// and the context looked at on every read: a bomb's declared sizes are
// not believed, its bytes are counted.
type budget struct {
	ctx  context.Context
	left int64
}

type budgetReader struct {
	b *budget
	r io.Reader
}

func (r budgetReader) Read(p []byte) (int, error) {
	if err := r.b.ctx.Err(); err != nil {
		return 0, err
	}
	if r.b.left <= 0 {
		// Spent: one more byte means the bound is what ended the reading.
		var one [1]byte
		n, err := r.r.Read(one[:])
		if n > 0 {
			return 0, ErrLimit
		}
		return 0, err
	}
	if int64(len(p)) > r.b.left {
		p = p[:r.b.left]
	}
	n, err := r.r.Read(p)
	r.b.left -= int64(n)
	return n, err
}

// textOut collects at most max bytes of text.
type textOut struct {
	b    []byte
	max  int
	full bool // text was left out
}

func newTextOut(max int) *textOut {
	return &textOut{b: make([]byte, 0, min(max, 64<<10)), max: max}
}

func (o *textOut) write(p []byte) {
	if o.full || len(p) == 0 {
		return
	}
	if room := o.max - len(o.b); len(p) > room {
		for room > 0 && !utf8.RuneStart(p[room]) {
			room--
		}
		p = p[:room]
		o.full = true
	}
	o.b = append(o.b, p...)
}

func (o *textOut) writeString(s string) { o.write([]byte(s)) }

// brk writes a separator unless the text is empty or already ends with it,
// so that empty paragraphs leave no blank runs.
func (o *textOut) brk(s string) {
	if len(o.b) > 0 && o.b[len(o.b)-1] != s[0] {
		o.writeString(s)
	}
}

func (o *textOut) String() string {
	b := o.b
	if o.full { // a character may have been cut between two writes
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	return cutUTF8(strings.ToValidUTF8(string(b), "\uFFFD"), o.max)
}

// xmlRules say where a format keeps its words. Elements are matched by
// local name: prefixes vary, and strict OOXML has other namespaces.
type xmlRules struct {
	keep  map[string]bool   // elements whose character data is text, with all inside them
	skip  map[string]bool   // elements whose content is not (phonetic guides)
	end   map[string]string // separator written when an element ends (paragraphs)
	empty map[string]string // elements that stand for a character (tabs, breaks)
}

var (
	wordRules = &xmlRules{
		keep:  map[string]bool{"t": true, "delText": true},
		end:   map[string]string{"p": "\n"},
		empty: map[string]string{"tab": "\t", "br": "\n", "cr": "\n"},
	}
	sheetRules = &xmlRules{
		keep: map[string]bool{"t": true},
		skip: map[string]bool{"rPh": true},
		end:  map[string]string{"si": "\n", "is": "\n"},
	}
	slideRules = &xmlRules{
		keep:  map[string]bool{"t": true},
		end:   map[string]string{"p": "\n"},
		empty: map[string]string{"br": "\n"},
	}
	odfRules = &xmlRules{
		keep:  map[string]bool{"p": true, "h": true},
		end:   map[string]string{"p": "\n", "h": "\n"},
		empty: map[string]string{"tab": "\t", "s": " ", "line-break": "\n"},
	}
)

// scanner streams XML and keeps the character data the rules name. It
// holds no more than a tag name at a time, whatever the document: unlike
// encoding/xml, which builds each token whole in memory, a 60 MiB comment
// or run of text costs it nothing. It is lenient: malformed XML yields
// what text it can, never an error.
type scanner struct {
	br    *bufio.Reader
	rules *xmlRules
	out   *textOut
	keep  int // depth inside kept elements
	skip  int // depth inside skipped elements
	name  []byte
	ent   []byte // an entity being read, without its '&'
	inEnt bool
}

func (s *scanner) kept() bool { return s.keep > 0 && s.skip == 0 }

func (s *scanner) run() error {
	for {
		if err := s.text(); err != nil {
			return err
		}
		if s.out.full {
			return nil
		}
		c, err := s.br.ReadByte()
		if err != nil {
			return err
		}
		switch c {
		case '/':
			err = s.endTag()
		case '?':
			err = s.skipPast("?>")
		case '!':
			err = s.bang()
		default:
			_ = s.br.UnreadByte()
			err = s.startTag()
		}
		if err != nil || s.out.full {
			return err
		}
	}
}

// text reads character data up to and including the next '<'.
func (s *scanner) text() error {
	for {
		b, err := s.br.ReadSlice('<')
		data := b
		if err == nil {
			data = b[:len(b)-1]
		}
		if s.kept() {
			s.charData(data)
		}
		if err == nil {
			s.endEntity()
			return nil
		}
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// charData writes text, decoding entities, which may span two reads.
func (s *scanner) charData(p []byte) {
	for len(p) > 0 && !s.out.full {
		if s.inEnt {
			c := p[0]
			switch {
			case c == ';':
				s.out.writeString(decodeEntity(s.ent))
				s.inEnt = false
				p = p[1:]
			case len(s.ent) >= 12 || c == '&' || c == ' ' || c == '\n' || c == '\t' || c == '\r':
				s.endEntity() // not an entity: a stray '&'
			default:
				s.ent = append(s.ent, c)
				p = p[1:]
			}
			continue
		}
		i := bytes.IndexByte(p, '&')
		if i < 0 {
			s.out.write(p)
			return
		}
		s.out.write(p[:i])
		p = p[i+1:]
		s.inEnt, s.ent = true, s.ent[:0]
	}
}

// endEntity writes an unfinished entity as the characters it was.
func (s *scanner) endEntity() {
	if s.inEnt {
		s.out.writeString("&")
		s.out.write(s.ent)
		s.inEnt = false
	}
}

func decodeEntity(name []byte) string {
	switch string(name) {
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "amp":
		return "&"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	if len(name) > 1 && name[0] == '#' {
		num, base := name[1:], 10
		if num[0] == 'x' || num[0] == 'X' {
			num, base = num[1:], 16
		}
		if v, err := strconv.ParseUint(string(num), base, 32); err == nil && v != 0 && utf8.ValidRune(rune(v)) {
			return string(rune(v))
		}
	}
	return "&" + string(name) + ";"
}

// readName reads a tag's name, keeping at most 64 bytes of it (no rule
// names anything longer), and returns the byte that ended it.
func (s *scanner) readName() (byte, error) {
	s.name = s.name[:0]
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return 0, err
		}
		if c == '>' || c == '/' || isXMLSpace(c) {
			return c, nil
		}
		if len(s.name) < 64 {
			s.name = append(s.name, c)
		}
	}
}

func (s *scanner) local() []byte {
	if i := bytes.LastIndexByte(s.name, ':'); i >= 0 {
		return s.name[i+1:]
	}
	return s.name
}

func (s *scanner) startTag() error {
	c, err := s.readName()
	if err != nil {
		return err
	}
	// Skip the attributes; a '>' may stand inside quotes.
	last, quote := c, byte(0)
	for c != '>' || quote != 0 {
		if c, err = s.br.ReadByte(); err != nil {
			return err
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			continue
		}
		if !isXMLSpace(c) {
			last = c
		}
	}
	local := s.local()
	r := s.rules
	if r.skip[string(local)] {
		s.skip++
	}
	if r.keep[string(local)] {
		s.keep++
	}
	if t, ok := r.empty[string(local)]; ok && s.skip == 0 {
		s.out.writeString(t)
	}
	if last == '/' {
		s.endElement(local)
	}
	return nil
}

func (s *scanner) endTag() error {
	c, err := s.readName()
	for err == nil && c != '>' {
		c, err = s.br.ReadByte()
	}
	if err != nil {
		return err
	}
	s.endElement(s.local())
	return nil
}

func (s *scanner) endElement(local []byte) {
	r := s.rules
	if r.keep[string(local)] && s.keep > 0 {
		s.keep--
	}
	if r.skip[string(local)] && s.skip > 0 {
		s.skip--
	}
	if t, ok := r.end[string(local)]; ok && s.skip == 0 {
		s.out.brk(t)
	}
}

// bang handles what starts with "<!": a comment, CDATA, or a declaration.
func (s *scanner) bang() error {
	if p, _ := s.br.Peek(2); string(p) == "--" {
		_, _ = s.br.Discard(2)
		return s.skipPast("-->")
	}
	if p, _ := s.br.Peek(7); string(p) == "[CDATA[" {
		_, _ = s.br.Discard(7)
		return s.cdata()
	}
	// A declaration; its internal subset, in brackets, may hold '>'.
	depth, quote := 0, byte(0)
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return err
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			return nil
		}
	}
}

// skipPast reads past the first occurrence of end (at most 3 bytes).
func (s *scanner) skipPast(end string) error {
	var w [3]byte
	n := len(end)
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return err
		}
		w[0], w[1], w[2] = w[1], w[2], c
		if string(w[3-n:]) == end {
			return nil
		}
	}
}

// cdata reads a CDATA section up to "]]>", writing its content when kept.
func (s *scanner) cdata() error {
	if !s.kept() {
		return s.skipPast("]]>")
	}
	brackets := 0
	for !s.out.full {
		c, err := s.br.ReadByte()
		if err != nil {
			return err
		}
		if c == ']' {
			brackets++
			continue
		}
		if c == '>' && brackets >= 2 {
			s.brackets(brackets - 2)
			return nil
		}
		s.brackets(brackets)
		brackets = 0
		s.out.write([]byte{c})
	}
	return nil
}

func (s *scanner) brackets(n int) {
	for range n {
		s.out.write([]byte{']'})
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
