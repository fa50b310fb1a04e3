package excel

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/blockhub/blockhub/internal/records"
)

// cell is one non-empty cell of a row.
type cell struct {
	col int // 0-based
	// value is a string, a json.Number or a bool (see typed).
	value any
	// formula is the cell's formula without its "=", "" when none.
	formula string
}

// sheetReader streams the rows of one worksheet with excelize's row
// iterator (f.Rows), which reads the sheet's XML as it goes.
type sheetReader struct {
	f        *excelize.File
	name     string
	rows     *excelize.Rows
	formulas bool

	row   int  // number of the last row read (1-based)
	ahead bool // rows.Next was called and found a row not read yet
	done  bool
	cells []cell
}

func openSheet(f *excelize.File, name string, formulas bool) (*sheetReader, error) {
	rows, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %s: %v", ErrCorrupt, name, err)
	}
	return &sheetReader{f: f, name: name, rows: rows, formulas: formulas}, nil
}

func (r *sheetReader) Close() error { return r.rows.Close() }

// fail wraps a read error with the sheet and row.
func (r *sheetReader) fail(err error) error {
	return fmt.Errorf("%w: sheet %s row %d: %v", ErrCorrupt, r.name, r.row, err)
}

// more reports whether a row follows the last one read.
func (r *sheetReader) more() bool {
	if !r.ahead && !r.done {
		r.ahead = r.rows.Next()
		r.done = !r.ahead
	}
	return r.ahead
}

// next reads the next row: its number and its non-empty cells, in column
// order (valid until the next call). A row the sheet's XML leaves out
// (Excel writes no element for an empty row) comes back with no cells.
// It returns io.EOF after the last row.
func (r *sheetReader) next() (int, []cell, error) {
	if !r.more() {
		if err := r.rows.Error(); err != nil {
			return 0, nil, r.fail(err)
		}
		return 0, nil, io.EOF
	}
	r.ahead = false
	r.row++
	// Values as Excel shows them: excelize applies each cell's number
	// format (dates by their format code, 0.00 as two decimals).
	vals, err := r.rows.Columns()
	if err != nil {
		return 0, nil, r.fail(err)
	}
	r.cells = r.cells[:0]
	for i, v := range vals {
		var formula string
		if r.formulas {
			ref, err := excelize.CoordinatesToCellName(i+1, r.row)
			if err != nil {
				return 0, nil, r.fail(err)
			}
			// excelize loads the worksheet into memory on the first
			// lookup, and expands shared formulas for the cell.
			if formula, err = r.f.GetCellFormula(r.name, ref); err != nil {
				return 0, nil, r.fail(fmt.Errorf("cell %s: %w", ref, err))
			}
		}
		if v == "" && formula == "" {
			continue
		}
		var value any
		if v != "" {
			value = typed(v)
		}
		r.cells = append(r.cells, cell{col: i, value: value, formula: formula})
	}
	return r.row, r.cells, nil
}

// typed gives a cell's text the type JSON, YAML and XML chunks show: a
// number when it is one in JSON's grammar as displayed ("19.50", "7";
// not "1,234.00" nor "007"), a bool for Excel's TRUE and FALSE, else the
// text. excelize's row iterator gives text only, so a text cell that
// reads as a number is a number here too.
func typed(v string) any {
	switch {
	case records.IsNumber(v):
		return json.Number(v)
	case v == "TRUE":
		return true
	case v == "FALSE":
		return false
	}
	return v
}

// columnOf reads a column's letters ("AB" is 27); an error when s is
// not a column of upper-case letters within Excel's limit.
func columnOf(s string) (int, error) {
	if s == "" || s != strings.ToUpper(s) {
		return 0, fmt.Errorf("bad column %q", s)
	}
	n, err := excelize.ColumnNameToNumber(s)
	if err != nil {
		return 0, err
	}
	return n - 1, nil
}

// columnName returns the letters of a 0-based column.
func columnName(col int) string {
	s, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		return strconv.Itoa(col + 1)
	}
	return s
}
