package filekind

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// MaxPixels bounds pictures: larger ones are refused before any decoding.
const MaxPixels = 100_000_000

// ErrTooManyPixels is ImageSize's answer for a picture over MaxPixels.
var ErrTooManyPixels = errors.New("filekind: the picture has more than 100 megapixels")

// ErrNoSize is ImageSize's answer for a header that gives no size (0 × 0).
var ErrNoSize = errors.New("filekind: the picture's header gives no size")

// maxHeaderBytes bounds what is read to find a picture's size: metadata
// (EXIF, colour profiles) may come first, pixels never need to be read.
const maxHeaderBytes = 16 << 20

// ImageSize reads a picture's width and height as shown, and its EXIF
// orientation (1 to 8; 1 when there is none, always 1 but for JPEG), from
// its header only. typ is the Type Sniff gave it. Orientations 5 to 8 turn
// the picture a quarter, so they swap width and height.
func ImageSize(r io.ReadSeeker, typ string) (w, h, orientation int, err error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, 0, 0, err
	}
	head := io.LimitReader(r, maxHeaderBytes)
	var cfg image.Config
	switch typ {
	case typeJPEG:
		cfg, err = jpeg.DecodeConfig(head)
	case typePNG:
		cfg, err = png.DecodeConfig(head)
	case typeGIF:
		cfg, err = gif.DecodeConfig(head)
	case typeWebP:
		// The webp package refuses a canvas over 2³¹ pixels as malformed;
		// read it here so that such a picture is refused as too large.
		if cfg, err = webpCanvas(head); err == nil && !tooMany(cfg.Width, cfg.Height) {
			if _, err = r.Seek(0, io.SeekStart); err == nil {
				cfg, err = webp.DecodeConfig(io.LimitReader(r, maxHeaderBytes))
			}
		}
	default:
		return 0, 0, 0, fmt.Errorf("filekind: %q is not a picture type", typ)
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("filekind: the picture's header is damaged: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, 0, ErrNoSize
	}
	if tooMany(cfg.Width, cfg.Height) {
		return 0, 0, 0, ErrTooManyPixels
	}
	orientation = 1
	if typ == typeJPEG {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return 0, 0, 0, err
		}
		orientation = JPEGOrientation(io.LimitReader(r, maxHeaderBytes))
	}
	w, h = cfg.Width, cfg.Height
	if orientation >= 5 {
		w, h = h, w
	}
	return w, h, orientation, nil
}

func tooMany(w, h int) bool { return uint64(w)*uint64(h) > MaxPixels }

// webpCanvas reads the canvas size of an extended WebP (a VP8X chunk
// first); for a simple one it returns a zero size and leaves the rest to
// the webp package.
func webpCanvas(r io.Reader) (image.Config, error) {
	var b [30]byte
	n, _ := io.ReadFull(r, b[:])
	if n < 16 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return image.Config{}, errors.New("not a WebP file")
	}
	if string(b[12:16]) != "VP8X" || n < len(b) {
		return image.Config{}, nil
	}
	u24 := func(p []byte) int { return int(p[0]) | int(p[1])<<8 | int(p[2])<<16 }
	return image.Config{Width: u24(b[24:]) + 1, Height: u24(b[27:]) + 1}, nil
}

// JPEGOrientation finds the first EXIF segment of a JPEG before the image
// data and returns its orientation (1 to 8), 1 when there is none or it
// cannot be read: a browser ignores a broken EXIF, and so does this.
func JPEGOrientation(jpeg io.Reader) int {
	r := bufio.NewReader(jpeg)
	var b [4]byte
	if _, err := io.ReadFull(r, b[:2]); err != nil || b[0] != 0xff || b[1] != 0xd8 {
		return 1
	}
	for range 256 { // segments; real files have a handful
		m, err := r.ReadByte()
		if err != nil || m != 0xff {
			return 1
		}
		for m == 0xff { // fill bytes
			if m, err = r.ReadByte(); err != nil {
				return 1
			}
		}
		switch {
		case m == 0xd8 || m == 0x01 || 0xd0 <= m && m <= 0xd7: // no length
			continue
		case m == 0xda || m == 0xd9: // image data or end: no EXIF before it
			return 1
		}
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[:2])) - 2
		if n < 0 {
			return 1
		}
		if m != 0xe1 || n < 6 {
			if _, err := r.Discard(n); err != nil {
				return 1
			}
			continue
		}
		seg := make([]byte, n) // at most 64 KiB
		if _, err := io.ReadFull(r, seg); err != nil {
			return 1
		}
		if string(seg[:6]) == "Exif\x00\x00" {
			return exifOrientation(seg[6:])
		}
		// Another APP1 (XMP): keep looking.
	}
	return 1
}

// exifOrientation reads tag 0x0112 of the first IFD of a TIFF structure.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off+2 > uint64(len(t)) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	for i := range count {
		e := off + 2 + 12*uint64(i)
		if e+12 > uint64(len(t)) {
			break
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		var v int
		switch bo.Uint16(t[e+2:]) {
		case 3: // SHORT, in the first two bytes of the value field
			v = int(bo.Uint16(t[e+8:]))
		case 4: // LONG, which some writers use
			v = int(bo.Uint32(t[e+8:]))
		}
		if 1 <= v && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
