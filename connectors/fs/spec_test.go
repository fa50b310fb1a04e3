package fs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
)

// TestNewSource covers how bhctl import fs's arguments and options
// become a Source.
func TestNewSource(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	dup := connectors.Common{PreventDups: true}
	tests := []struct {
		name  string
		args  []string
		v     connectors.Values
		c     connectors.Common
		check func(o Options) bool
		err   string
		usage bool
	}{
		{name: "defaults", args: []string{dir}, check: func(o Options) bool {
			return o.ChunkSize == DefaultChunkSize && o.Settle == DefaultSettle && !o.Recursive && !o.Watch
		}},
		{name: "all options", args: []string{dir}, c: dup, v: connectors.Values{
			"recursive": {"true"}, "include": {"*.csv,*.json"}, "exclude-files": {"tmp*"}, "dir-regex": {"^2026"},
			"min-size": {"1k"}, "max-size": {"2M"}, "since": {"2026-01-02T00:00:00Z"}, "until": {"2026-02-01T00:00:00Z"},
			"chunk-size": {"64M"}, "follow-symlinks": {"true"}, "watch": {"true"}, "settle": {"1s"},
		}, check: func(o Options) bool {
			return o.Recursive && fmt.Sprint(o.Include) == "[*.csv *.json]" && fmt.Sprint(o.Exclude) == "[tmp*]" &&
				o.DirRegex.String() == "^2026" && o.MinSize == 1000 && o.MaxSize == 2000000 && o.ChunkSize == 64000000 &&
				o.Since.Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) && o.Until.Month() == 2 &&
				o.FollowSymlinks && o.Watch && o.Settle == time.Second
		}},
		{name: "no dir", err: "want one DIR argument, got 0", usage: true},
		{name: "two dirs", args: []string{dir, dir}, err: "got 2", usage: true},
		{name: "rows", args: []string{dir}, c: connectors.Common{Rows: 10}, err: "--rows does not apply", usage: true},
		{name: "exclude", args: []string{dir}, c: connectors.Common{Exclude: []string{"*.tmp"}}, err: "use --exclude-files", usage: true},
		{name: "format", args: []string{dir}, c: connectors.Common{Format: "json"}, err: "--format does not apply", usage: true},
		{name: "watch alone", args: []string{dir}, v: connectors.Values{"watch": {"true"}}, check: func(o Options) bool {
			// A watch resumes on its own: it needs no --prevent-dups.
			return o.Watch && (&Source{o: o, root: dir}).Resumes() == "fs-watch:"+dir
		}},
		{name: "bad regex", args: []string{dir}, v: connectors.Values{"dir-regex": {"("}}, err: "--dir-regex", usage: true},
		{name: "bad glob", args: []string{dir}, v: connectors.Values{"include": {"[a"}}, err: `--include "[a"`, usage: true},
		{name: "bad size", args: []string{dir}, v: connectors.Values{"min-size": {"ten"}}, err: "--min-size", usage: true},
		{name: "zero chunk", args: []string{dir}, v: connectors.Values{"chunk-size": {"0"}}, err: "--chunk-size 0", usage: true},
		{name: "min over max", args: []string{dir}, v: connectors.Values{"min-size": {"2k"}, "max-size": {"1k"}}, err: "above --max-size", usage: true},
		{name: "bad since", args: []string{dir}, v: connectors.Values{"since": {"last tuesday"}}, err: "--since", usage: true},
		{name: "since after until", args: []string{dir}, v: connectors.Values{"since": {"2026-02-01"}, "until": {"2026-01-01"}}, err: "not before --until", usage: true},
		{name: "bad settle", args: []string{dir}, v: connectors.Values{"settle": {"soon"}}, err: "--settle", usage: true},
		{name: "missing dir", args: []string{filepath.Join(dir, "nope")}, err: "no such file"},
		{name: "a file", args: []string{file}, err: "not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := newSource(tt.args, tt.v, tt.c)
			if tt.err != "" {
				connectortest.CheckError(t, err, tt.err, tt.usage)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o := src.(*Source).o; !tt.check(o) {
				t.Errorf("options %+v", o)
			}
		})
	}
}

// TestUnreadable: a file that cannot be read is noted and skipped, the
// others are captured, and the run ends with an error naming it. (File
// permissions do not stop root, so the test makes a file shrink between
// its listing and its reading.) A file removed in between is only noted.
func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.txt", "b.txt", "c.txt", "d.txt"} {
		os.WriteFile(filepath.Join(dir, name), []byte("content of "+name), 0o644)
	}
	src, err := New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []*connectortest.State{nil, {}} {
		var captured []string
		var state connectors.State
		if st != nil {
			state = st
		}
		r := &run{src: src, ctx: context.Background(), st: state, visited: map[string]bool{}, seen: map[string]stamp{},
			yield: func(c connectors.Chunk, err error) bool {
				captured = append(captured, c.Meta["path"].(string))
				return true
			}}
		err := r.walk(src.root, ".", src.real, func(f file) error {
			switch f.rel {
			case "b.txt":
				os.WriteFile(f.abs, []byte("short"), 0o644) // listed longer
				defer os.WriteFile(f.abs, []byte("content of b.txt"), 0o644)
			case "d.txt":
				os.Rename(f.abs, f.abs+".moved")
				defer os.Rename(f.abs+".moved", f.abs)
			}
			return r.capture(f)
		})
		if err == nil {
			err = r.failed()
		}
		b := filepath.Join(dir, "b.txt")
		want := "fs: 1 file(s) or folder(s) could not be read: " + b + " (shrank from 16 bytes while being read)"
		if err == nil || err.Error() != want || strings.Join(captured, " ") != "a.txt c.txt" {
			t.Errorf("error %v, captured %v; want %q and a.txt c.txt", err, captured, want)
		}
		if st != nil && (len(st.Notes) != 2 || !strings.Contains(st.Notes[0], "skipped "+b) || !strings.Contains(st.Notes[1], "d.txt was removed before it was read")) {
			t.Errorf("notes %q", st.Notes)
		}
	}
}
