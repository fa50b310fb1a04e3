package excel

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/records"
)

// emit yields the data rows after start in chunks, each with batch
// [i, n]: n is counted on a first pass of the row iterator, and the
// last chunk says [n, n] (the row iterator tells whether another row
// follows before it is yielded).
func (c *sheetRun) emit(start int) error {
	o := c.src.o
	rows := make([][]cell, 0, o.Rows)
	batch := 0
	total, err := c.count()
	if err != nil {
		return err
	}
	chunks := max(total-start+o.Rows-1, 0) / o.Rows
	flush := func(last bool) error {
		if len(rows) == 0 {
			return nil
		}
		batch++
		data, err := c.encode(rows)
		if err != nil {
			return err
		}
		first := c.seen - len(rows) + 1
		n := max(chunks, batch)
		if last {
			n = batch
		}
		meta := map[string]any{
			"path":   c.src.abs,
			"sheet":  c.sheet,
			"rows":   []int{first, c.seen},
			"batch":  []int{batch, n},
			"size":   c.src.size,
			"hash":   c.sha,
			"prefix": c.sum(),
			"format": o.Format,
		}
		if o.Formulas {
			meta["formulas"] = true
		}
		if len(c.exclude) > 0 {
			meta["exclude"] = c.exclude
		}
		if err := c.ctx.Err(); err != nil {
			return err
		}
		ch := connectors.Chunk{
			Data: data, Type: records.ContentType(o.Format), Meta: meta, Key: c.key,
			Records: len(rows), Done: c.progress(last),
		}
		if !c.yield(ch, nil) {
			return errStop
		}
		rows = rows[:0]
		return nil
	}
	// Skip the rows already captured (verify read them when resuming).
	for c.seen < start {
		if _, err := c.row(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
	for {
		if c.seen%1024 == 0 {
			if err := c.ctx.Err(); err != nil {
				return err
			}
		}
		cells, err := c.row()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		c.hashRow(cells)
		rows = append(rows, slices.Clone(cells))
		if len(rows) == o.Rows {
			if err := flush(!c.sr.more()); err != nil {
				return err
			}
		}
	}
	return flush(true)
}

// count returns the number of data rows of the sheet (after its header
// row, empty ones included, as row counts them): a pass of the row
// iterator that reads no cell.
func (c *sheetRun) count() (int, error) {
	sr, err := openSheet(c.wb, c.sheet, false)
	if err != nil {
		return 0, c.errorf("%w", err)
	}
	defer sr.Close()
	n := 0
	for ; sr.more(); n++ {
		if n%4096 == 0 {
			if err := c.ctx.Err(); err != nil {
				return 0, err
			}
		}
		sr.ahead = false
	}
	if err := sr.rows.Error(); err != nil {
		return 0, c.errorf("%w", sr.fail(err))
	}
	return max(n-c.headerRow, 0), nil
}

// progress estimates the bytes of the workbook read so far, by sheets
// done (a sheet's length is not known while it is read).
func (c *sheetRun) progress(last bool) int64 {
	done := c.done
	if last {
		done++
	}
	frac := float64(done) / float64(len(c.sheets))
	return max(int64(frac*float64(c.src.size)), 1)
}

// encode makes one asset of rows: the header (extended with column
// letters for cells right of it), without excluded columns, with a
// "<name>.formula" column beside each column holding a formula in these
// rows when --formulas is set.
func (c *sheetRun) encode(rows [][]cell) ([]byte, error) {
	width := len(c.header)
	for _, r := range rows {
		if len(r) > 0 {
			width = max(width, r[len(r)-1].col+1)
		}
	}
	names := make([]string, width)
	copy(names, c.header)
	for i := len(c.header); i < width; i++ {
		names[i] = columnName(i)
	}
	drop := make([]bool, width)
	for _, e := range c.exclude {
		if i := columnMatch(names, e); i >= 0 {
			drop[i] = true
		}
	}
	hasFormula := make([]bool, width)
	if c.src.o.Formulas {
		for _, r := range rows {
			for _, x := range r {
				if x.formula != "" {
					hasFormula[x.col] = true
				}
			}
		}
	}
	var header []string
	pos := make([]int, width) // column -> index of its value in a record
	for i := range width {
		pos[i] = -1
		if drop[i] {
			continue
		}
		pos[i] = len(header)
		header = append(header, names[i])
		if hasFormula[i] {
			header = append(header, names[i]+".formula")
		}
	}
	recs := make([][]any, len(rows))
	flat := make([]any, len(rows)*len(header))
	for i, r := range rows {
		rec := flat[i*len(header) : (i+1)*len(header) : (i+1)*len(header)]
		for _, x := range r {
			p := pos[x.col]
			if p < 0 {
				continue
			}
			rec[p] = x.value
			if hasFormula[x.col] && x.formula != "" {
				rec[p+1] = "=" + x.formula
			}
		}
		recs[i] = rec
	}
	data, err := records.Encode(c.src.o.Format, header, recs)
	if err != nil {
		return nil, c.errorf("sheet %s: %w", c.sheet, err)
	}
	return data, nil
}

// text renders a cell value as text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	}
	return fmt.Sprint(v)
}
