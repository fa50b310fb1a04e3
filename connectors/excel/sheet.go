package excel

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Excel's limits: rows and columns of a sheet.
const (
	maxRows    = excelize.TotalRows
	maxColumns = excelize.MaxColumns
)

// cell is one non-empty cell of a row.
type cell struct {
	col int // 0-based
	// value is nil (empty), a string, a json.Number or a bool.
	value any
	// formula is the cell's formula without its "=", "" when none.
	formula string
}

// sheetReader streams the rows of one worksheet's XML in order.
type sheetReader struct {
	wb       *workbook
	name     string // the sheet's name, for errors
	rc       io.ReadCloser
	s        *scanner
	formulas bool // read formulas (else they are skipped)

	row    int // number of the last row read (1-based)
	inData bool
	done   bool
	cells  []cell
	buf    []byte
	shared map[string]sharedFormula
}

// sharedFormula is the master of a shared formula group: the formula and
// the cell it was written for.
type sharedFormula struct {
	text     string
	col, row int
}

func (wb *workbook) openSheet(si sheetInfo, formulas bool) (*sheetReader, error) {
	if si.part == "" {
		return nil, fmt.Errorf("sheet %q is not a worksheet (a chart sheet?)", si.name)
	}
	rc, err := wb.open(si.part)
	if err != nil {
		return nil, err
	}
	return &sheetReader{wb: wb, name: si.name, rc: rc, s: newScanner(rc), formulas: formulas}, nil
}

func (r *sheetReader) Close() error { return r.rc.Close() }

// fail wraps a read error with the sheet and row.
func (r *sheetReader) fail(err error) error {
	return fmt.Errorf("%w: sheet %s row %d: %v", ErrCorrupt, r.name, r.row, err)
}

// next reads the next row element: its number and its non-empty cells, in
// column order (valid until the next call). It returns io.EOF after the
// last row. Rows missing between two row elements are not reported; the
// caller sees the jump in numbers.
func (r *sheetReader) next() (int, []cell, error) {
	if r.done {
		return 0, nil, io.EOF
	}
	s := r.s
	for {
		k, err := s.next()
		if err == io.EOF {
			r.done = true
			if r.inData {
				return 0, nil, r.fail(unexpectedEOF(err))
			}
			return 0, nil, io.EOF // a worksheet without sheetData
		}
		if err != nil {
			return 0, nil, r.fail(err)
		}
		switch {
		case k == tokStart && s.is("sheetData"):
			r.inData = true
		case k == tokEnd && s.is("sheetData"):
			r.done = true
			return 0, nil, io.EOF
		case k == tokStart && r.inData && s.is("row"):
			n := r.row + 1
			if v, ok := s.attr("r"); ok {
				if n, err = strconv.Atoi(string(v)); err != nil || n <= r.row {
					return 0, nil, r.fail(fmt.Errorf("row number %q out of order", v))
				}
			}
			if n > maxRows {
				return 0, nil, r.fail(fmt.Errorf("row %d beyond Excel's %d", n, maxRows))
			}
			r.row = n
			if err := r.readRow(); err != nil {
				return 0, nil, r.fail(err)
			}
			return n, r.cells, nil
		case k == tokStart && r.inData:
			if err := s.skip(); err != nil {
				return 0, nil, r.fail(err)
			}
		}
	}
}

// readRow reads the cells of the row element whose start was just read.
func (r *sheetReader) readRow() error {
	s := r.s
	r.cells = r.cells[:0]
	col := -1
	for {
		k, err := s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch {
		case k == tokEnd:
			return nil // </row>
		case k == tokStart && s.is("c"):
			c := col + 1
			if ref, ok := s.attr("r"); ok {
				if c, err = columnOf(ref); err != nil {
					return err
				}
			}
			if c <= col || c >= maxColumns {
				return fmt.Errorf("cell %q out of order or beyond column %d", s.attrString("r"), maxColumns)
			}
			col = c
			if err := r.readCell(c); err != nil {
				return fmt.Errorf("cell %s%d: %w", columnName(c), r.row, err)
			}
		case k == tokStart:
			if err := s.skip(); err != nil {
				return err
			}
		}
	}
}

// readCell reads the cell element whose start was just read.
func (r *sheetReader) readCell(col int) error {
	s := r.s
	typ := s.attrString("t")
	style := -1
	if v, ok := s.attr("s"); ok {
		style, _ = strconv.Atoi(string(v))
	}
	var (
		v, is     []byte
		hasV, isd bool
		formula   string
	)
	r.buf = r.buf[:0]
	for {
		k, err := s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		if k == tokEnd {
			break // </c>
		}
		if k != tokStart {
			continue
		}
		switch {
		case s.is("v"):
			start := len(r.buf)
			if r.buf, err = s.appendText(r.buf); err != nil {
				return err
			}
			v, hasV = r.buf[start:], true
		case s.is("is"):
			start := len(r.buf)
			if r.buf, err = readRichText(s, r.buf); err != nil {
				return err
			}
			is, isd = r.buf[start:], true
		case s.is("f") && r.formulas:
			if formula, err = r.readFormula(col); err != nil {
				return err
			}
		default:
			if err := s.skip(); err != nil {
				return err
			}
		}
	}
	value, err := r.value(typ, style, string(v), hasV, is, isd)
	if err != nil {
		return err
	}
	if value == nil && formula == "" {
		return nil
	}
	r.cells = append(r.cells, cell{col: col, value: value, formula: formula})
	return nil
}

// value makes a cell's value from its type, style and text.
func (r *sheetReader) value(typ string, style int, v string, hasV bool, is []byte, isd bool) (any, error) {
	switch typ {
	case "inlineStr":
		if isd {
			return string(appendOOXML(nil, is)), nil
		}
		if hasV {
			return v, nil
		}
		return nil, nil
	case "s":
		if !hasV {
			return nil, nil
		}
		sst, err := r.wb.sharedStrings()
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(sst) {
			return nil, fmt.Errorf("shared string %q out of range (%d strings)", v, len(sst))
		}
		return sst[i], nil
	case "str", "e", "d":
		if !hasV {
			return nil, nil
		}
		return string(appendOOXML(nil, []byte(v))), nil
	case "b":
		if !hasV {
			return nil, nil
		}
		return v == "1" || v == "true", nil
	}
	if !hasV || v == "" {
		return nil, nil
	}
	if style >= 0 && style < len(r.wb.styles) && r.wb.styles[style] != fmtNumber {
		if t, ok := r.dateText(v, r.wb.styles[style]); ok {
			return t, nil
		}
	}
	return number(v), nil
}

// number returns a numeric cell's text as a json.Number when it is one in
// JSON's grammar, else as a string.
func number(v string) any {
	if isJSONNumber(v) {
		return json.Number(v)
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return v
}

// isJSONNumber reports whether s is a number in JSON's grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// dateText renders a date-formatted serial number as ISO 8601 text:
// "2006-01-02" for a date, "15:04:05" for a time of day, "2006-01-02
// 15:04:05" otherwise (with milliseconds when there are some).
func (r *sheetReader) dateText(v string, f numFmt) (string, bool) {
	serial, err := strconv.ParseFloat(v, 64)
	if err != nil || serial < 0 || serial > 2958466 { // 9999-12-31
		return "", false
	}
	t, err := excelize.ExcelDateToTime(serial, r.wb.date1904)
	if err != nil {
		return "", false
	}
	t = t.Round(time.Millisecond)
	whole := serial == math.Trunc(serial)
	switch {
	case f == fmtDate && whole:
		return t.Format(time.DateOnly), true
	case f == fmtTime && serial < 1:
		return t.Format("15:04:05.999"), true
	}
	return t.Format("2006-01-02 15:04:05.999"), true
}

// readFormula reads the <f> element whose start was just read and returns
// the cell's formula, resolving shared formulas.
func (r *sheetReader) readFormula(col int) (string, error) {
	s := r.s
	kind := s.attrString("t")
	si := s.attrString("si")
	hasRef := s.attrString("ref") != ""
	text, err := s.appendText(nil)
	if err != nil {
		return "", err
	}
	if kind != "shared" || si == "" {
		return string(text), nil
	}
	if r.shared == nil {
		r.shared = map[string]sharedFormula{}
	}
	if len(text) > 0 || hasRef {
		r.shared[si] = sharedFormula{text: string(text), col: col, row: r.row}
		return string(text), nil
	}
	m, ok := r.shared[si]
	if !ok {
		return "", fmt.Errorf("shared formula %s used before it is defined", si)
	}
	return shiftFormula(m.text, col-m.col, r.row-m.row), nil
}

// columnOf reads the column of a cell reference ("AB12" is 27).
func columnOf(ref []byte) (int, error) {
	n := 0
	for i, c := range ref {
		switch {
		case c >= 'A' && c <= 'Z':
			n = n*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			n = n*26 + int(c-'a'+1)
		case i > 0 && c >= '0' && c <= '9':
			return n - 1, nil
		default:
			return 0, fmt.Errorf("bad cell reference %q", ref)
		}
		if n > maxColumns {
			return 0, fmt.Errorf("cell reference %q beyond column %d", ref, maxColumns)
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("bad cell reference %q", ref)
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
