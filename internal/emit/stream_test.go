package emit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func TestStreamWritesWhatCSVAndJSONWrite(t *testing.T) {
	for _, format := range []Format{CSVFormat, JSONFormat} {
		t.Run(string(format), func(t *testing.T) {
			o := Options{Kind: Orders, Rows: 20, Seed: 1, Tricky: true, OddTimes: true}
			var got, want bytes.Buffer
			if err := Stream(context.Background(), &got, StreamOptions{Options: o, Format: format}); err != nil {
				t.Fatal(err)
			}
			write := CSV
			if format == JSONFormat {
				write = JSON
			}
			if err := write(&want, o); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("Stream wrote\n%s\nwant\n%s", got.String(), want.String())
			}
		})
	}
}

// writeTimes records when each Write came.
type writeTimes struct{ at []time.Time }

func (w *writeTimes) Write(p []byte) (int, error) {
	w.at = append(w.at, time.Now())
	return len(p), nil
}

func TestStreamDelay(t *testing.T) {
	const delay = 20 * time.Millisecond
	var w writeTimes
	start := time.Now()
	if err := Stream(context.Background(), &w, StreamOptions{Options: Options{Rows: 5}, Delay: delay}); err != nil {
		t.Fatal(err)
	}
	if got, want := len(w.at), 6; got != want {
		t.Fatalf("got %d writes, want %d (header and 5 rows, one write each)", got, want)
	}
	if took := time.Since(start); took < 4*delay {
		t.Errorf("5 rows with a %v delay took %v, want at least %v", delay, took, 4*delay)
	}
}

func TestStreamStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Stream(ctx, io.Discard, StreamOptions{Options: Options{Rows: 1000}, Delay: time.Hour})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want an error matching context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Stream took %v to stop", took)
	}
}

func TestStreamBadFormat(t *testing.T) {
	if err := Stream(context.Background(), io.Discard, StreamOptions{Format: "xml"}); err == nil {
		t.Error("format xml: got no error")
	}
}
