package fs

import (
	"fmt"
	"regexp"
	"time"

	"github.com/blockhub/blockhub/connectors"
)

func init() {
	connectors.Register(Spec)
}

// Spec is the fs connector's registration.
var Spec = connectors.Spec{
	Name:      "fs",
	Usage:     "capture the files of a folder, one asset per file",
	ArgsUsage: "DIR",
	Help: `Captures every file of DIR (and of its subfolders with --recursive), one
asset per file; a file bigger than --chunk-size (default 64MiB) is captured
in parts, read part by part. The content type comes from the extension of
common data files (.csv, .json, .parquet, ...), else from the first bytes.

Filters: --include and --exclude-files take globs (repeatable): a glob with
a "/" matches the path relative to DIR, any other the file name ("*.csv").
(--exclude is the common option that drops columns; it does not apply
here.) --include-re and --exclude-re take a regular expression each (Go syntax;
alternatives joined with |) matched anywhere in the path relative to DIR
('\.(csv|json)$'). A file
must match an --include or --include-re pattern, when there are any, and
none of --exclude-files and --exclude-re. A pattern that matches none of
the files is told on stderr ("--include ... matched 0 of 12 file(s)").
--dir-regex keeps files whose folder, relative to DIR ("." for DIR
itself), matches the regular expression. --min-size and --max-size take
sizes such as 10M or 1G; --since and --until bound the modification time
(since <= mtime < until) and take an RFC 3339 time, a local date
(2026-01-02) or a duration ago (24h, 7d).

Meta: path (relative to DIR), abs_path, size, mode, mtime (RFC 3339, UTC,
nanoseconds), hash (the sha256 of the whole file, on its last part), batch
[i,n] (the asset's place among the n of the run, listed first); for a file
in parts, part [i,n] and offset [start,end] (bytes, end excluded).

With --prevent-dups a file whose size and mtime match its last complete
capture is skipped without being read (counted as skipped); a changed one is read again and
only parts whose content is not on the chain are captured.

--watch keeps running after the first pass: files that appear or change
are captured once they stay unchanged for --settle (200ms) and no process
has them open for writing (on Linux), until the process is stopped
(SIGINT, SIGTERM). A watch always skips the files whose
size and mtime match their last capture, with or without --prevent-dups,
so a restart captures only what changed meanwhile.

Symbolic links that stay inside DIR are followed; links out of DIR are
skipped with a note unless --follow-symlinks. A file or folder that cannot
be read is skipped with a note; the others are captured and the import
then fails, naming it.`,
	Options: []connectors.Option{
		{Name: "recursive", Kind: connectors.Bool, Help: "descend into subfolders"},
		{Name: "include", Kind: connectors.List, Help: "capture only files matching this glob (repeatable)"},
		{Name: "exclude-files", Kind: connectors.List, Help: "skip files matching this glob (repeatable)"},
		{Name: "include-re", Kind: connectors.String, Help: `capture only files whose path relative to DIR matches this regular expression (e.g. '\.(csv|json)$')`},
		{Name: "exclude-re", Kind: connectors.String, Help: "skip files whose path relative to DIR matches this regular expression"},
		{Name: "dir-regex", Kind: connectors.String, Help: `capture only files whose folder (relative to DIR, "." for DIR) matches this regular expression`},
		{Name: "min-size", Kind: connectors.Size, Help: "skip files smaller than this (e.g. 10M)"},
		{Name: "max-size", Kind: connectors.Size, Help: "skip files bigger than this (e.g. 1G)"},
		{Name: "since", Kind: connectors.String, Help: "skip files modified before this time (RFC 3339, 2026-01-02, or a duration ago: 24h, 7d)"},
		{Name: "until", Kind: connectors.String, Help: "skip files modified at or after this time (as --since)"},
		{Name: "chunk-size", Kind: connectors.Size, Default: "64MiB", Help: "most bytes per asset; bigger files are captured in parts"},
		{Name: "follow-symlinks", Kind: connectors.Bool, Help: "follow symbolic links that lead out of DIR"},
		{Name: "watch", Kind: connectors.Bool, Help: "keep running and capture files as they appear or change; a restart captures only what changed meanwhile"},
		{Name: "settle", Kind: connectors.Duration, Default: "200ms", Help: "with --watch, how long a file must stay unchanged (and closed by its writers) before it is captured"},
	},
	Examples: []string{
		"bhctl import fs ./exports --recursive --include '*.csv' --prevent-dups",
		"bhctl import fs /data --recursive --dir-regex '^2026-' --min-size 1M --since 7d",
		"bhctl import fs ./drop --watch",
	},
	New: newSource,
}

// newSource builds a Source from the command line.
func newSource(args []string, v connectors.Values, c connectors.Common) (connectors.Source, error) {
	if len(args) != 1 {
		return nil, connectors.Usagef("fs: want one DIR argument, got %d", len(args))
	}
	switch {
	case c.Rows != 0:
		return nil, connectors.Usagef("fs: --rows does not apply: files are captured whole (see --chunk-size)")
	case len(c.Exclude) > 0:
		return nil, connectors.Usagef("fs: --exclude drops columns; to skip files use --exclude-files GLOB")
	case c.Format != "":
		return nil, connectors.Usagef("fs: --format does not apply: files are captured as they are")
	}
	o := Options{
		Recursive:      v.Bool("recursive"),
		Include:        v.Strings("include"),
		Exclude:        v.Strings("exclude-files"),
		FollowSymlinks: v.Bool("follow-symlinks"),
		Watch:          v.Bool("watch"),
		Notes:          c.Notes,
	}
	var err error
	for _, re := range []struct {
		name string
		dst  *[]*regexp.Regexp
	}{{"include-re", &o.IncludeRE}, {"exclude-re", &o.ExcludeRE}} {
		if p := v.String(re.name); p != "" {
			x, err := regexp.Compile(p)
			if err != nil {
				return nil, connectors.Usagef("fs: --%s %q: %v", re.name, p, err)
			}
			*re.dst = append(*re.dst, x)
		}
	}
	if s := v.String("dir-regex"); s != "" {
		if o.DirRegex, err = regexp.Compile(s); err != nil {
			return nil, connectors.Usagef("fs: --dir-regex %q: %v", s, err)
		}
	}
	sizes := []struct {
		name string
		dst  *int64
	}{{"min-size", &o.MinSize}, {"max-size", &o.MaxSize}, {"chunk-size", &o.ChunkSize}}
	for _, s := range sizes {
		if *s.dst, err = v.Size(s.name); err != nil {
			return nil, &connectors.UsageError{Err: fmt.Errorf("fs: %w", err)}
		}
	}
	if v.String("chunk-size") != "" && o.ChunkSize == 0 {
		return nil, connectors.Usagef("fs: --chunk-size 0: want a positive size")
	}
	now := time.Now()
	times := []struct {
		name string
		dst  *time.Time
	}{{"since", &o.Since}, {"until", &o.Until}}
	for _, t := range times {
		if s := v.String(t.name); s != "" {
			if *t.dst, err = ParseTime(s, now); err != nil {
				return nil, connectors.Usagef("fs: --%s %v", t.name, err)
			}
		}
	}
	if o.Settle, err = v.Duration("settle"); err != nil {
		return nil, &connectors.UsageError{Err: fmt.Errorf("fs: %w", err)}
	}
	return New(args[0], &o)
}
