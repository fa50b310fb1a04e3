package excel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/records"
)

// DefaultRows is the number of rows per asset when Options.Rows is 0.
const DefaultRows = 1000

// Options tune a Source; the zero value (or nil) means every worksheet,
// 1000 rows per asset, csv with the header first.
type Options struct {
	// Sheets names the sheets to capture, in order; empty means every
	// worksheet of the workbook.
	Sheets []string
	// Rows is the number of data rows per asset (0: DefaultRows).
	Rows int
	// Exclude drops columns, by header name or column letter (A, B, AA).
	Exclude []string
	// Format is the assets' encoding: csv (the default), json (lines),
	// yaml or xml.
	Format string
	// Formulas adds, beside each column holding formulas, a column named
	// "<header>.formula" with the formula text ("=D2*E2").
	Formulas bool
	// Password opens an encrypted workbook.
	Password string
}

// Source reads an .xlsx workbook: each sheet's first row is its header,
// and every later row is a record.
type Source struct {
	path string // as given
	abs  string
	size int64
	o    Options
}

var (
	_ connectors.Source = (*Source)(nil)
	_ connectors.Sizer  = (*Source)(nil)
)

// New returns a source over the workbook at path.
func New(path string, o *Options) (*Source, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.Rows < 0 {
		return nil, connectors.Usagef("excel: --rows %d: want a positive number", opts.Rows)
	}
	if opts.Rows == 0 {
		opts.Rows = DefaultRows
	}
	if opts.Format == "" {
		opts.Format = records.CSV
	}
	if err := records.CheckFormat(opts.Format); err != nil {
		return nil, &connectors.UsageError{Err: fmt.Errorf("excel: %w", err)}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("excel: %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("excel: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("excel: %s: is a directory, want an .xlsx file", path)
	}
	return &Source{path: filepath.Clean(path), abs: abs, size: fi.Size(), o: opts}, nil
}

// Size is the workbook's size in bytes.
func (s *Source) Size() int64 { return s.size }

// Key is the source key of a sheet of the workbook at abs (an absolute
// path): what State.Last finds its latest capture by.
func Key(abs, sheet string) string { return "excel:" + abs + "#" + sheet }

// errStop ends a run whose consumer stopped.
var errStop = errors.New("stop")

// Chunks yields the chunks of every selected sheet in turn. With st (that
// is, --prevent-dups) it skips a sheet whose file is unchanged since its
// complete capture, and resumes a sheet that grew by appended rows after
// the rows already captured.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		r := &run{src: s, ctx: ctx, st: st, yield: yield}
		if err := r.all(); err != nil && err != errStop {
			yield(connectors.Chunk{}, err)
		}
	}
}

// run is one pass of a Source over its workbook.
type run struct {
	src   *Source
	ctx   context.Context
	st    connectors.State
	yield func(connectors.Chunk, error) bool

	wb     *excelize.File
	sha    string // the file's sha256
	sheets []string
	done   int // sheets done, for progress
}

func (r *run) errorf(format string, a ...any) error {
	return fmt.Errorf("excel: %s: "+format, append([]any{r.src.path}, a...)...)
}

func (r *run) all() error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	sum, err := fileSHA256(r.ctx, r.src.abs)
	if err != nil {
		return fmt.Errorf("excel: %w", err)
	}
	r.sha = sum
	wb, err := openWorkbook(r.src.abs, r.src.o.Password)
	if err != nil {
		return r.errorf("%w", err)
	}
	defer wb.Close()
	r.wb = wb
	if r.sheets, err = r.selectSheets(); err != nil {
		return err
	}
	if len(r.src.o.Exclude) > 0 {
		if err := r.checkExclude(); err != nil {
			return err
		}
	}
	for _, sheet := range r.sheets {
		if err := r.sheet(sheet); err != nil {
			return err
		}
		r.done++
	}
	return nil
}

// selectSheets returns the --sheet ones, or every sheet. (A chart sheet
// has no rows: it gives no chunks.)
func (r *run) selectSheets() ([]string, error) {
	names := r.wb.GetSheetList()
	if len(r.src.o.Sheets) == 0 {
		return names, nil
	}
	var out []string
	for _, want := range r.src.o.Sheets {
		if slices.Contains(out, want) {
			continue // named twice
		}
		if !slices.Contains(names, want) {
			return nil, r.errorf("no sheet %q (sheets: %s)", want, strings.Join(names, ", "))
		}
		out = append(out, want)
	}
	return out, nil
}

// checkExclude fails when an --exclude entry names no column of any
// selected sheet, so that a typo does not capture a column meant to be
// dropped.
func (r *run) checkExclude() error {
	matched := make([]bool, len(r.src.o.Exclude))
	var all []string
	for _, si := range r.sheets {
		_, header, err := r.header(si)
		if err != nil {
			return err
		}
		all = append(all, si+": "+strings.Join(header, ", "))
		for i, e := range r.src.o.Exclude {
			if columnMatch(header, e) >= 0 {
				matched[i] = true
			}
		}
	}
	for i, e := range r.src.o.Exclude {
		if !matched[i] {
			return r.errorf("--exclude %q: no such column (%s)", e, strings.Join(all, "; "))
		}
	}
	return nil
}

// header reads a sheet's first row that has cells: its number and the
// column names (the column letter where a header cell is empty).
func (r *run) header(sheet string) (int, []string, error) {
	sr, err := openSheet(r.wb, sheet, false)
	if err != nil {
		return 0, nil, r.errorf("%w", err)
	}
	defer sr.Close()
	for {
		n, cells, err := sr.next()
		if err == io.EOF {
			return 0, nil, nil
		}
		if err != nil {
			return 0, nil, r.errorf("%w", err)
		}
		if len(cells) > 0 {
			return n, headerNames(cells), nil
		}
	}
}

func headerNames(cells []cell) []string {
	if len(cells) == 0 {
		return nil
	}
	names := make([]string, cells[len(cells)-1].col+1)
	for i := range names {
		names[i] = columnName(i)
	}
	for _, c := range cells {
		if c.value != nil {
			if s := strings.TrimSpace(text(c.value)); s != "" {
				names[c.col] = s
			}
		}
	}
	return names
}

// columnMatch returns the column that an --exclude entry names in header,
// by name first, then by letter; -1 when none.
func columnMatch(header []string, e string) int {
	if i := slices.Index(header, e); i >= 0 {
		return i
	}
	if c, err := columnOf(e); err == nil && c < len(header) {
		return c
	}
	return -1
}

// fileSHA256 hashes a file.
func fileSHA256(ctx context.Context, name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}
