package preview

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// AvatarSize is the side of a person's picture in pixels (docs/people.md).
const AvatarSize = 256

// A Refusal is why Avatar will not take a picture, as a sentence for the
// person who sent it: the caller answers 400 with it. Every refusal is a
// Refusal (errors.As); all but the one about the file's size are the
// variables below (errors.Is).
type Refusal string

func (r Refusal) Error() string { return string(r) }

var (
	ErrNotPicture    = Refusal("This is not a picture: choose a JPEG, PNG, GIF or WebP.")
	ErrDamaged       = Refusal("The picture could not be read: the file may be damaged.")
	ErrEmptyPicture  = Refusal("The picture is empty.")
	ErrTooManyPixels = Refusal(fmt.Sprintf("The picture has more than %d megapixels: choose a smaller one.", MaxPixels/1_000_000))
	ErrAnimated      = Refusal("A moving picture cannot be a profile picture: choose a still one.")
)

// tooLarge is the refusal of a file over maxBytes, naming the limit.
func tooLarge(maxBytes int64) Refusal {
	var size string
	switch {
	case maxBytes >= 1<<20 && maxBytes%(1<<20) == 0:
		size = fmt.Sprintf("%d MB", maxBytes>>20)
	case maxBytes >= 1<<20:
		size = fmt.Sprintf("%.1f MB", float64(maxBytes)/(1<<20))
	case maxBytes >= 1<<10:
		size = fmt.Sprintf("%d KB", maxBytes>>10)
	default:
		size = fmt.Sprintf("%d bytes", max(maxBytes, 0))
	}
	return Refusal("The picture is too large: at most " + size + ".")
}

// pictureFormat is what Avatar needs of one of the four formats it takes.
// Each is called by name rather than through image.Decode, so that a
// format another package of the binary registers (BMP, TIFF) is not taken.
type pictureFormat struct {
	is       func(b []byte) bool
	config   func(b []byte) (image.Config, error)
	animated func(b []byte) bool
	decode   func(io.Reader) (image.Image, error)
}

var formats = []pictureFormat{
	{isJPEG, configOf(jpeg.DecodeConfig), func([]byte) bool { return false }, jpeg.Decode},
	{isPNG, configOf(png.DecodeConfig), apng, png.Decode},
	// gif.Decode keeps the first frame only; animated ones never get there.
	{isGIF, configOf(gif.DecodeConfig), animatedGIF, gif.Decode},
	{isWebP, webpConfig, animatedWebP, webp.Decode},
}

func configOf(f func(io.Reader) (image.Config, error)) func([]byte) (image.Config, error) {
	return func(b []byte) (image.Config, error) { return f(bytes.NewReader(b)) }
}

func isJPEG(b []byte) bool { return len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff }
func isPNG(b []byte) bool  { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }
func isGIF(b []byte) bool {
	return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
}
func isWebP(b []byte) bool {
	return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
}

// Avatar makes a person's picture from an upload of at most maxBytes: the
// middle square of the picture, turned upright (EXIF orientation, for
// JPEG), as a 256×256 JPEG. It takes JPEG, PNG, GIF (one frame) and WebP
// (not animated), judged by content. The size in pixels is checked from
// the header before anything is decoded; decoding the largest picture
// taken still costs 160 MB (320 MB for a 16-bit PNG), so the caller
// bounds how many run at once.
// A picture it will not take is refused with a Refusal; any other error
// is reading r.
func Avatar(r io.Reader, maxBytes int64) ([]byte, error) {
	limit := maxBytes
	if limit < math.MaxInt64 {
		limit++ // one byte more tells a file over the limit from one at it
	}
	data, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("preview: reading the picture: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	if len(data) == 0 {
		return nil, ErrEmptyPicture
	}
	var f *pictureFormat
	for i := range formats {
		if formats[i].is(data) {
			f = &formats[i]
			break
		}
	}
	if f == nil {
		return nil, ErrNotPicture
	}
	cfg, err := f.config(data)
	switch {
	case err != nil:
		return nil, ErrDamaged
	case cfg.Width <= 0 || cfg.Height <= 0:
		return nil, ErrEmptyPicture
	case uint64(cfg.Width)*uint64(cfg.Height) > MaxPixels:
		return nil, ErrTooManyPixels
	case f.animated(data):
		return nil, ErrAnimated
	}
	src, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrDamaged
	}
	b := src.Bounds()
	if b.Empty() { // a GIF's frame may be empty on a non-empty screen
		return nil, ErrEmptyPicture
	}
	side := min(b.Dx(), b.Dy())
	sq := image.Rect(0, 0, side, side).Add(b.Min).Add(image.Pt((b.Dx()-side)/2, (b.Dy()-side)/2))

	out := image.NewRGBA(image.Rect(0, 0, AvatarSize, AvatarSize))
	// A transparent picture is shown on white, as a JPEG cannot hold it.
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	// A true bilinear kernel rather than the previews' ApproxBiLinear: a
	// photograph shrinks ten times or more here, and four source pixels
	// for each output pixel would alias fine detail into patterns. The
	// kernel widens with the shrinking and averages all of them; it costs
	// about a third of the decoding (BenchmarkAvatar12MP), CatmullRom three
	// times that for no visible gain at this size.
	xdraw.BiLinear.Scale(out, out.Bounds(), src, sq, xdraw.Over, nil)

	orientation := 1
	if isJPEG(data) {
		orientation = jpegOrientation(data)
	}
	// Turning the middle square gives the middle square of the turned
	// picture: each of the eight ways keeps the centre where it is.
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, orient(out, orientation), &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// apng says whether a PNG is animated: an acTL chunk before the first
// IDAT. A plain decoder would show its first frame only.
func apng(b []byte) bool {
	for i := uint64(8); i+8 <= uint64(len(b)); {
		n := uint64(binary.BigEndian.Uint32(b[i:]))
		switch string(b[i+4 : i+8]) {
		case "acTL":
			return true
		case "IDAT":
			return false
		}
		i += 12 + n // length, type, data, CRC
	}
	return false
}

// animatedGIF says whether a GIF has more than one frame, by walking its
// blocks without decompressing any (a damaged one is left to the decoder).
func animatedGIF(b []byte) bool {
	const header = 6 + 7 // signature and version, logical screen descriptor
	if len(b) < header {
		return false
	}
	i := header + colorTable(b[10])
	frames := 0
	for i < len(b) {
		switch b[i] {
		case 0x21: // extension: label, then sub-blocks
			i = skipSubBlocks(b, i+2)
		case 0x2c: // image: descriptor, local colour table, LZW code size, sub-blocks
			if frames++; frames > 1 {
				return true
			}
			if i+10 > len(b) {
				return false
			}
			i = skipSubBlocks(b, i+10+colorTable(b[i+9])+1)
		default: // the trailer, or damage
			return false
		}
	}
	return false
}

// colorTable is the length of the colour table a GIF's packed field names.
func colorTable(packed byte) int {
	if packed&0x80 == 0 {
		return 0
	}
	return 3 << (packed&7 + 1)
}

// skipSubBlocks returns the index after the sub-blocks starting at i (each
// a length byte and that many bytes, ended by a zero length).
func skipSubBlocks(b []byte, i int) int {
	for i < len(b) {
		n := int(b[i])
		i++
		if n == 0 {
			return i
		}
		i += n
	}
	return len(b)
}

// webpChunks calls f with each chunk of a WebP file until f returns false.
func webpChunks(b []byte, f func(id string, data []byte) bool) {
	for i := uint64(12); i+8 <= uint64(len(b)); {
		n := uint64(binary.LittleEndian.Uint32(b[i+4:]))
		end := min(i+8+n, uint64(len(b)))
		if !f(string(b[i:i+4]), b[i+8:end]) {
			return
		}
		i += 8 + n + n&1 // chunks are padded to an even length
	}
}

// animatedWebP: the animation flag of VP8X, or an animation chunk.
func animatedWebP(b []byte) bool {
	animated := false
	webpChunks(b, func(id string, data []byte) bool {
		switch id {
		case "VP8X":
			animated = len(data) > 0 && data[0]&0x02 != 0
		case "ANIM", "ANMF":
			animated = true
		}
		return !animated
	})
	return animated
}

// webpConfig reads the canvas of an extended WebP itself: the webp
// package calls a canvas over 2³¹ pixels malformed, and such a picture is
// refused as too large. A simple WebP is left to the webp package.
func webpConfig(b []byte) (image.Config, error) {
	var cfg image.Config
	webpChunks(b, func(id string, data []byte) bool {
		if id == "VP8X" && len(data) >= 10 {
			u24 := func(p []byte) int { return int(p[0]) | int(p[1])<<8 | int(p[2])<<16 }
			cfg = image.Config{ColorModel: color.NYCbCrAModel, Width: u24(data[4:]) + 1, Height: u24(data[7:]) + 1}
		}
		return false // VP8X, when there is one, is the first chunk
	})
	if cfg.Width > 0 {
		return cfg, nil
	}
	return webp.DecodeConfig(bytes.NewReader(b))
}

// jpegOrientation is the EXIF orientation (1 to 8) of a JPEG held in
// memory: tag 0x0112 of the first IFD of the first EXIF segment before the
// image data. 1 when there is none or it cannot be read, as browsers do.
func jpegOrientation(b []byte) int {
	i := 2 // after SOI
	for i+4 <= len(b) {
		if b[i] != 0xff {
			return 1
		}
		m := b[i+1]
		switch {
		case m == 0xff: // a fill byte
			i++
			continue
		case m == 0xda || m == 0xd9: // image data or the end: no EXIF before it
			return 1
		case m == 0x01 || m == 0xd8 || 0xd0 <= m && m <= 0xd7: // markers without a length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if m == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n // another segment (XMP is an APP1 too): keep looking
	}
	return 1
}

// tiffOrientation reads the orientation tag of the first IFD of the TIFF
// structure EXIF is.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := uint64(bo.Uint32(t[4:]))
	if ifd+2 > uint64(len(t)) {
		return 1
	}
	for e := ifd + 2; e < ifd+2+12*uint64(bo.Uint16(t[ifd:])) && e+12 <= uint64(len(t)); e += 12 {
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		v := 0
		switch bo.Uint16(t[e+2:]) { // the value's type
		case 3: // SHORT, as the standard says
			v = int(bo.Uint16(t[e+8:]))
		case 4: // LONG, as some writers do
			v = int(bo.Uint32(t[e+8:]))
		}
		if v < 1 || v > 8 {
			return 1
		}
		return v
	}
	return 1
}
