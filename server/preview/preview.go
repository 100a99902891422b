// Package preview makes the small picture shown in a conversation for a
// shared picture: fitted into a box, turned the right way up (EXIF
// orientation), as a JPEG. It is made once per file and kept beside it.
package preview

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Box is the largest side of a preview in pixels: a conversation column
// on a high-density screen.
const Box = 1024

// MaxPixels bounds the pictures a preview is made of: decoding costs
// about 4 bytes a pixel, and the server has other work. Larger pictures
// are shown from the file itself.
const MaxPixels = 40_000_000

// ErrNotNeeded means the picture is small enough to be its own preview
// (or too large to decode here): show the file itself.
var ErrNotNeeded = errors.New("preview: the picture is shown as it is")

// Needed says whether a picture of type typ, w×h pixels, with that EXIF
// orientation, gets a preview: not when the browser shows it well as it is
// (small and upright), not a GIF (a preview would stop its animation), and
// not when it is too large to decode here.
func Needed(typ string, w, h, orientation int) bool {
	switch {
	case typ == "image/gif", w*h > MaxPixels:
		return false
	case max(w, h) <= Box && orientation <= 1 && typ != "image/webp":
		return false
	}
	return true
}

// Make writes to dst the preview of the picture in r of type typ (one of
// the four picture types), w×h pixels, whose EXIF orientation is
// orientation (1 to 8).
func Make(dst io.Writer, r io.Reader, typ string, w, h, orientation int) error {
	if !Needed(typ, w, h, orientation) {
		return ErrNotNeeded
	}
	var src image.Image
	var err error
	switch typ {
	case "image/jpeg":
		src, err = jpeg.Decode(r)
	case "image/png":
		src, err = png.Decode(r)
	case "image/webp":
		src, err = webp.Decode(r)
	default:
		return fmt.Errorf("preview: %q is not a picture type", typ)
	}
	if err != nil {
		return fmt.Errorf("preview: decode: %w", err)
	}
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	scale := min(1, float64(Box)/float64(max(sw, sh)))
	tw, th := max(1, int(float64(sw)*scale+0.5)), max(1, int(float64(sh)*scale+0.5))
	fitted := image.NewRGBA(image.Rect(0, 0, tw, th))
	// A transparent picture is shown on white, as a JPEG cannot hold it.
	draw.Draw(fitted, fitted.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	xdraw.ApproxBiLinear.Scale(fitted, fitted.Bounds(), src, b, xdraw.Over, nil)
	return jpeg.Encode(dst, orient(fitted, orientation), &jpeg.Options{Quality: 82})
}

// orient turns and mirrors img as EXIF orientation o says the camera held
// it (1: as stored; 2–8: the seven other ways).
func orient(img *image.RGBA, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // upside down, mirrored
				dx, dy = x, h-1-y
			case 5: // a quarter left, mirrored
				dx, dy = y, x
			case 6: // a quarter right
				dx, dy = h-1-y, x
			case 7: // a quarter right, mirrored
				dx, dy = h-1-y, w-1-x
			case 8: // a quarter left
				dx, dy = y, w-1-x
			}
			i, j := img.PixOffset(x, y), out.PixOffset(dx, dy)
			copy(out.Pix[j:j+4], img.Pix[i:i+4])
		}
	}
	return out
}

// File makes the preview of the picture at src into dst, whole or not at
// all (a temporary file renamed into place).
func File(dst, src, typ string, w, h, orientation int) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".preview-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := Make(tmp, in, typ, w, h, orientation); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// No sync: a preview lost in a crash is made again.
	return os.Rename(tmp.Name(), dst)
}
