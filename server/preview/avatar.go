package preview

import (
	"bytes"
	"encoding/binary"
	"errors"
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

	"inhouse/server/filekind"
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

// pictureFormat is what Avatar needs of one of the four types it takes
// (filekind's words for them). Each decoder is called by name rather than
// through image.Decode, so that a format another package of the binary
// registers (BMP, TIFF) is not taken.
type pictureFormat struct {
	animated func(b []byte) bool
	decode   func(io.Reader) (image.Image, error)
}

var formats = map[string]pictureFormat{
	"image/jpeg": {func([]byte) bool { return false }, jpeg.Decode},
	"image/png":  {apng, png.Decode},
	// gif.Decode keeps the first frame only; animated ones never get there.
	"image/gif":  {animatedGIF, gif.Decode},
	"image/webp": {animatedWebP, webp.Decode},
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
	// What the file is, its size and its orientation come from its
	// header, as for every shared file (filekind), before any decoding.
	kind := filekind.Sniff(data[:min(len(data), 4096)], "")
	f, ok := formats[kind.Type]
	if !ok {
		return nil, ErrNotPicture
	}
	w, h, orientation, err := filekind.ImageSize(bytes.NewReader(data), kind.Type)
	switch {
	case errors.Is(err, filekind.ErrTooManyPixels):
		return nil, ErrTooManyPixels
	case errors.Is(err, filekind.ErrNoSize):
		return nil, ErrEmptyPicture
	case err != nil:
		return nil, ErrDamaged
	case uint64(w)*uint64(h) > MaxPixels:
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
