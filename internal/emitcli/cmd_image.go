package emitcli

import (
	"context"
	"io"

	"github.com/blockhub/blockhub/internal/emit"
)

func runImage(_ context.Context, s streams, args []string) error {
	fs := newFlagSet("image", "[--width W] [--height H] [--seed N] [--out FILE.png]", s)
	o := emit.ImageOptions{}
	fs.IntVar(&o.Width, "width", 64, "the width in pixels, `W`")
	fs.IntVar(&o.Height, "height", 64, "the height in pixels, `H`")
	fs.Uint64Var(&o.Seed, "seed", 1, "selects the picture")
	out := fs.String("out", "", "write to `FILE` instead of stdout")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := checkImageSize(o.Width, o.Height); err != nil {
		return err
	}
	return writeOutput(*out, s.stdout, func(w io.Writer) error { return emit.Image(w, o) })
}

func checkImageSize(width, height int) error {
	if width < 1 || height < 1 || width > emit.MaxImageSide || height > emit.MaxImageSide {
		return usagef("--width %d --height %d: want 1 to %d each", width, height, emit.MaxImageSide)
	}
	return nil
}
