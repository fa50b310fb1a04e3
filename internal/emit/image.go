package emit

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
)

// ImageOptions say what picture to draw.
type ImageOptions struct {
	// Width and Height are in pixels, 1 to MaxImageSide; zero means 64.
	Width, Height int
	// Seed selects the picture.
	Seed uint64
}

// MaxImageSide is the largest width or height Image draws.
const MaxImageSide = 8192

// Image writes a PNG picture: a gradient with a few rectangles and discs on
// it, and a little noise so that it does not compress to nothing. The same
// options give the same bytes.
func Image(w io.Writer, o ImageOptions) error {
	if o.Width == 0 {
		o.Width = 64
	}
	if o.Height == 0 {
		o.Height = 64
	}
	if o.Width < 1 || o.Height < 1 || o.Width > MaxImageSide || o.Height > MaxImageSide {
		return fmt.Errorf("image: size %dx%d out of range 1..%d", o.Width, o.Height, MaxImageSide)
	}
	src := newSource(o.Seed, streamImage)
	randColor := func() color.NRGBA {
		return color.NRGBA{uint8(src.intn(256)), uint8(src.intn(256)), uint8(src.intn(256)), 255}
	}
	img := image.NewNRGBA(image.Rect(0, 0, o.Width, o.Height))
	from, to := randColor(), randColor()
	for y := range o.Height {
		for x := range o.Width {
			t := (x + y) * 255 / (o.Width + o.Height)
			img.SetNRGBA(x, y, color.NRGBA{
				lerp(from.R, to.R, t), lerp(from.G, to.G, t), lerp(from.B, to.B, t), 255,
			})
		}
	}
	for range 3 + src.intn(5) {
		c := randColor()
		x0, y0 := src.intn(o.Width), src.intn(o.Height)
		rx, ry := 1+src.intn(max(o.Width/3, 1)), 1+src.intn(max(o.Height/3, 1))
		disc := src.chance(1, 2)
		for y := max(y0-ry, 0); y < min(y0+ry, o.Height); y++ {
			for x := max(x0-rx, 0); x < min(x0+rx, o.Width); x++ {
				dx, dy := (x-x0)*ry, (y-y0)*rx
				if disc && dx*dx+dy*dy > rx*rx*ry*ry {
					continue
				}
				img.SetNRGBA(x, y, c)
			}
		}
	}
	for i := 0; i < len(img.Pix); i += 4 {
		n := src.uint64()
		for j := range 3 {
			img.Pix[i+j] ^= uint8(n>>(8*j)) & 7
		}
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return nil
}

// lerp goes from a (t=0) to b (t=255).
func lerp(a, b uint8, t int) uint8 {
	return uint8((int(a)*(255-t) + int(b)*t) / 255)
}
