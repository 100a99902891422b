package preview

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// picture is a w×h picture, grey but for a red block at its top left.
func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{128, 128, 128, 255}
			if x < w/5 && y < h/5 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func red(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xc000 && g < 0x4000 && b < 0x4000
}

// A preview fits the box, keeps the proportions, and stands the right way
// up: where the red corner ends up says how it was turned.
func TestPreviewFitsAndTurns(t *testing.T) {
	src := encodePNG(t, picture(2000, 1000))
	for _, c := range []struct {
		orientation int
		w, h        int
		redAt       image.Point // a point inside the red block after turning
	}{
		{1, 1024, 512, image.Pt(20, 20)},
		{3, 1024, 512, image.Pt(1004, 492)}, // upside down: bottom right
		{6, 512, 1024, image.Pt(492, 20)},   // a quarter right: top right
		{8, 512, 1024, image.Pt(20, 1004)},  // a quarter left: bottom left
		{2, 1024, 512, image.Pt(1004, 20)},  // mirrored: top right
	} {
		var out bytes.Buffer
		if err := Make(&out, bytes.NewReader(src), "image/png", 2000, 1000, c.orientation); err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(&out)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Fatalf("orientation %d: %v, want %dx%d", c.orientation, b, c.w, c.h)
		}
		if !red(img.At(c.redAt.X, c.redAt.Y)) {
			t.Fatalf("orientation %d: the red corner is not at %v", c.orientation, c.redAt)
		}
	}
}

// Small pictures, GIFs and pictures too large to decode are shown as they are.
func TestPreviewNotNeeded(t *testing.T) {
	small := encodePNG(t, picture(300, 200))
	for _, c := range []struct {
		typ  string
		w, h int
	}{
		{"image/png", 300, 200},
		{"image/gif", 3000, 2000},
		{"image/jpeg", 8000, 6000},
	} {
		if err := Make(&bytes.Buffer{}, bytes.NewReader(small), c.typ, c.w, c.h, 1); !errors.Is(err, ErrNotNeeded) {
			t.Fatalf("%s %dx%d: %v", c.typ, c.w, c.h, err)
		}
	}
	if err := Make(&bytes.Buffer{}, bytes.NewReader([]byte("not a picture")), "image/jpeg", 3000, 2000, 1); err == nil || errors.Is(err, ErrNotNeeded) {
		t.Fatalf("a damaged picture: %v", err)
	}
}

// BenchmarkPreview24MP: a camera's 6000×4000 JPEG to its preview
// (docs/performance.md: under a second on one core).
func BenchmarkPreview24MP(b *testing.B) {
	// Detail everywhere, as in a photograph: a flat picture decodes faster.
	img := picture(6000, 4000)
	for i := range img.Pix {
		if i%4 != 3 {
			img.Pix[i] = byte(i*7919>>3) ^ byte(i>>11)
		}
	}
	var src bytes.Buffer
	if err := jpeg.Encode(&src, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(src.Len()))
	b.ResetTimer()
	for range b.N {
		if err := Make(&bytes.Buffer{}, bytes.NewReader(src.Bytes()), "image/jpeg", 6000, 4000, 6); err != nil {
			b.Fatal(err)
		}
	}
}
