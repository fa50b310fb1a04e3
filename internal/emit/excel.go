package emit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// ExcelOptions say what workbook to generate.
type ExcelOptions struct {
	// Seed, Tricky, OddTimes, Contacts and Orders are as in Options.
	Seed     uint64
	Tricky   bool
	OddTimes bool
	Contacts int
	Orders   int
	// Rows is the number of data rows of each sheet (at most 1048575).
	Rows int64
	// Sheets is the number of sheets; zero means one. The sheets hold, in
	// turn, orders, contacts, order_updates and stocks, then orders2,
	// contacts2 and so on.
	Sheets int
}

// Excel writes a workbook to the file at path, which must end in .xlsx;
// see WriteExcel. The file is removed again when writing fails.
func Excel(path string, o ExcelOptions) (err error) {
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return fmt.Errorf("excel: %s: want a name ending in .xlsx", path)
	}
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("excel: %w", err)
	}
	err = WriteExcel(file, o)
	if cerr := file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("excel: %w", cerr)
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// WriteExcel writes an .xlsx workbook to w. Its first sheet, "orders", has
// the columns of Orders and a formula column "total" (=D2*E2, with its value
// cached for readers that do not calculate). Timestamps are Excel date
// cells, shown as yyyy-mm-dd hh:mm:ss in UTC; with OddTimes those not in
// RFC 3339 style are text in their odd format instead. Sheets are streamed
// through excelize's StreamWriter, which keeps large sheets in temporary
// files; excelize then assembles the compressed workbook in memory before
// writing it, so memory grows with the .xlsx size (about a tenth of the
// sheet XML), not with the rows.
func WriteExcel(w io.Writer, o ExcelOptions) error {
	f, err := newWorkbook(o)
	if err != nil {
		return fmt.Errorf("excel: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("excel: %w", err)
	}
	return nil
}

// ExcelSheets returns the names of the sheets a workbook with n sheets has.
func ExcelSheets(n int) []string {
	n = max(n, 1)
	names := make([]string, n)
	kinds := excelKinds()
	for i := range names {
		names[i] = string(kinds[i%len(kinds)])
		if round := i / len(kinds); round > 0 {
			names[i] += strconv.Itoa(round + 1)
		}
	}
	return names
}

func excelKinds() []Kind { return []Kind{Orders, Contacts, OrderUpdates, Stocks} }

// excelMaxRows is the most data rows a sheet holds, below its header.
const excelMaxRows = excelize.TotalRows - 1

func newWorkbook(o ExcelOptions) (*excelize.File, error) {
	if o.Rows < 0 || o.Rows > excelMaxRows {
		return nil, fmt.Errorf("rows %d out of range 0..%d", o.Rows, excelMaxRows)
	}
	if o.Sheets < 0 {
		return nil, errors.New("sheets must not be negative")
	}
	f := excelize.NewFile()
	st, err := newExcelStyles(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	kinds := excelKinds()
	for i, name := range ExcelSheets(o.Sheets) {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err == nil {
			err = writeSheet(f, name, st, Options{
				Kind: kinds[i%len(kinds)], Seed: o.Seed, Rows: o.Rows,
				Tricky: o.Tricky, OddTimes: o.OddTimes, Contacts: o.Contacts, Orders: o.Orders,
			})
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	return f, nil
}

// excelStyles are the cell styles sheets use, made once per workbook.
type excelStyles struct {
	header, money, time, date int
}

func newExcelStyles(f *excelize.File) (excelStyles, error) {
	var st excelStyles
	var err error
	timeFmt, dateFmt := "yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd"
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&st.header, &excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&st.money, &excelize.Style{NumFmt: 2}}, // 0.00
		{&st.time, &excelize.Style{CustomNumFmt: &timeFmt}},
		{&st.date, &excelize.Style{CustomNumFmt: &dateFmt}},
	} {
		if *s.id, err = f.NewStyle(s.style); err != nil {
			return st, err
		}
	}
	return st, nil
}

func writeSheet(f *excelize.File, name string, st excelStyles, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	cols := o.Kind.Columns()
	withTotal := o.Kind == Orders
	cells := make([]any, len(cols), len(cols)+1)
	for i, c := range cols {
		cells[i] = excelize.Cell{StyleID: st.header, Value: c}
	}
	if withTotal {
		cells = append(cells, excelize.Cell{StyleID: st.header, Value: "total"})
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{}); err != nil {
		return err
	}
	g := newGenerator(o)
	var scratch []byte
	for i := int64(0); i < o.Rows; i++ {
		r := g.next()
		for j, v := range r.vals {
			switch v.kind {
			case textValue:
				cells[j] = string(r.text(v))
			case intValue:
				cells[j] = v.n
			case centsValue:
				cells[j] = excelize.Cell{StyleID: st.money, Value: float64(v.n) / 100}
			case dateValue:
				cells[j] = excelize.Cell{StyleID: st.date, Value: time.Unix(v.n*86400, 0).UTC()}
			case timeValue:
				if v.style == styleRFC3339 {
					cells[j] = excelize.Cell{StyleID: st.time, Value: time.Unix(v.n, 0).UTC()}
				} else {
					scratch = appendTime(scratch[:0], v.n, v.style)
					cells[j] = string(scratch)
				}
			}
		}
		n := int(i) + 2
		if withTotal {
			qty, price := r.vals[3].n, r.vals[4].n
			cells[len(cols)] = excelize.Cell{
				StyleID: st.money,
				Formula: "D" + strconv.Itoa(n) + "*E" + strconv.Itoa(n),
				Value:   float64(qty*price) / 100,
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}
