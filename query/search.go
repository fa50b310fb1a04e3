package query

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"

	"github.com/blockhub/blockhub/chain"
)

// SearchOptions says which lines Search yields.
type SearchOptions struct {
	// Pattern is a regular expression (Go syntax) matched against each
	// line of an asset's bytes.
	Pattern *regexp.Regexp
	// Invert yields the lines that do not match, as grep -v.
	Invert bool
	// Type keeps only assets of this content type (TypeMatch).
	Type string
	// Limit stops after this many lines; 0 is no limit.
	Limit int
}

// Line is one line of an asset that Search found.
type Line struct {
	Where
	Type string `json:"type"`
	// N is the line's number inside the asset, from 1.
	N int `json:"line"`
	// Text is the line without its end of line (at most MaxLine bytes).
	Text string `json:"text"`
}

// MaxLine is the longest part of a line Search matches and yields; the
// rest of a longer line is skipped.
const MaxLine = 1 << 20

// Search yields the lines of the range's assets that match opts, in chain
// order, like grep -n. Each asset is read as a stream and checked against
// its hash and length as it is read: a tampered asset is yielded as an
// error (after any lines read from it) and ends the stream. Blocks are
// checked as they are walked.
func Search(ctx context.Context, r Range, opts SearchOptions) iter.Seq2[Line, error] {
	return func(yield func(Line, error) bool) {
		if opts.Pattern == nil {
			yield(Line{}, errors.New("search: no pattern"))
			return
		}
		n := 0
		for b, err := range r.blocks(ctx) {
			if err != nil {
				yield(Line{}, err)
				return
			}
			for i, rc := range b.Assets {
				if !TypeMatch(opts.Type, rc.Type) {
					continue
				}
				at := Where{Block: b.ID, Height: b.Height, Index: i, Hash: rc.Hash}
				stop := false
				err := scanAsset(ctx, r, rc, func(num int, line []byte) bool {
					if opts.Pattern.Match(line) == opts.Invert {
						return true
					}
					if !yield(Line{Where: at, Type: rc.Type, N: num, Text: string(line)}, nil) {
						stop = true
						return false
					}
					n++
					if opts.Limit > 0 && n >= opts.Limit {
						stop = true
						return false
					}
					return true
				})
				if err != nil {
					yield(Line{}, fmt.Errorf("search: block %s asset %d (%s): %w", b.ID, i, rc.Hash, err))
					return
				}
				if stop {
					return
				}
			}
		}
	}
}

// scanAsset hands each line of an asset to fn until fn returns false; it
// reads the asset to its end either way, so its hash and length are
// checked, and returns what that check found.
func scanAsset(ctx context.Context, r Range, rc chain.Receipt, fn func(int, []byte) bool) error {
	f, err := r.Assets.Get(ctx, rc.Hash)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := &countingReader{r: f}
	br := bufio.NewReaderSize(cr, 64<<10)
	var line []byte
	num, want := 0, true
	for {
		frag, err := br.ReadSlice('\n')
		if len(line)+len(frag) <= MaxLine {
			line = append(line, frag...)
		} else if len(line) < MaxLine {
			line = append(line, frag[:MaxLine-len(line)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(line) > 0 || err == nil {
			num++
			if want {
				want = fn(num, bytes.TrimRight(line, "\r\n"))
			}
			line = line[:0]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if cr.n != rc.Length {
		return fmt.Errorf("%w: %d bytes, the block says %d", chain.ErrTampered, cr.n, rc.Length)
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
