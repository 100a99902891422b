package preview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"strings"
	"testing"

	"inhouse/server/filekind"
)

var (
	redC   = color.RGBA{255, 0, 0, 255}
	greenC = color.RGBA{0, 160, 0, 255}
	blueC  = color.RGBA{0, 0, 255, 255}
	greyC  = color.RGBA{128, 128, 128, 255}
)

// bands is a w×h picture in three bands across its longer side: red,
// green, blue. Its middle square is green but for the ends of the other
// two when the picture is less than three times as long as it is wide.
func bands(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	long := max(w, h)
	for y := range h {
		for x := range w {
			p := x
			if h > w {
				p = y
			}
			c := greenC
			switch {
			case p < long/3:
				c = redC
			case p >= long-long/3:
				c = blueC
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// marked is a grey w×h picture (w ≥ h) whose middle square has a red
// top-left quarter: where the red ends up says how the square was turned.
func marked(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	x0 := (w - h) / 2
	for y := range h {
		for x := range w {
			c := greyC
			if x >= x0 && x < x0+h/2 && y < h/2 {
				c = redC
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, frames ...image.Image) []byte {
	g := &gif.GIF{}
	for _, f := range frames {
		p := image.NewPaletted(f.Bounds(), palette.Plan9)
		for y := f.Bounds().Min.Y; y < f.Bounds().Max.Y; y++ {
			for x := f.Bounds().Min.X; x < f.Bounds().Max.X; x++ {
				p.Set(x, y, f.At(x, y))
			}
		}
		g.Image = append(g.Image, p)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// withEXIF puts an APP1 EXIF segment holding only an orientation right
// after a JPEG's SOI, in the given byte order; with xmp, an XMP APP1 first.
func withEXIF(jpg []byte, orientation int, bo byteOrder, xmp bool) []byte {
	tiff := []byte("MM\x00*")
	if bo == binary.LittleEndian {
		tiff = []byte("II*\x00")
	}
	tiff = bo.AppendUint32(tiff, 8)      // the first IFD
	tiff = bo.AppendUint16(tiff, 1)      // one entry
	tiff = bo.AppendUint16(tiff, 0x0112) // orientation
	tiff = bo.AppendUint16(tiff, 3)      // SHORT
	tiff = bo.AppendUint32(tiff, 1)      // one value
	tiff = bo.AppendUint16(tiff, uint16(orientation))
	tiff = append(tiff, 0, 0, 0, 0, 0, 0) // padding, no next IFD
	segment := func(payload []byte) []byte {
		return binary.BigEndian.AppendUint16([]byte{0xff, 0xe1}, uint16(len(payload)+2))
	}
	out := append([]byte{}, jpg[:2]...)
	if xmp {
		x := []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>")
		out = append(append(out, segment(x)...), x...)
	}
	e := append([]byte("Exif\x00\x00"), tiff...)
	out = append(append(out, segment(e)...), e...)
	return append(out, jpg[2:]...)
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(append(c, typ...), data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// insertPNGChunk puts a chunk after the one of type after.
func insertPNGChunk(p []byte, after string, chunk []byte) []byte {
	i := 8
	for {
		n := int(binary.BigEndian.Uint32(p[i:]))
		typ := string(p[i+4 : i+8])
		i += 12 + n
		if typ == after {
			return append(append(append([]byte{}, p[:i]...), chunk...), p[i:]...)
		}
	}
}

// pngHeader is a PNG that claims w×h pixels in its header and whose pixel
// data is not zlib at all: any decoding of it fails.
func pngHeader(w, h int) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	p := []byte("\x89PNG\r\n\x1a\n")
	p = append(p, pngChunk("IHDR", ihdr)...)
	p = append(p, pngChunk("IDAT", []byte("not zlib"))...)
	return append(p, pngChunk("IEND", nil)...)
}

// riff wraps WebP chunks in their container.
func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

func webpChunk(id string, data []byte) []byte {
	c := binary.LittleEndian.AppendUint32([]byte(id), uint32(len(data)))
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// vp8x is the extended header: flags and a canvas of w×h.
func vp8x(flags byte, w, h int) []byte {
	d := []byte{flags, 0, 0, 0}
	d = append(d, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	d = append(d, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return webpChunk("VP8X", d)
}

// vp8l is a lossless WebP bitstream of w×h pixels all of colour c: five
// prefix codes of one symbol each, so that no pixel needs a bit.
func vp8l(w, h int, c color.NRGBA) []byte {
	var bits []byte
	n := 0
	put := func(v uint32, width int) {
		for i := range width {
			if n%8 == 0 {
				bits = append(bits, 0)
			}
			bits[len(bits)-1] |= byte(v>>i&1) << (n % 8)
			n++
		}
	}
	put(0x2f, 8)
	put(uint32(w-1), 14)
	put(uint32(h-1), 14)
	put(1, 1) // alpha is used
	put(0, 3) // version
	put(0, 1) // no transform
	put(0, 1) // no colour cache
	put(0, 1) // no meta prefix codes
	for _, v := range []uint8{c.G, c.R, c.B, c.A, 0} {
		put(1, 1) // a simple code
		put(0, 1) // of one symbol
		put(1, 1) // written in 8 bits
		put(uint32(v), 8)
	}
	return webpChunk("VP8L", bits)
}

// avatar runs Avatar and checks that what comes back is a 256×256 JPEG.
func avatar(t *testing.T, pic []byte) image.Image {
	t.Helper()
	out, err := Avatar(bytes.NewReader(pic), 8<<20)
	if err != nil {
		t.Fatalf("Avatar: %v", err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
	if err != nil || format != "jpeg" || cfg.Width != AvatarSize || cfg.Height != AvatarSize {
		t.Fatalf("Avatar gave %s %d×%d (%v), want a %d×%d JPEG", format, cfg.Width, cfg.Height, err, AvatarSize, AvatarSize)
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// near says whether c is within a JPEG's error of want.
func near(c, want color.Color) bool {
	r, g, b, _ := c.RGBA()
	wr, wg, wb, _ := want.RGBA()
	d := func(a, b uint32) bool { return max(a, b)-min(a, b) < 0x1800 }
	return d(r, wr) && d(g, wg) && d(b, wb)
}

// checkAll checks the colour at points of an avatar.
func checkAll(t *testing.T, what string, img image.Image, want color.Color, pts ...image.Point) {
	t.Helper()
	for _, p := range pts {
		if c := img.At(p.X, p.Y); !near(c, want) {
			t.Errorf("%s: %v at %v, want %v", what, c, p, want)
		}
	}
}

// The edges and the middle of an avatar, a few pixels in.
var everywhere = []image.Point{{4, 4}, {128, 4}, {251, 4}, {4, 128}, {128, 128}, {251, 128}, {4, 251}, {128, 251}, {251, 251}}

// A tall or a wide picture gives its middle square, whole and unsquashed:
// all green, in each format, and whatever its size against 256.
func TestAvatarMiddleSquare(t *testing.T) {
	for _, c := range []struct {
		name string
		pic  []byte
	}{
		{"tall PNG", encodePNG(t, bands(300, 900))},
		{"wide PNG", encodePNG(t, bands(900, 300))},
		{"odd sizes", encodePNG(t, bands(1201, 3603))},
		{"small and wide, scaled up", encodePNG(t, bands(60, 20))},
		{"tall JPEG", encodeJPEG(t, bands(600, 1800))},
		{"wide GIF", encodeGIF(t, bands(768, 256))},
	} {
		checkAll(t, c.name, avatar(t, c.pic), greenC, everywhere...)
	}
	// A square picture is the whole of it, scaled.
	img := avatar(t, encodePNG(t, marked(512, 512)))
	checkAll(t, "square", img, redC, image.Pt(10, 10), image.Pt(117, 117))
	checkAll(t, "square", img, greyC, image.Pt(138, 138), image.Pt(245, 10), image.Pt(10, 245))
}

// Fine detail shrunk eleven times averages out: one-pixel black and white
// lines come out an even grey, not as stripes (a sample of the four
// source pixels nearest each output pixel's centre gives black and white).
func TestAvatarAveragesDetail(t *testing.T) {
	const side = 11 * AvatarSize
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			if x%2 == 0 {
				img.Pix[y*img.Stride+x] = 255
			}
		}
	}
	out := avatar(t, encodePNG(t, img))
	lo, hi := uint32(0xffff), uint32(0)
	for y := 8; y < 248; y++ {
		for x := 8; x < 248; x++ {
			v, _, _, _ := out.At(x, y).RGBA()
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo < 0x6000 || hi > 0xa000 {
		t.Errorf("grey from %#x to %#x, want about 0x8000 everywhere", lo, hi)
	}
}

// Other formats: a lossless WebP, made here bit by bit, and a transparent
// picture, which comes out on white.
func TestAvatarWebPAndTransparency(t *testing.T) {
	orange := color.NRGBA{255, 128, 0, 255}
	img := avatar(t, riff(vp8l(300, 100, orange)))
	checkAll(t, "WebP", img, orange, everywhere...)
	img = avatar(t, riff(vp8x(0x10, 40, 40), vp8l(40, 40, orange))) // extended, with alpha
	checkAll(t, "extended WebP", img, orange, everywhere...)
	img = avatar(t, riff(vp8l(50, 50, color.NRGBA{})))
	checkAll(t, "transparent WebP", img, color.White, everywhere...)
	transparent := image.NewNRGBA(image.Rect(0, 0, 100, 300))
	img = avatar(t, encodePNG(t, transparent))
	checkAll(t, "transparent PNG", img, color.White, everywhere...)
	// A one-frame GIF with a loop count is still one frame.
	g := &gif.GIF{Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 8, 8), palette.Plan9)}, Delay: []int{0}, LoopCount: 3}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	avatar(t, b.Bytes())
}

// A JPEG is turned upright as its EXIF orientation says; the red quarter
// of the middle square moves as preview.Make's tests expect.
func TestAvatarTurnsJPEG(t *testing.T) {
	jpg := encodeJPEG(t, marked(900, 300))
	topLeft, topRight := image.Pt(64, 64), image.Pt(192, 64)
	bottomLeft, bottomRight := image.Pt(64, 192), image.Pt(192, 192)
	for _, c := range []struct {
		name string
		pic  []byte
		red  image.Point
	}{
		{"no EXIF", jpg, topLeft},
		{"1", withEXIF(jpg, 1, binary.BigEndian, false), topLeft},
		{"3, upside down", withEXIF(jpg, 3, binary.LittleEndian, false), bottomRight},
		{"6, a quarter right", withEXIF(jpg, 6, binary.BigEndian, false), topRight},
		{"6, Intel order", withEXIF(jpg, 6, binary.LittleEndian, false), topRight},
		{"6 after an XMP segment", withEXIF(jpg, 6, binary.BigEndian, true), topRight},
		{"8, a quarter left", withEXIF(jpg, 8, binary.BigEndian, false), bottomLeft},
		{"2, mirrored", withEXIF(jpg, 2, binary.BigEndian, false), topRight},
		{"9, not an orientation", withEXIF(jpg, 9, binary.BigEndian, false), topLeft},
	} {
		img := avatar(t, c.pic)
		for _, p := range []image.Point{topLeft, topRight, bottomLeft, bottomRight} {
			want := color.Color(greyC)
			if p == c.red {
				want = redC
			}
			checkAll(t, "orientation "+c.name, img, want, p)
		}
	}
	// A PNG is never turned (browsers show it as stored).
	checkAll(t, "PNG", avatar(t, encodePNG(t, marked(900, 300))), redC, topLeft)
}

func TestAvatarRefuses(t *testing.T) {
	small := encodePNG(t, bands(30, 10))
	twoFrames := encodeGIF(t, bands(20, 10), bands(20, 10))
	actl := pngChunk("acTL", []byte{0, 0, 0, 2, 0, 0, 0, 0})
	jpegHuge := encodeJPEG(t, bands(16, 16))
	if i := bytes.Index(jpegHuge, []byte{0xff, 0xc0}); i < 0 {
		t.Fatal("no SOF0")
	} else {
		binary.BigEndian.PutUint16(jpegHuge[i+5:], 5001) // height
		binary.BigEndian.PutUint16(jpegHuge[i+7:], 8000) // width
	}
	gifHuge := encodeGIF(t, bands(20, 10))
	binary.LittleEndian.PutUint16(gifHuge[6:], 65535)
	binary.LittleEndian.PutUint16(gifHuge[8:], 65535)
	gifEmpty := encodeGIF(t, image.NewRGBA(image.Rect(0, 0, 0, 0)))
	binary.LittleEndian.PutUint16(gifEmpty[6:], 0)
	binary.LittleEndian.PutUint16(gifEmpty[8:], 0)

	for _, c := range []struct {
		name string
		pic  []byte
		want error
	}{
		{"nothing", nil, ErrEmptyPicture},
		{"text", []byte("hello, this is not a picture"), ErrNotPicture},
		{"a PDF", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), ErrNotPicture},
		{"a BMP", append([]byte("BM"), make([]byte, 60)...), ErrNotPicture},
		{"half a PNG signature", small[:5], ErrNotPicture},
		{"a PNG's header only", small[:30], ErrDamaged},
		{"a cut JPEG", encodeJPEG(t, bands(64, 64))[:400], ErrDamaged},
		{"a RIFF that is not WebP", append([]byte("RIFF\x04\x00\x00\x00WAVE"), make([]byte, 20)...), ErrNotPicture},
		{"a WebP without an image", riff(webpChunk("EXIF", []byte("x"))), ErrDamaged},
		{"a GIF with an empty screen", gifEmpty, ErrEmptyPicture},
		// Judged from the header: none of these has pixels to decode.
		{"40 megapixels and one row", pngHeader(8000, 5001), ErrTooManyPixels},
		{"40 megapixels exactly pass the check", pngHeader(8000, 5000), ErrDamaged},
		{"a huge PNG", pngHeader(100_000, 100_000), ErrTooManyPixels},
		{"a huge JPEG", jpegHuge, ErrTooManyPixels},
		{"a huge GIF", gifHuge, ErrTooManyPixels},
		{"a huge WebP", riff(vp8x(0, 16384, 16384), vp8l(1, 1, color.NRGBA{})), ErrTooManyPixels},
		{"a WebP over 2³¹ pixels", riff(vp8x(0, 1<<24, 1<<24), vp8l(1, 1, color.NRGBA{})), ErrTooManyPixels},
		// Moving pictures.
		{"a GIF of two frames", twoFrames, ErrAnimated},
		{"an APNG", insertPNGChunk(small, "IHDR", actl), ErrAnimated},
		{"an animated WebP", riff(vp8x(0x02, 10, 10), webpChunk("ANIM", make([]byte, 6)), webpChunk("ANMF", make([]byte, 17))), ErrAnimated},
		{"a WebP with an ANIM chunk only", riff(vp8x(0, 10, 10), webpChunk("ANIM", make([]byte, 6)), vp8l(10, 10, color.NRGBA{})), ErrAnimated},
	} {
		out, err := Avatar(bytes.NewReader(c.pic), 8<<20)
		if !errors.Is(err, c.want) || out != nil {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// An acTL after the image data is not an APNG's: browsers show a still.
	avatar(t, insertPNGChunk(small, "IDAT", actl))

	// Every refusal is a sentence, and a Refusal.
	for _, err := range []error{ErrNotPicture, ErrDamaged, ErrEmptyPicture, ErrTooManyPixels, ErrAnimated, tooLarge(8 << 20)} {
		var r Refusal
		if !errors.As(err, &r) || !strings.HasSuffix(string(r), ".") || r[0] < 'A' || r[0] > 'Z' {
			t.Errorf("%q is not a sentence", err)
		}
	}
	if !strings.Contains(ErrTooManyPixels.Error(), "40 megapixels") {
		t.Errorf("%q", ErrTooManyPixels)
	}
}

// counter is an endless picture that counts what is read of it.
type counter struct{ n int64 }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	c.n += int64(len(p))
	return len(p), nil
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// No more than one byte over the limit is read; the limit is named.
func TestAvatarTooLarge(t *testing.T) {
	var c counter
	_, err := Avatar(&c, 1<<20)
	var r Refusal
	if !errors.As(err, &r) || string(r) != "The picture is too large: at most 1 MB." {
		t.Fatalf("%v", err)
	}
	if c.n > 1<<20+1 {
		t.Errorf("read %d bytes of an endless upload, limit %d", c.n, 1<<20)
	}
	pic := encodePNG(t, bands(90, 30))
	if _, err := Avatar(bytes.NewReader(pic), int64(len(pic))); err != nil {
		t.Errorf("a picture of exactly the limit: %v", err)
	}
	if _, err := Avatar(bytes.NewReader(pic), int64(len(pic)-1)); !errors.As(err, &r) {
		t.Errorf("a picture a byte over the limit: %v", err)
	}
	for limit, want := range map[int64]string{
		8 << 20:   "at most 8 MB.",
		8_000_000: "at most 7.6 MB.",
		1500:      "at most 1 KB.",
		100:       "at most 100 bytes.",
	} {
		if got := tooLarge(limit).Error(); !strings.HasSuffix(got, want) {
			t.Errorf("limit %d: %q", limit, got)
		}
	}
	// A failure to read is not the picture's fault: not a Refusal.
	if _, err := Avatar(failing{}, 1<<20); err == nil || errors.As(err, &r) {
		t.Errorf("a read failure: %v", err)
	}
}

// BenchmarkAvatar12MP: a phone's 4000×3000 photograph to a picture.
func BenchmarkAvatar12MP(b *testing.B) {
	// Detail everywhere, as in a photograph: a flat picture decodes faster.
	img := picture(4000, 3000)
	for i := range img.Pix {
		if i%4 != 3 {
			img.Pix[i] = byte(i*7919>>3) ^ byte(i>>11)
		}
	}
	var src bytes.Buffer
	if err := jpeg.Encode(&src, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	pic := withEXIF(src.Bytes(), 6, binary.BigEndian, false)
	b.SetBytes(int64(len(pic)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Avatar(bytes.NewReader(pic), 16<<20); err != nil {
			b.Fatal(err)
		}
	}
}

// The EXIF reader: damaged or unusual files give 1 (as stored) rather
// than a wrong turn, and never a panic.
func TestJPEGOrientation(t *testing.T) {
	jpg := encodeJPEG(t, bands(16, 16))
	six := withEXIF(jpg, 6, binary.BigEndian, false)
	long := bytes.Clone(six) // the value written as a LONG
	i := bytes.Index(long, []byte{0x01, 0x12, 0x00, 0x03})
	copy(long[i+2:], []byte{0, 4, 0, 0, 0, 1, 0, 0, 0, 7})
	fill := append([]byte{0xff, 0xd8, 0xff, 0xff}, six[2:]...) // a fill byte before the segment
	badTIFF := bytes.Clone(six)
	copy(badTIFF[bytes.Index(badTIFF, []byte("MM\x00*")):], "MM\x00+")
	farIFD := bytes.Clone(six)
	binary.BigEndian.PutUint32(farIFD[bytes.Index(farIFD, []byte("MM\x00*"))+4:], 1<<30)
	afterData := append(bytes.Clone(jpg[:len(jpg)-2]), withEXIF([]byte{0xff, 0xd8}, 6, binary.BigEndian, false)[2:]...)
	for _, c := range []struct {
		name string
		b    []byte
		want int
	}{
		{"none", jpg, 1},
		{"SHORT", six, 6},
		{"LONG", long, 7},
		{"after a fill byte", fill, 6},
		{"not TIFF", badTIFF, 1},
		{"an IFD past the end", farIFD, 1},
		{"EXIF after the image data", afterData, 1},
		{"a segment longer than the file", []byte{0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 'E', 'x'}, 1},
		{"a length under 2", []byte{0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01, 0xff, 0xd9}, 1},
		{"a restart marker", append([]byte{0xff, 0xd8, 0xff, 0xd0}, six[2:]...), 6},
		{"no marker", []byte{0xff, 0xd8, 0x00, 0x00, 0x00, 0x00}, 1},
	} {
		if got := jpegOrientation(c.b); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// Every walker of a file's structure survives every cut and every changed
// byte of real files: no panic, and an orientation is always 1 to 8.
func TestWalkersOnDamage(t *testing.T) {
	jpg := withEXIF(encodeJPEG(t, bands(16, 16)), 6, binary.LittleEndian, true)
	pics := [][]byte{
		jpg[:300],
		encodeGIF(t, bands(20, 10), bands(20, 10)),
		insertPNGChunk(encodePNG(t, bands(20, 10)), "IHDR", pngChunk("acTL", make([]byte, 8))),
		riff(vp8x(0x02, 10, 10), webpChunk("ANIM", make([]byte, 6)), vp8l(10, 10, color.NRGBA{})),
	}
	for _, p := range pics {
		for n := range len(p) {
			cut := p[:n]
			if o := jpegOrientation(cut); o < 1 || o > 8 {
				t.Fatalf("orientation %d", o)
			}
			apng(cut)
			animatedGIF(cut)
			animatedWebP(cut)
			filekind.ImageSize(bytes.NewReader(cut), "image/webp")
			for _, v := range []byte{0x00, 0xff, 0x80} {
				bad := bytes.Clone(p)
				bad[n] = v
				if o := jpegOrientation(bad); o < 1 || o > 8 {
					t.Fatalf("orientation %d", o)
				}
				apng(bad)
				animatedGIF(bad)
				animatedWebP(bad)
				filekind.ImageSize(bytes.NewReader(bad), "image/webp")
			}
		}
	}
}

// jpegOrientation is the one EXIF reader, filekind's, on bytes in memory.
func jpegOrientation(b []byte) int { return filekind.JPEGOrientation(bytes.NewReader(b)) }
