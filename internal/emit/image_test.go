package emit

import (
	"bytes"
	"image/png"
	"testing"
)

func TestImage(t *testing.T) {
	tests := []struct {
		name          string
		o             ImageOptions
		width, height int
	}{
		{"defaults", ImageOptions{}, 64, 64},
		{"wide", ImageOptions{Width: 320, Height: 20, Seed: 3}, 320, 20},
		{"one pixel", ImageOptions{Width: 1, Height: 1}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Image(&a, tt.o); err != nil {
				t.Fatal(err)
			}
			if err := Image(&b, tt.o); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two runs differ")
			}
			img, err := png.Decode(&a)
			if err != nil {
				t.Fatalf("image/png cannot decode it: %v", err)
			}
			if got := img.Bounds().Size(); got.X != tt.width || got.Y != tt.height {
				t.Errorf("got %dx%d, want %dx%d", got.X, got.Y, tt.width, tt.height)
			}
		})
	}
	for _, o := range []ImageOptions{{Width: -1}, {Height: MaxImageSide + 1}} {
		if err := Image(&bytes.Buffer{}, o); err == nil {
			t.Errorf("Image(%+v): got no error", o)
		}
	}
}
