package csv

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/blockhub/blockhub/connectors"
)

// Name is the connector's registered name.
const Name = "csv"

// DefaultRows is the number of data rows per asset without --rows.
const DefaultRows = 1000

func init() {
	connectors.Register(connectors.Spec{
		Name:      Name,
		Usage:     "capture CSV files, --rows data rows per asset, header line first",
		ArgsUsage: "FILE...",
		Help: "Each asset is a CSV document: the file's header line, then up to --rows data\n" +
			"rows (default 1000) as the file has them, byte for byte; quoted fields may hold\n" +
			"delimiters, quotes and line breaks. With --exclude (header names or column\n" +
			"letters) the columns are dropped, and with --format the rows are written as\n" +
			"csv, json lines, yaml or xml.\n\n" +
			"A file may still be growing: a last line without its line end (or a last\n" +
			"record whose quote is still open) is left for a later run, with a note, and\n" +
			"captured once its line end is written; --final says the files are complete\n" +
			"and captures it as it is. A \" inside a field that does not start with one is\n" +
			"part of the field (12°34'56\"N), as Python's csv reads it; --strict-quotes\n" +
			"refuses it.\n\n" +
			"Meta: path, size, rows [first, last] (1-based data rows), offset [start, end]\n" +
			"(bytes), batch [i, n] (the chunk's place among the n of the run, counted on a\n" +
			"first pass), prefix (sha256 of the file up to the end of the chunk) and, on\n" +
			"the chunk that ends the file, hash (sha256 of the whole file).\n\n" +
			"With --prevent-dups, a re-run captures only what is new: a file that grew is\n" +
			"read from where its last capture ended, once its bytes up to there are checked\n" +
			"unchanged; a file changed before that point is read again from the start and\n" +
			"the chunks already on the chain are skipped. A malformed file stops with an\n" +
			"error naming the file and the line; the chunks before it are kept, and a\n" +
			"re-run once it is fixed goes on from there.",
		Options: []connectors.Option{
			{Name: "delimiter", Kind: connectors.String, Default: ",", Help: `field delimiter: one ASCII character, or "tab"`},
			{Name: "start-line", Kind: connectors.Int, Help: "first data row to capture (1-based, the header line not counted)"},
			{Name: "end-line", Kind: connectors.Int, Help: "last data row to capture (default: to the end of the file)"},
			{Name: "no-header", Kind: connectors.Bool, Help: "the files have no header line: every line is data, and --exclude takes column letters"},
			{Name: "final", Kind: connectors.Bool, Help: "the files are complete: capture a last line that has no line end (else it is left until its line end is written)"},
			{Name: "strict-quotes", Kind: connectors.Bool, Help: `refuse a " inside a field that does not start with one (by default it is part of the field)`},
		},
		Examples: []string{
			"bhctl import csv orders.csv --rows=100 --prevent-dups",
			"bhctl import csv exports/*.csv --delimiter ';' --exclude email,phone",
			"bhctl import csv big.csv --start-line 1000001 --end-line 2000000 --format json",
			"bhctl import csv finished-export.csv --final",
		},
		New: func(args []string, v connectors.Values, c connectors.Common) (connectors.Source, error) {
			o, err := parseOptions(args, v, c)
			if err != nil {
				return nil, err
			}
			return New(args, &o)
		},
	})
}

// Options are the csv connector's settings; the zero value (or nil) means
// the defaults.
type Options struct {
	// Delimiter separates fields; 0 means ','.
	Delimiter byte
	// StartLine and EndLine are the first and last data rows to capture,
	// 1-based, the header line not counted; 0 means from the first row and
	// to the last.
	StartLine, EndLine int
	// NoHeader says the file has no header line.
	NoHeader bool
	// Rows is the number of data rows per chunk; 0 means DefaultRows.
	Rows int
	// Exclude names columns to drop: header names or column letters.
	Exclude []string
	// Format is the chunks' encoding: "" (the file's own CSV), csv, json,
	// yaml or xml.
	Format string
	// Final says the files are complete: a last record without a line
	// end is captured. Otherwise a file may still be growing, and its
	// last record is left for a later run until its line end is written.
	Final bool
	// StrictQuotes refuses a quote inside a field that does not start
	// with one (ErrBareQuote); by default it is a character of the field.
	StrictQuotes bool
	// Notes receives one-line notes for the user (a last line left for
	// a later run); nil discards them.
	Notes io.Writer
}

// note writes one line for the user to o.Notes.
func (o Options) note(format string, a ...any) {
	connectors.Common{Notes: o.Notes}.Note(format, a...)
}

// parseOptions reads the connector's options and the common ones.
func parseOptions(args []string, v connectors.Values, c connectors.Common) (Options, error) {
	if len(args) == 0 {
		return Options{}, connectors.Usagef("csv: name at least one FILE")
	}
	d, err := parseDelimiter(v.String("delimiter"))
	if err != nil {
		return Options{}, connectors.Usagef("csv: %w", err)
	}
	o := Options{Delimiter: d, NoHeader: v.Bool("no-header"), Rows: c.Rows, Exclude: c.Exclude, Format: c.Format,
		Final: v.Bool("final"), StrictQuotes: v.Bool("strict-quotes"), Notes: c.Notes}
	if o.StartLine, err = v.Int("start-line"); err != nil {
		return Options{}, connectors.Usagef("csv: %w", err)
	}
	if o.EndLine, err = v.Int("end-line"); err != nil {
		return Options{}, connectors.Usagef("csv: %w", err)
	}
	if err := o.check(); err != nil {
		return Options{}, connectors.Usagef("csv: %w", err)
	}
	return o, nil
}

func parseDelimiter(s string) (byte, error) {
	switch s {
	case "":
		return ',', nil
	case "tab", `\t`:
		return '\t', nil
	}
	if len(s) != 1 || s[0] >= 0x80 || s[0] == '"' || s[0] == '\r' || s[0] == '\n' || s[0] == 0 {
		return 0, fmt.Errorf(`--delimiter %q: want one ASCII character other than a quote or a line end, or "tab"`, s)
	}
	return s[0], nil
}

// check validates o once its defaults are in.
func (o Options) check() error {
	switch {
	case o.Rows < 0:
		return fmt.Errorf("--rows %d: want a positive number", o.Rows)
	case o.StartLine < 0:
		return fmt.Errorf("--start-line %d: want 1 or more", o.StartLine)
	case o.EndLine < 0:
		return fmt.Errorf("--end-line %d: want 1 or more", o.EndLine)
	case o.EndLine > 0 && o.EndLine < o.StartLine:
		return fmt.Errorf("--end-line %d is before --start-line %d", o.EndLine, o.StartLine)
	case o.Delimiter == '"' || o.Delimiter == '\r' || o.Delimiter == '\n' || o.Delimiter >= 0x80:
		return fmt.Errorf("delimiter %q: want an ASCII character other than a quote or a line end", o.Delimiter)
	}
	switch o.Format {
	case "", "csv", "json", "yaml", "xml":
	default:
		return fmt.Errorf("--format %q: want csv, json, yaml or xml", o.Format)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Delimiter == 0 {
		o.Delimiter = ','
	}
	if o.Rows == 0 {
		o.Rows = DefaultRows
	}
	if o.StartLine == 0 {
		o.StartLine = 1
	}
	return o
}

// Source is the csv connector over some files, read one after another.
type Source struct {
	files []file
	o     Options
	size  int64
}

type file struct {
	name string // as the user named it
	abs  string
}

var (
	_ connectors.Source = (*Source)(nil)
	_ connectors.Sizer  = (*Source)(nil)
)

// New returns a source over the files at paths. It checks that each is a
// readable file and, with Exclude, that each has the columns named.
func New(paths []string, o *Options) (*Source, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if err := opts.check(); err != nil {
		return nil, connectors.Usagef("csv: %w", err)
	}
	opts = opts.withDefaults()
	s := &Source{o: opts}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("csv: %s: %w", p, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("csv: %s: %w", p, err)
		}
		if fi.IsDir() {
			return nil, connectors.Usagef("csv: %s is a folder; name the files (the fs connector takes folders)", p)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("csv: %s is not a regular file (for a pipe, use the pipe or stream connector)", p)
		}
		f := file{name: p, abs: abs}
		if len(opts.Exclude) > 0 {
			if err := f.checkExclude(opts); err != nil {
				return nil, err
			}
		}
		s.files = append(s.files, f)
		s.size += fi.Size()
	}
	return s, nil
}

// Size is the files' total size, for the progress bar.
func (s *Source) Size() int64 { return s.size }
