package stream

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/blockhub/blockhub/connectors"
)

// Name is the connector's registered name.
const Name = "stream"

// Defaults of the options.
const (
	DefaultRows = 100
	DefaultTTL  = time.Second
	DefaultPoll = time.Second
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      Name,
		Usage:     "capture the lines of a file as they are written (like tail -F), or of stdin",
		ArgsUsage: "FILE|-",
		Help: "Lines go into assets of --rows lines (default 100); with --follow or on stdin a\n" +
			"partial batch is captured once its first line is --ttl old (default 1s).\n" +
			"--include keeps only the lines matching one of its regular expressions and\n" +
			"--exclude drops those matching one (RE2 syntax; a comma separates patterns, so\n" +
			"write a comma inside one as \\x2c). A last line with no line end is left for a\n" +
			"later run: it may still be being written (on stdin it is taken at the end);\n" +
			"--final says the file is complete, and takes it.\n\n" +
			"Without --follow the file is read to its end, then the import stops: what cron\n" +
			"needs. With --follow it keeps reading until interrupted, and follows the path\n" +
			"as tail -F does: a file renamed away is read to its end, then the new file at\n" +
			"the path from its start; a truncated file is read again from its start.\n\n" +
			"Meta: path, dev and ino (the file's identity), lines [first, last] (1-based\n" +
			"lines of the file, those left out by the filters counted), offset [start, end]\n" +
			"(bytes), head (sha256 of the file's first bytes, up to 4 KiB).\n\n" +
			"A run on a file starts right after the last line captured from the same path,\n" +
			"also after a rotation, so runs from cron and restarts neither lose nor\n" +
			"repeat a line; --from-start reads the file from its start instead. (On stdin\n" +
			"there is nothing to resume: every line read is captured.) A run started while\n" +
			"another is capturing the same path into the chain captures nothing, says so\n" +
			"and exits 0.",
		Options: []connectors.Option{
			{Name: "include", Kind: connectors.List, Help: "keep only lines matching one of these regular expressions"},
			{Name: "ttl", Kind: connectors.Duration, Default: DefaultTTL.String(), Help: "capture a partial batch once its first line is this old (with --follow, or on stdin)"},
			{Name: "follow", Kind: connectors.Bool, Help: "keep following the file (rotation and truncation too) until interrupted; stdin is read to its end anyway"},
			{Name: "from-start", Kind: connectors.Bool, Help: "read the file from its start, not from where the last capture of its path ended"},
			{Name: "final", Kind: connectors.Bool, Help: "the file is complete: capture a last line without a line end too (without it, that line waits for its line end)"},
			{Name: "poll", Kind: connectors.Duration, Default: DefaultPoll.String(), Help: "with --follow, look at the file this often besides file events (the only way where events are not available)"},
		},
		Examples: []string{
			"bhctl import stream /var/log/app.log",
			"bhctl import stream /var/log/app.log --follow --rows 500 --ttl 5s",
			"bhctl import stream app.log --include 'ERROR|WARN' --exclude healthcheck",
			"tail -n0 -F app.log | bhctl import stream - --ttl 2s",
		},
		New: func(args []string, v connectors.Values, c connectors.Common) (connectors.Source, error) {
			o, err := parseOptions(args, v, c)
			if err != nil {
				return nil, err
			}
			return New(o)
		},
	})
}

// Options are the stream connector's settings.
type Options struct {
	// Path is the file to read, or "-" for Stdin.
	Path string
	// Include keeps only lines matching one of them (all lines when
	// empty); Exclude drops lines matching one of them.
	Include, Exclude []*regexp.Regexp
	// Rows is the number of lines per chunk; 0 means DefaultRows.
	Rows int
	// TTL is how old a partial batch's first line gets before the batch
	// is captured (following, or on stdin); 0 means DefaultTTL.
	TTL time.Duration
	// Follow keeps reading at the end of the file, until ctx ends.
	Follow bool
	// FromStart reads the file from its start, whatever was captured of
	// its path before; otherwise a run resumes after the last capture.
	FromStart bool
	// Final says the file is complete: a last line without a line end is
	// captured too, where otherwise it waits for its line end (it may
	// still be being written). Not with Follow.
	Final bool
	// Poll is how often a followed file is looked at besides file events;
	// 0 means DefaultPoll.
	Poll time.Duration
	// NoEvents follows by polling alone.
	NoEvents bool
	// Format is the chunks' encoding: "" (the lines as they are), csv,
	// json, yaml or xml (one record per line, in a field "line").
	Format string
	// Stdin is read for "-"; nil means os.Stdin.
	Stdin io.Reader
}

// parseOptions reads the connector's options and the common ones.
func parseOptions(args []string, v connectors.Values, c connectors.Common) (Options, error) {
	if len(args) != 1 {
		return Options{}, connectors.Usagef("stream: name one FILE, or - for stdin")
	}
	o := Options{Path: args[0], Rows: c.Rows, Format: c.Format, Follow: v.Bool("follow"), FromStart: v.Bool("from-start"), Final: v.Bool("final")}
	var err error
	if o.Include, err = compile("include", v.Strings("include")); err != nil {
		return Options{}, err
	}
	if o.Exclude, err = compile("exclude", c.Exclude); err != nil {
		return Options{}, err
	}
	if o.TTL, err = v.Duration("ttl"); err != nil {
		return Options{}, connectors.Usagef("stream: %w", err)
	}
	if o.Poll, err = v.Duration("poll"); err != nil {
		return Options{}, connectors.Usagef("stream: %w", err)
	}
	if err := o.check(); err != nil {
		return Options{}, connectors.Usagef("stream: %w", err)
	}
	return o, nil
}

func compile(flag string, patterns []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, connectors.Usagef("stream: --%s %q: %v", flag, p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func (o Options) check() error {
	switch {
	case o.Path == "":
		return fmt.Errorf("name one FILE, or - for stdin")
	case o.Rows < 0:
		return fmt.Errorf("--rows %d: want a positive number", o.Rows)
	case o.TTL < 0:
		return fmt.Errorf("--ttl %s: want a positive duration", o.TTL)
	case o.Poll < 0:
		return fmt.Errorf("--poll %s: want a positive duration", o.Poll)
	case o.Final && o.Follow:
		return fmt.Errorf("--final says the file is complete, --follow that it grows: give one or the other")
	}
	switch o.Format {
	case "", "csv", "json", "yaml", "xml":
	default:
		return fmt.Errorf("--format %q: want csv, json, yaml or xml", o.Format)
	}
	return nil
}

// Source is the stream connector over one file or stdin.
type Source struct {
	o    Options
	abs  string // "" for stdin
	size int64
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Sizer   = (*Source)(nil)
	_ connectors.Resumer = (*Source)(nil)
)

// New returns a source for o. A file must exist, unless o.Follow (then
// the run waits for it to appear).
func New(o Options) (*Source, error) {
	if err := o.check(); err != nil {
		return nil, connectors.Usagef("stream: %w", err)
	}
	if o.Rows == 0 {
		o.Rows = DefaultRows
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.Poll == 0 {
		o.Poll = DefaultPoll
	}
	s := &Source{o: o, size: -1}
	if o.Path == "-" {
		if s.o.Stdin == nil {
			s.o.Stdin = os.Stdin
		}
		return s, nil
	}
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		return nil, fmt.Errorf("stream: %s: %w", o.Path, err)
	}
	s.abs = abs
	fi, err := os.Stat(abs)
	switch {
	case err != nil && !(o.Follow && os.IsNotExist(err)):
		return nil, fmt.Errorf("stream: %s: %w", o.Path, unwrapPath(err))
	case err == nil && fi.IsDir():
		return nil, connectors.Usagef("stream: %s is a folder; name a file (the fs connector takes folders)", o.Path)
	case err == nil && !o.Follow:
		s.size = fi.Size()
	}
	return s, nil
}

// Resumes implements connectors.Resumer: a file's run carries on after
// its path's last capture (see Source.Chunks), unless FromStart.
func (s *Source) Resumes() string {
	if s.abs == "" || s.o.FromStart {
		return ""
	}
	return Key(s.abs)
}

// Size is the file's size when it is read to its end once, -1 otherwise.
func (s *Source) Size() int64 { return s.size }

// Key is the source key of a followed path: the chunks of every file
// read at that path (and of its rotated files) share it.
func Key(abs string) string { return Name + ":" + abs }

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
