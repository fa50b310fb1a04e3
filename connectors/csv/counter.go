package csv

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math/bits"
	"runtime"
)

// counter counts the records of CSV bytes fed to it in order, as the
// splitter cuts them (lazy quotes: a quote opens a quoted field only at
// the start of a field), blank lines left out, without checking them. A
// stretch without quotes costs a bytes.Count and two bytes.Index, so a
// first pass that counts the chunks of a file costs a fraction of the
// splitter's pass. On a malformed file the count may run past the record
// where the splitter stops.
type counter struct {
	comma   byte
	records int
	// inQuote: inside a quoted field; quote: its last byte was a quote,
	// which closes it unless another quote follows.
	inQuote, quote bool
	// n is the current record's length so far (counted up to 2), cr that
	// it is a lone "\r" (a line end still to come: a blank line), prev
	// its last byte outside quotes.
	n    int
	cr   bool
	prev byte
}

// write counts the records ended in b.
func (c *counter) write(b []byte) {
	for len(b) > 0 {
		if c.inQuote {
			if c.quote {
				c.quote = false
				if b[0] == '"' { // a doubled quote
					b = b[1:]
					continue
				}
				c.inQuote = false // closed; b[0] is read outside
				continue
			}
			j := bytes.IndexByte(b, '"')
			if j < 0 {
				return
			}
			c.quote = true
			b = b[j+1:]
			continue
		}
		j := bytes.IndexByte(b, '"')
		span := b
		if j >= 0 {
			span = b[:j]
		}
		c.plain(span)
		if j < 0 {
			return
		}
		if c.n == 0 || c.prev == c.comma {
			c.inQuote = true // a quote at the start of a field opens it
		}
		c.add([]byte{'"'})
		b = b[j+1:]
	}
}

// plain counts the records ended in b, which holds no quote and is read
// outside quoted fields.
func (c *counter) plain(b []byte) {
	k := bytes.Count(b, []byte{'\n'})
	if k == 0 {
		c.add(b)
		return
	}
	first := bytes.IndexByte(b, '\n')
	last := bytes.LastIndexByte(b, '\n')
	// The record in progress ends at the first line end.
	c.add(b[:first])
	if !c.blank() {
		c.records++
	}
	k--
	// Whole lines between the first and the last line end: blank ones
	// (empty, or a lone "\r") are not records.
	if mid := b[first : last+1]; k > 0 {
		if hasBlankLine(mid) {
			for _, ln := range bytes.Split(mid[1:len(mid)-1], []byte{'\n'}) {
				if len(ln) == 0 || len(ln) == 1 && ln[0] == '\r' {
					k--
				}
			}
		}
		c.records += k
	}
	c.n, c.cr = 0, false
	c.add(b[last+1:])
}

// add appends bytes outside quotes (none a line end) to the record in
// progress.
func (c *counter) add(b []byte) {
	if len(b) == 0 {
		return
	}
	c.cr = c.n == 0 && len(b) == 1 && b[0] == '\r'
	c.n = min(c.n+len(b), 2)
	c.prev = b[len(b)-1]
}

// blank reports whether the record in progress is a blank line so far.
func (c *counter) blank() bool { return c.n == 0 || c.cr }

// end returns the number of records once the input ends: with final, a
// last record without its line end counts (the splitter returns it, or
// stops on it if a quote is still open).
func (c *counter) end(final bool) int {
	open := c.inQuote && !c.quote // a quote last closes the field
	if final && !open && !c.blank() {
		return c.records + 1
	}
	return c.records
}

// hasBlankLine reports whether b holds "\n\n" or "\n\r\n". It looks at
// b eight bytes at a time, and at the bytes after a '\n' only where a word
// holds one: bytes.Contains stops at every '\n', a call per line.
func hasBlankLine(b []byte) bool {
	const ones, lows = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ ('\n' * ones)
		// The high bit of each byte of x that was a '\n', and of no other.
		nl := ^((x&lows + lows) | x) &^ lows
		for nl != 0 {
			j := i + bits.TrailingZeros64(nl)>>3
			nl &= nl - 1
			if blankAfter(b, j) {
				return true
			}
		}
	}
	for j := i; j < len(b); j++ {
		if b[j] == '\n' && blankAfter(b, j) {
			return true
		}
	}
	return false
}

// blankAfter reports whether the line after the '\n' at b[j] is blank.
func blankAfter(b []byte, j int) bool {
	return j+1 < len(b) && (b[j+1] == '\n' || b[j+1] == '\r' && j+2 < len(b) && b[j+2] == '\n')
}

// countRecords counts the records of r's bytes from off to end as a
// counter fed them in order does (with final, as counter.end says; a
// byte order mark at offset 0 is not counted). A long stretch is counted
// in two halves at once, one per core: the second from just after the
// first line end past the middle, in the state that follows a line end
// outside quotes (a record about to start). Should the first half find
// that line end inside a quoted field, it counts the second half itself
// from there.
func countRecords(ctx context.Context, r io.ReaderAt, off, end int64, comma byte, final bool) (int, error) {
	split := int64(-1)
	if end-off >= countHalvesOver && runtime.GOMAXPROCS(0) > 1 {
		var err error
		if split, err = lineEndAfter(r, off+(end-off)/2, end); err != nil {
			return 0, err
		}
	}
	return countSplit(ctx, r, off, split, end, comma, final)
}

// countHalvesOver is the length past which countRecords counts two
// halves at once.
const countHalvesOver = 8 << 20

// countSplit is countRecords with the second half starting at split (a
// line end's next byte), or no second half when split < 0.
func countSplit(ctx context.Context, r io.ReaderAt, off, split, end int64, comma byte, final bool) (int, error) {
	first := counter{comma: comma}
	if split < 0 {
		err := feed(ctx, r, off, end, &first)
		return first.end(final), err
	}
	second := counter{comma: comma}
	var err2 error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err2 = feed(ctx, r, split, end, &second)
	}()
	err := feed(ctx, r, off, split, &first)
	<-done
	if err != nil {
		return 0, err
	}
	if first.inQuote || first.quote || first.n != 0 {
		// The line end was inside a quoted field.
		err := feed(ctx, r, split, end, &first)
		return first.end(final), err
	}
	return first.records + second.end(final), err2
}

// feed writes r's bytes from off to end to c, leaving out a byte order
// mark at offset 0. A file shorter than end (truncated meanwhile) ends
// the bytes where it ends.
func feed(ctx context.Context, r io.ReaderAt, off, end int64, c *counter) error {
	buf := make([]byte, min(256<<10, max(end-off, 0)))
	for off < end {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		b := buf[:n]
		if off == 0 {
			b = bytes.TrimPrefix(b, bom)
		}
		off += int64(n)
		c.write(b)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lineEndAfter returns the offset just past the first '\n' in r at or
// after from (and before end), looking at most 64 KiB ahead; -1 if there
// is none there.
func lineEndAfter(r io.ReaderAt, from, end int64) (int64, error) {
	buf := make([]byte, min(64<<10, end-from))
	n, err := r.ReadAt(buf, from)
	if err != nil && err != io.EOF {
		return -1, err
	}
	if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
		return from + int64(i) + 1, nil
	}
	return -1, nil
}
