package excel

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"slices"
)

// last is what a chunk's meta says, as State.Last returns it.
type last struct {
	Rows     []int    `json:"rows"`
	Batch    []int    `json:"batch"`
	Hash     string   `json:"hash"`
	Prefix   string   `json:"prefix"`
	Format   string   `json:"format"`
	Formulas bool     `json:"formulas"`
	Exclude  []string `json:"exclude"`
}

// sheet captures one sheet.
func (r *run) sheet(name string) error {
	o := r.src.o
	key := Key(r.src.abs, name)
	var prev *last
	if r.st != nil {
		if b, ok := r.st.Last(key); ok {
			var l last
			if json.Unmarshal(b, &l) == nil && len(l.Rows) == 2 && len(l.Batch) == 2 {
				prev = &l
			}
		}
	}
	exclude := slices.Sorted(slices.Values(o.Exclude))
	sameView := prev != nil && prev.Format == o.Format && prev.Formulas == o.Formulas && slices.Equal(prev.Exclude, exclude)
	if sameView && prev.Hash == r.sha && prev.Batch[0] == prev.Batch[1] {
		return nil // the same file, captured to its last row
	}
	c := &sheetRun{run: r, sheet: name, key: key, exclude: exclude}
	if err := c.open(); err != nil {
		return err
	}
	defer func() {
		if c.sr != nil {
			c.sr.Close()
		}
	}()
	if c.headerRow == 0 {
		return nil // an empty sheet
	}
	start := 0 // data rows already on the chain
	switch {
	case prev == nil:
	case !sameView:
		r.st.Note("excel: %s sheet %s: the import options (--format, --formulas, --exclude) differ from the last capture; capturing the sheet again, with per-chunk content dedupe",
			r.src.path, name)
	default:
		ok, err := c.verify(prev.Rows[1], prev.Prefix)
		if err != nil {
			return err
		}
		if ok {
			start = prev.Rows[1]
			break
		}
		r.st.Note("excel: %s sheet %s: rows 1-%d changed since their capture; falling back to per-chunk content dedupe",
			r.src.path, name, prev.Rows[1])
		c.sr.Close()
		if err := c.open(); err != nil {
			return err
		}
	}
	return c.emit(start)
}

// sheetRun reads one sheet's rows.
type sheetRun struct {
	*run
	sheet     string
	key       string
	exclude   []string
	sr        *sheetReader
	headerRow int
	header    []string
	hash      hash.Hash // sha256 of the view, then of the rows read
	seen      int       // data rows read (empty ones included)
}

// open (re)opens the sheet and reads its header: its first row with
// cells.
func (c *sheetRun) open() error {
	c.sr = nil
	sr, err := openSheet(c.wb, c.sheet, c.src.o.Formulas)
	if err != nil {
		return c.errorf("%w", err)
	}
	c.sr, c.seen, c.headerRow = sr, 0, 0
	for {
		n, cells, err := sr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return c.errorf("%w", err)
		}
		if len(cells) > 0 {
			c.headerRow, c.header = n, headerNames(cells)
			break
		}
	}
	c.hash = sha256.New()
	fmt.Fprintf(c.hash, "blockhub excel rows v2\x00%s\x00%t\x00%q\x00%q\x00", c.src.o.Format, c.src.o.Formulas, c.exclude, c.header)
	return nil
}

// row returns the next data row (empty for rows missing from the sheet's
// XML), with io.EOF after the last.
func (c *sheetRun) row() ([]cell, error) {
	_, cells, err := c.sr.next()
	if err != nil {
		if err != io.EOF {
			err = c.errorf("%w", err)
		}
		return nil, err
	}
	c.seen++
	return cells, nil
}

// hashRow adds a row to the running hash.
func (c *sheetRun) hashRow(cells []cell) {
	var b [binary.MaxVarintLen64]byte
	put := func(n int) { c.hash.Write(b[:binary.PutUvarint(b[:], uint64(n))]) }
	put(len(cells))
	for _, x := range cells {
		put(x.col)
		s, kind := text(x.value), byte(0)
		switch x.value.(type) {
		case string:
			kind = 1
		case json.Number:
			kind = 2
		case bool:
			kind = 3
		}
		c.hash.Write([]byte{kind})
		put(len(s))
		io.WriteString(c.hash, s)
		if c.src.o.Formulas {
			put(len(x.formula))
			io.WriteString(c.hash, x.formula)
		}
	}
}

func (c *sheetRun) sum() string { return hex.EncodeToString(c.hash.Sum(nil)) }

// verify reads the first n data rows and reports whether they hash to
// want (that is, whether they are still those captured before).
func (c *sheetRun) verify(n int, want string) (bool, error) {
	for c.seen < n {
		if c.seen%1024 == 0 {
			if err := c.ctx.Err(); err != nil {
				return false, err
			}
		}
		cells, err := c.row()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		c.hashRow(cells)
	}
	return c.sum() == want, nil
}
