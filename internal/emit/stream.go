package emit

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Format is how rows are written.
type Format string

// The formats Stream writes.
const (
	CSVFormat  Format = "csv"
	JSONFormat Format = "json"
)

// StreamOptions say what Stream writes and how fast.
type StreamOptions struct {
	// Options say what rows to write; Rows is how many (Bytes is ignored).
	Options
	// Format is CSVFormat (the default, with a header first) or JSONFormat.
	Format Format
	// Delay is the wait between two rows.
	Delay time.Duration
}

// Stream writes rows to w one at a time, each in a single Write, waiting
// Delay between them: a slow source for "walk to live" tests. It writes the
// same rows as CSV or JSON with the same Options. It returns ctx's error
// when ctx ends first.
func Stream(ctx context.Context, w io.Writer, o StreamOptions) error {
	opts, err := o.Options.withDefaults()
	if err != nil {
		return fmt.Errorf("stream: %w", err)
	}
	var f lineFormat
	switch o.Format {
	case CSVFormat, "":
		f = csvFormat{opts.Kind}
	case JSONFormat:
		f = newJSONFormat(opts.Kind)
	default:
		return fmt.Errorf("stream: unknown format %q (want csv or json)", o.Format)
	}
	if header := f.appendHeader(nil); len(header) > 0 {
		if _, err := w.Write(header); err != nil {
			return fmt.Errorf("stream: %w", err)
		}
	}
	g := newGenerator(opts)
	var line []byte
	var timer *time.Timer
	for i := int64(0); i < opts.Rows; i++ {
		if i > 0 && o.Delay > 0 {
			if timer == nil {
				timer = time.NewTimer(o.Delay)
				defer timer.Stop()
			} else {
				timer.Reset(o.Delay)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("stream: %w", ctx.Err())
			case <-timer.C:
			}
		} else if err := ctx.Err(); err != nil {
			return fmt.Errorf("stream: %w", err)
		}
		line = f.appendRow(line[:0], g.next())
		if _, err := w.Write(line); err != nil {
			return fmt.Errorf("stream: %w", err)
		}
	}
	return nil
}
