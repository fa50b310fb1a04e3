package emitcli

import (
	"context"
	"io"

	"github.com/blockhub/blockhub/internal/emit"
)

func runJunk(_ context.Context, s streams, args []string) error {
	fs := newFlagSet("junk", "[--bytes SIZE] [--seed N] [--out FILE]", s)
	size := sizeValue(1 << 20)
	fs.Var(&size, "bytes", "write `SIZE` random bytes (K, M, G: powers of 1024)")
	seed := fs.Uint64("seed", 1, "selects the bytes")
	out := fs.String("out", "", "write to `FILE` instead of stdout")
	if err := fs.parse(args); err != nil {
		return err
	}
	return writeOutput(*out, s.stdout, func(w io.Writer) error { return emit.Junk(w, int64(size), *seed) })
}
