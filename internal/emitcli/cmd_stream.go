package emitcli

import (
	"context"
	"io"
	"time"

	"github.com/blockhub/blockhub/internal/emit"
)

// defaultCount bounds a stream when --count is not given, so that a
// forgotten emitter in a loop or a test stops by itself.
const defaultCount = 1000

func runStream(ctx context.Context, s streams, args []string) error {
	fs := newFlagSet("stream", "[--kind KIND] [--delay D] [--count N] [--format csv|json] [flags]", s)
	d := dataFlags{withKind: true, withOut: true}
	d.register(fs)
	delay := fs.Duration("delay", 100*time.Millisecond, "wait `D` between two rows")
	count := fs.Int64("count", defaultCount, "stop after `N` rows")
	format := fs.String("format", "csv", "write rows as csv (with a header) or json lines")
	if err := fs.parse(args); err != nil {
		return err
	}
	o, err := d.options()
	if err != nil {
		return err
	}
	so, err := streamOptions(o, *delay, *count, *format)
	if err != nil {
		return err
	}
	return writeOutput(d.out, s.stdout, func(w io.Writer) error { return emit.Stream(ctx, w, so) })
}

// streamOptions checks --delay, --count and --format.
func streamOptions(o emit.Options, delay time.Duration, count int64, format string) (emit.StreamOptions, error) {
	if delay < 0 {
		return emit.StreamOptions{}, usagef("--delay %v: want 0 or more", delay)
	}
	if count < 0 {
		return emit.StreamOptions{}, usagef("--count %d: want 0 or more", count)
	}
	f := emit.Format(format)
	if f != emit.CSVFormat && f != emit.JSONFormat {
		return emit.StreamOptions{}, usagef("--format %q: want csv or json", format)
	}
	o.Rows = count
	return emit.StreamOptions{Options: o, Format: f, Delay: delay}, nil
}
