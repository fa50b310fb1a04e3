package emitcli

import (
	"context"
	"io"

	"github.com/blockhub/blockhub/internal/emit"
)

func runShuffle(_ context.Context, s streams, args []string) error {
	fs := newFlagSet("shuffle", "[--seed N] [--out FILE] < in.csv", s)
	seed := fs.Uint64("seed", 1, "selects the order")
	out := fs.String("out", "", "write to `FILE` instead of stdout")
	if err := fs.parse(args); err != nil {
		return err
	}
	return writeOutput(*out, s.stdout, func(w io.Writer) error { return emit.Shuffle(w, s.stdin, *seed) })
}
