package stream_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/connectors/stream"
)

// lines returns "line from" to "line to", one a line.
func lines(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "%s line %d\n", time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339), i)
	}
	return b.String()
}

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t testing.TB, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func joined(chunks []connectors.Chunk) string {
	var b bytes.Buffer
	for _, c := range chunks {
		b.Write(c.Data)
	}
	return b.String()
}

func TestConnector(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	want := lines(1, 250)
	write(t, path, want)
	connectortest.Run(t, connectortest.Harness{
		Name: "stream",
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			return connectortest.New(t, "stream", []string{path}, nil, c)
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			if len(chunks) != 3 {
				t.Errorf("%d chunks of 250 lines by 100, want 3", len(chunks))
			}
			if got := joined(chunks); got != want {
				t.Fatalf("the chunks hold\n%s\nwant the file's lines", got)
			}
		},
	})
}

// state is a connectors.State over the chunks of earlier runs.
type state struct{ connectortest.State }

// run collects a run's chunks and records the last one's meta, as the
// chain's index would.
func (s *state) run(t *testing.T, src connectors.Source) string {
	t.Helper()
	chunks := connectortest.Collect(t, src, s)
	s.Record(t, chunks)
	return joined(chunks)
}
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	write(t, path, lines(1, 250)+"partial")
	st := &state{}
	src := func() connectors.Source {
		return connectortest.New(t, "stream", []string{path}, nil, connectors.Common{})
	}
	if got := st.run(t, src()); got != lines(1, 250) {
		t.Fatalf("first run: %q", got)
	}
	// The partial line was left: with its end and more lines, the next
	// run takes exactly those.
	appendTo(t, path, " of line 251\n"+lines(252, 260))
	if got, want := st.run(t, src()), "partial of line 251\n"+lines(252, 260); got != want {
		t.Fatalf("after appending: %q, want %q", got, want)
	}
	if got := st.run(t, src()); got != "" {
		t.Fatalf("run with nothing new: %q", got)
	}

	t.Run("Rotated", func(t *testing.T) {
		appendTo(t, path, lines(261, 270))
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		write(t, path, lines(1000, 1004))
		if got, want := st.run(t, src()), lines(261, 270)+lines(1000, 1004); got != want {
			t.Fatalf("after rotation: %q, want %q", got, want)
		}
		if len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "was rotated to "+path+".1") {
			t.Errorf("notes %q", st.Notes)
		}
		st.Notes = nil
		if got := st.run(t, src()); got != "" || len(st.Notes) != 0 {
			t.Fatalf("run with nothing new after rotation: %q, notes %q", got, st.Notes)
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		write(t, path, lines(2000, 2001))
		if got, want := st.run(t, src()), lines(2000, 2001); got != want {
			t.Fatalf("after truncation: %q, want %q", got, want)
		}
		if len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "truncated or rewritten") {
			t.Errorf("notes %q", st.Notes)
		}
	})
}

// TestRestartOnChain is the restart story through the runner and the
// chain's index: append, run again, exactly the new lines. A file's run
// resumes without --prevent-dups: the source is a connectors.Resumer.
func TestRestartOnChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	write(t, path, lines(1, 150))
	hub, root := connectortest.NewChain(t)
	c := connectors.Common{}
	if s := connectortest.Import(t, hub, root, "stream", connectortest.New(t, "stream", []string{path}, nil, c), c); s.Captured != 2 || s.Records != 150 {
		t.Fatalf("first run: %+v", s)
	}
	appendTo(t, path, lines(151, 175))
	if s := connectortest.Import(t, hub, root, "stream", connectortest.New(t, "stream", []string{path}, nil, c), c); s.Captured != 1 || s.Records != 25 {
		t.Fatalf("after appending 25 lines: %+v", s)
	}
	assets := connectortest.Assets(t, hub, root)
	data, err := hub.Assets.ReadAll(context.Background(), assets[len(assets)-1].Hash)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != lines(151, 175) {
		t.Fatalf("last asset %q, want lines 151-175", data)
	}
}

func TestFilters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	write(t, path, "INFO a\nERROR b\nWARN c, d\nERROR healthcheck\nDEBUG e\n")
	tests := []struct {
		name string
		c    connectors.Common
		v    connectors.Values
		want string
	}{
		{"all", connectors.Common{}, nil, "INFO a\nERROR b\nWARN c, d\nERROR healthcheck\nDEBUG e\n"},
		{"include", connectors.Common{}, connectors.Values{"include": {"^ERROR", "^WARN"}}, "ERROR b\nWARN c, d\nERROR healthcheck\n"},
		{"include and exclude", connectors.Common{Exclude: []string{"health"}}, connectors.Values{"include": {"^(ERROR|WARN)"}}, "ERROR b\nWARN c, d\n"},
		{"comma escaped", connectors.Common{}, connectors.Values{"include": {`c\x2c d`}}, "WARN c, d\n"},
		{"json", connectors.Common{Format: "json", Exclude: []string{"^(INFO|DEBUG)"}}, nil, `{"line":"ERROR b"}` + "\n" + `{"line":"WARN c, d"}` + "\n" + `{"line":"ERROR healthcheck"}` + "\n"},
	}
	for _, tt := range tests {
		chunks := connectortest.Collect(t, connectortest.New(t, "stream", []string{path}, tt.v, tt.c), nil)
		if got := joined(chunks); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// Lines left out still count: meta numbers the file's lines.
	chunks := connectortest.Collect(t, connectortest.New(t, "stream", []string{path}, connectors.Values{"include": {"ERROR"}}, connectors.Common{}), nil)
	b, _ := json.Marshal(chunks[0].Meta)
	if !strings.Contains(string(b), `"lines":[2,4]`) || !strings.Contains(string(b), `"offset":[7,43]`) {
		t.Errorf("meta %s, want lines [2,4] and offset [7,43]", b)
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		v     connectors.Values
		c     connectors.Common
		usage string
	}{
		{"file", []string{"app.log"}, nil, connectors.Common{}, ""},
		{"stdin", []string{"-"}, nil, connectors.Common{}, ""},
		{"follow ttl poll", []string{"app.log"}, connectors.Values{"follow": {"true"}, "ttl": {"5s"}, "poll": {"100ms"}}, connectors.Common{}, ""},
		{"no file", nil, nil, connectors.Common{}, "name one FILE"},
		{"two files", []string{"a", "b"}, nil, connectors.Common{}, "name one FILE"},
		{"bad include", []string{"a"}, connectors.Values{"include": {"("}}, connectors.Common{}, "--include"},
		{"bad exclude", []string{"a"}, nil, connectors.Common{Exclude: []string{"[z-a]"}}, "--exclude"},
		{"bad ttl", []string{"a"}, connectors.Values{"ttl": {"soon"}}, connectors.Common{}, "--ttl"},
		{"negative ttl", []string{"a"}, connectors.Values{"ttl": {"-1s"}}, connectors.Common{}, "--ttl"},
		{"negative rows", []string{"a"}, nil, connectors.Common{Rows: -3}, "--rows"},
		{"bad format", []string{"a"}, nil, connectors.Common{Format: "parquet"}, "--format"},
	}
	for _, tt := range tests {
		_, err := stream.ParseOptions(tt.args, tt.v, tt.c)
		if tt.usage == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var ue *connectors.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.usage) {
			t.Errorf("%s: error %v, want a usage error about %s", tt.name, err, tt.usage)
		}
	}
}

func TestStdin(t *testing.T) {
	src, err := stream.New(stream.Options{Path: "-", Rows: 2, Stdin: strings.NewReader("a\nb\nc\nno line end")})
	if err != nil {
		t.Fatal(err)
	}
	chunks := connectortest.Collect(t, src, nil)
	if len(chunks) != 2 || joined(chunks) != "a\nb\nc\nno line end\n" {
		t.Fatalf("%d chunks: %q", len(chunks), joined(chunks))
	}
}

// follow runs src with --follow in the background; its chunks come on
// the channel until stop is called.
func follow(t *testing.T, src connectors.Source) (<-chan connectors.Chunk, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan connectors.Chunk, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for c, err := range src.Chunks(ctx, nil) {
			if err != nil {
				t.Errorf("Chunks: %v", err)
				return
			}
			out <- c
		}
	}()
	stop := func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("a followed source did not stop within 5s of its context's end")
		}
	}
	t.Cleanup(stop)
	return out, stop
}

// await reads chunks until they hold want, or fails after a few seconds.
func await(t *testing.T, chunks <-chan connectors.Chunk, want string) {
	t.Helper()
	var got strings.Builder
	deadline := time.After(5 * time.Second)
	for got.String() != want {
		select {
		case c, ok := <-chunks:
			if !ok {
				t.Fatalf("the source ended; got %q, want %q", got.String(), want)
			}
			got.Write(c.Data)
			if !strings.HasPrefix(want, got.String()) {
				t.Fatalf("got %q, want %q", got.String(), want)
			}
		case <-deadline:
			t.Fatalf("after 5s got %q, want %q", got.String(), want)
		}
	}
}

func TestFollow(t *testing.T) {
	for _, events := range []bool{true, false} {
		t.Run(fmt.Sprintf("events=%t", events), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			write(t, path, lines(1, 3))
			src, err := stream.New(stream.Options{Path: path, Follow: true, Rows: 100, TTL: 50 * time.Millisecond, Poll: 50 * time.Millisecond, NoEvents: !events})
			if err != nil {
				t.Fatal(err)
			}
			chunks, stop := follow(t, src)
			// A partial batch is captured once ttl old.
			await(t, chunks, lines(1, 3))
			appendTo(t, path, lines(4, 6))
			await(t, chunks, lines(4, 6))
			// Rotation: the rest of the old file, then the new one.
			appendTo(t, path, lines(7, 8))
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			write(t, path, lines(100, 101))
			await(t, chunks, lines(7, 8)+lines(100, 101))
			// Truncation: read again from the start.
			time.Sleep(100 * time.Millisecond)
			write(t, path, lines(200, 200))
			await(t, chunks, lines(200, 200))
			stop()
		})
	}
}

func TestFollowFlushOnStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	write(t, path, lines(1, 5))
	src, err := stream.New(stream.Options{Path: path, Follow: true, Rows: 100, TTL: time.Hour, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	chunks, stop := follow(t, src)
	time.Sleep(100 * time.Millisecond)
	select {
	case c := <-chunks:
		t.Fatalf("a chunk %q before the batch is full or ttl old", c.Data)
	default:
	}
	stop()
	await(t, chunks, lines(1, 5))
}

func TestStdinTTL(t *testing.T) {
	r, w := io.Pipe()
	src, err := stream.New(stream.Options{Path: "-", Rows: 100, TTL: 50 * time.Millisecond, Stdin: r})
	if err != nil {
		t.Fatal(err)
	}
	chunks, _ := follow(t, src)
	io.WriteString(w, "a\nb\n")
	await(t, chunks, "a\nb\n")
	io.WriteString(w, "c\n")
	w.Close()
	await(t, chunks, "c\n")
}

// TestRunsAlone: a run started while another is capturing the same file
// into the chain leaves the lines to it, so none is captured twice.
func TestRunsAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	write(t, path, lines(1, 150))
	connectortest.RunsAlone(t, "stream", func() connectors.Source {
		return connectortest.New(t, "stream", []string{path}, nil, connectors.Common{})
	}, 150)
}
