package csv

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"os"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/records"
)

// Chunks yields the chunks of every file in turn. With st (under
// --prevent-dups) each file resumes after its last capture; see plan.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		var base int64
		for _, f := range s.files {
			r := &fileRun{o: s.o, file: f, key: Name + ":" + f.abs, base: base}
			more, err := r.run(ctx, st, yield)
			if err != nil {
				yield(connectors.Chunk{}, err)
				return
			}
			if !more {
				return
			}
			base += r.size
		}
	}
}

// fileRun is the capture of one file.
type fileRun struct {
	o    Options
	file file
	key  string
	base int64 // bytes of the files before this one, for progress
	size int64

	header []byte   // the header record, raw (nil with NoHeader)
	names  []string // its decoded names (or column letters), for --format
	keep   []int    // the columns kept, with Exclude
	span0  int      // first row of the captures this run extends
	total  int      // the index of the run's last chunk, for batch
}

// startAt is where a run starts reading a file.
type startAt struct {
	off    int64
	line   int       // line of the file at off
	row    int       // number of the next data row
	batch  int       // index of the next chunk
	span0  int       // first row of the span the run extends
	fields int       // fields per record, when known
	h      hash.Hash // holds the file's bytes before off
	done   bool      // nothing to read
}

// build is a chunk being put together.
type build struct {
	data        []byte  // raw mode: header then the rows as the file has them
	rows        [][]any // --format: the decoded rows
	first, last int     // data rows
	start, end  int64   // file offsets
	batch       int
	prefix      <-chan string
}

// run captures one file; more is false when the consumer stopped.
func (r *fileRun) run(ctx context.Context, st connectors.State, yield func(connectors.Chunk, error) bool) (more bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	f, err := os.Open(r.file.abs)
	if err != nil {
		return false, fmt.Errorf("csv: %s: %w", r.file.name, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("csv: %s: %w", r.file.name, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("csv: %s is not a regular file (for a pipe, use the pipe or stream connector)", r.file.name)
	}
	r.size = fi.Size()
	// Rows appended while the import runs are left for the next run, so
	// the size in meta is what was read.
	in := io.NewSectionReader(f, 0, r.size)
	at, err := r.plan(ctx, in, st)
	if err != nil || at.done {
		return err == nil, err
	}
	r.span0 = at.span0
	raw := r.o.Format == "" && len(r.o.Exclude) == 0
	n, err := r.count(ctx, in, at)
	if err != nil {
		return false, err
	}
	r.total = at.batch - 1 + n

	hasher := startHasher(at.h)
	defer hasher.close()
	var sink *[]byte // where consumed bytes go besides the hasher
	sp := r.splitter(in, at)
	sp.spare, sp.release = hasher.spare, hasher.release
	sp.consume = func(b []byte) {
		hasher.write(b)
		if sink != nil {
			*sink = append(*sink, b...)
		}
	}
	if at.off == 0 {
		if err := r.readHeader(sp); err != nil {
			return false, err
		}
	}
	sp.flush() // the header, and nothing else, before the first chunk

	S, E, N := r.o.StartLine, r.o.EndLine, r.o.Rows
	row := at.row
	batch := at.batch
	var prev *build
	var spans [][2]int
	newBuild := func() *build {
		b := &build{start: sp.offset(), batch: batch}
		batch++
		if r.o.Format == "" {
			b.data = make([]byte, len(r.header), len(r.header)+N*64)
			copy(b.data, r.header)
		}
		if raw {
			sink = &b.data
		}
		return b
	}
	// emit yields b; its prefix digest, still being computed, and its
	// --format encoding are left to its Finish, on the goroutine that
	// stores it.
	emit := func(b *build, last, atEOF bool) bool {
		c := r.chunk(b, last, atEOF)
		c.Done = r.base + b.end
		return yield(c, nil)
	}
	var cur *build
	if row >= S {
		cur = newBuild()
	}
	for {
		rec, err := sp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// What was complete before the bad record is kept.
			if prev != nil && !emit(prev, false, false) {
				return false, nil
			}
			return false, err
		}
		if rec.blank {
			continue
		}
		if row&0xffff == 0 && ctx.Err() != nil {
			return false, ctx.Err()
		}
		if row < S {
			row++
			if row == S {
				sp.flush()
				cur = newBuild()
			}
			continue
		}
		if cur.first == 0 {
			cur.first = row
			if prev != nil {
				// A row follows prev: it is not the file's last chunk.
				if !emit(prev, false, false) {
					return false, nil
				}
				prev = nil
			}
		}
		cur.last = row
		if !raw {
			spans = fieldSpans(rec.raw, rec.body, r.o.Delimiter, spans[:0])
			if err := r.add(cur, rec.raw, spans); err != nil {
				return false, err
			}
		}
		row++
		if row-cur.first < N && (E == 0 || cur.last < E) {
			continue
		}
		// cur is full: hash it while the next one is read.
		sp.flush()
		cur.end = sp.offset()
		cur.prefix = hasher.mark()
		prev = cur
		if E > 0 && cur.last >= E {
			return emit(prev, true, cur.end == r.size), nil
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		cur = newBuild()
	}
	// The end of the file: bytes after the last row (blank lines) belong
	// to the last chunk. A last record still being written is left out
	// (the chunk does not end the file).
	sp.flush()
	sink = nil
	whole := !sp.partial
	if sp.partial {
		what := "the last line has no line end yet"
		if bytes.IndexByte(sp.rest(), '\n') >= 0 {
			what = "a quote opened in the last record is not closed yet"
		}
		r.o.note("csv: %s line %d: %s: left for a later run (--final captures it as it is)", r.file.name, sp.line, what)
	}
	switch {
	case cur != nil && cur.first > 0:
		if prev != nil && !emit(prev, false, false) {
			return false, nil
		}
		cur.end = sp.offset()
		cur.prefix = hasher.mark()
		return emit(cur, true, whole), nil
	case prev != nil:
		if raw && cur != nil {
			prev.data = append(prev.data, cur.data[len(r.header):]...)
		}
		prev.end = sp.offset()
		prev.prefix = hasher.mark()
		return emit(prev, true, whole), nil
	}
	return true, nil
}

// splitter returns a splitter over the file from at on.
func (r *fileRun) splitter(in *io.SectionReader, at startAt) *splitter {
	sp := newSplitter(io.NewSectionReader(in, at.off, r.size-at.off), r.file.name, r.o.Delimiter, at.off, at.line)
	sp.fields, sp.final, sp.strict = at.fields, r.o.Final, r.o.StrictQuotes
	return sp
}

// count returns how many chunks a run from at yields, so that each
// chunk's batch can say [i, n] with n known: a first pass over the same
// bytes (the page cache serves them again to the second) that counts
// records without checking them (see counter), in two halves at once on
// a large file (countRecords: 256 MiB in 72 to 96 ms instead of 141 to
// 162 ms). On a malformed file the run stops where the splitter finds
// the fault, short of the count.
func (r *fileRun) count(ctx context.Context, in *io.SectionReader, at startAt) (int, error) {
	recs, err := countRecords(ctx, in, at.off, r.size, r.o.Delimiter, r.o.Final)
	if err != nil {
		return 0, fmt.Errorf("csv: %s: %w", r.file.name, err)
	}
	if at.off == 0 && !r.o.NoHeader && recs > 0 {
		recs-- // the header
	}
	// Data rows at.row, at.row+1, ...: those from S to E are captured.
	S, E, N := r.o.StartLine, r.o.EndLine, r.o.Rows
	from, to := max(at.row, S), at.row+recs-1
	if E > 0 {
		to = min(to, E)
	}
	if to < from {
		return 0, nil
	}
	return (to - from + N) / N, nil
}

// readHeader reads the header record, unless the file has none.
func (r *fileRun) readHeader(sp *splitter) error {
	if r.o.NoHeader {
		return nil // the columns come with the first row
	}
	for {
		rec, err := sp.next()
		if err == io.EOF {
			return nil // an empty file
		}
		if err != nil {
			return err
		}
		if !rec.blank {
			return r.setHeader(rec)
		}
	}
}

// setHeader learns the columns from the header record.
func (r *fileRun) setHeader(rec record) error {
	spans := fieldSpans(rec.raw, rec.body, r.o.Delimiter, nil)
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = unquote(rec.raw[s[0]:s[1]])
	}
	r.header = append([]byte(nil), rec.raw...)
	if r.header[len(r.header)-1] != '\n' {
		r.header = append(r.header, '\n')
	}
	if err := r.setColumns(names); err != nil {
		return err
	}
	if r.keep != nil {
		r.header = r.joinKept(nil, rec.raw, spans)
	}
	return nil
}

// setColumns sets the column names and, with Exclude, which to keep.
func (r *fileRun) setColumns(names []string) error {
	r.names = names
	if len(r.o.Exclude) == 0 {
		return nil
	}
	keep, err := records.Exclude(names, r.o.Exclude)
	if err != nil {
		return connectors.Usagef("csv: %s: %w", r.file.name, err)
	}
	r.keep = keep
	return nil
}

// letters are the spreadsheet names of n columns: A, B, ..., Z, AA, ...
func letters(n int) []string {
	out := make([]string, n)
	for i := range out {
		s := ""
		for c := i + 1; c > 0; c = (c - 1) / 26 {
			s = string(rune('A'+(c-1)%26)) + s
		}
		out[i] = s
	}
	return out
}

// joinKept appends the kept fields of a record, as the file has them,
// and its line end.
func (r *fileRun) joinKept(dst, raw []byte, spans [][2]int) []byte {
	for j, i := range r.keep {
		if j > 0 {
			dst = append(dst, r.o.Delimiter)
		}
		dst = append(dst, raw[spans[i][0]:spans[i][1]]...)
	}
	if eol := raw[len(trimEOL(raw)):]; len(eol) > 0 && eol[len(eol)-1] == '\n' {
		return append(dst, eol...)
	}
	return append(dst, '\n')
}

// add puts a record into a chunk built with Exclude or Format.
func (r *fileRun) add(b *build, raw []byte, spans [][2]int) error {
	if r.names == nil { // no header: the first row tells the columns
		if err := r.setColumns(letters(len(spans))); err != nil {
			return err
		}
	}
	if r.o.Format == "" {
		b.data = r.joinKept(b.data, raw, spans)
		return nil
	}
	cols := len(spans)
	if r.keep != nil {
		cols = len(r.keep)
	}
	vals := make([]any, 0, cols)
	if r.keep != nil {
		for _, i := range r.keep {
			vals = append(vals, unquote(raw[spans[i][0]:spans[i][1]]))
		}
	} else {
		for _, s := range spans {
			vals = append(vals, unquote(raw[s[0]:s[1]]))
		}
	}
	b.rows = append(b.rows, vals)
	return nil
}

// chunk makes the chunk of b. Every chunk says how many there are in its
// batch, and the chunk that ends the file carries the file's hash: the
// digest of its bytes up to the chunk's end (its prefix), which the
// chunk's Finish waits for, and encodes the rows of a --format there.
func (r *fileRun) chunk(b *build, last, atEOF bool) connectors.Chunk {
	n := r.total
	if last {
		n = b.batch // the count and the run agree; a run cut short ends here
	}
	meta := map[string]any{
		"path":   r.file.abs,
		"size":   r.size,
		"rows":   [2]int{b.first, b.last},
		"span":   [2]int{r.span0, b.last},
		"batch":  [2]int{b.batch, n},
		"offset": [2]int64{b.start, b.end},
	}
	if r.o.NoHeader {
		meta["no_header"] = true
	}
	c := connectors.Chunk{Data: b.data, Type: records.ContentType(records.CSV), Meta: meta, Key: r.key, Records: b.last - b.first + 1}
	c.Finish = func(c *connectors.Chunk) error {
		prefix := <-b.prefix
		c.Meta["prefix"] = prefix
		if atEOF {
			c.Meta["hash"] = prefix
		}
		if r.o.Format == "" {
			return nil
		}
		names := r.names // set by the header or the first row, before any chunk
		if r.keep != nil {
			names = records.Pick(names, r.keep)
		}
		data, err := records.Encode(r.o.Format, names, b.rows)
		if err != nil {
			return fmt.Errorf("csv: %s: %w", r.file.name, err)
		}
		c.Data, c.Type = data, records.ContentType(r.o.Format)
		return nil
	}
	return c
}

// lastMeta is what a run reads back of the latest chunk captured from
// the same file.
type lastMeta struct {
	Prefix   string   `json:"prefix"`
	Rows     [2]int   `json:"rows"`
	Span     [2]int   `json:"span"`
	Batch    [2]int   `json:"batch"`
	Offset   [2]int64 `json:"offset"`
	NoHeader bool     `json:"no_header"`
}

// plan decides where to start reading the file. Without st, or with no
// capture of the file on the chain, from the start. Otherwise after the
// last chunk captured, when the file's bytes up to its end still hash to
// its prefix (the file only grew) and the rows asked for go on from the
// rows captured; else from the start, saying why, and the runner skips
// the chunks already on the chain.
func (r *fileRun) plan(ctx context.Context, in *io.SectionReader, st connectors.State) (startAt, error) {
	fresh := startAt{line: 1, row: 1, batch: 1, span0: r.o.StartLine, h: sha256.New()}
	if st == nil {
		return fresh, nil
	}
	b, ok := st.Last(r.key)
	if !ok {
		return fresh, nil
	}
	again := func(why string, a ...any) (startAt, error) {
		st.Note("csv: %s %s: reading it from the start, skipping chunks already on the chain", r.file.name, fmt.Sprintf(why, a...))
		return fresh, nil
	}
	var m lastMeta
	if err := json.Unmarshal(b, &m); err != nil || m.Prefix == "" || m.Offset[1] <= 0 || m.Span[0] <= 0 {
		return again("has a last capture without the offsets this connector writes")
	}
	end, S, E := m.Offset[1], r.o.StartLine, r.o.EndLine
	switch {
	case m.NoHeader != r.o.NoHeader:
		return again("was last captured with no_header=%t", m.NoHeader)
	case S < m.Span[0] || S > m.Span[1]+1:
		return again("--start-line %d is not within or right after the rows captured so far (%d to %d)", S, m.Span[0], m.Span[1])
	case r.size < end:
		return again("is shorter (%d bytes) than at its last capture (at least %d)", r.size, end)
	}
	if E > 0 && E <= m.Span[1] {
		return startAt{done: true}, nil // every row asked for is on the chain
	}
	h := sha256.New()
	var lines lineCounter
	if _, err := io.Copy(io.MultiWriter(h, &lines), ctxReader{ctx, io.NewSectionReader(in, 0, end)}); err != nil {
		return startAt{}, fmt.Errorf("csv: %s: %w", r.file.name, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != m.Prefix {
		return again("changed in its first %d bytes since its last capture", end)
	}
	if grew, err := lastRowGrew(in, end); err != nil {
		return startAt{}, fmt.Errorf("csv: %s: %w", r.file.name, err)
	} else if grew {
		return again("has more bytes on its last captured row (it had no line end)")
	}
	fields, err := r.readFirst(in)
	if err != nil {
		return startAt{}, err
	}
	return startAt{off: end, line: lines.n + 1, row: m.Span[1] + 1, batch: m.Batch[0] + 1,
		span0: m.Span[0], fields: fields, h: h}, nil
}

// lastRowGrew tells whether a capture that ended at end, with no line
// end there, was followed by more bytes of the same row.
func lastRowGrew(in io.ReaderAt, end int64) (bool, error) {
	var b [2]byte
	n, err := in.ReadAt(b[:], end-1)
	if n < 2 {
		if err == io.EOF {
			err = nil
		}
		return false, err
	}
	return b[0] != '\n' && b[1] != '\n' && b[1] != '\r', nil
}

// ctxReader stops reading once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

type lineCounter struct{ n int }

func (c *lineCounter) Write(b []byte) (int, error) {
	c.n += bytes.Count(b, []byte{'\n'})
	return len(b), nil
}

// readFirst reads the file's first record (the header, unless
// NoHeader) to learn its columns, and returns its number of fields.
func (r *fileRun) readFirst(in io.ReaderAt) (int, error) {
	sp := newSplitter(io.NewSectionReader(in, 0, 1<<62), r.file.name, r.o.Delimiter, 0, 1)
	sp.final, sp.strict = r.o.Final, r.o.StrictQuotes
	for {
		rec, err := sp.next()
		if err == io.EOF {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		if rec.blank {
			continue
		}
		if r.o.NoHeader {
			spans := fieldSpans(rec.raw, rec.body, r.o.Delimiter, nil)
			return len(spans), r.setColumns(letters(len(spans)))
		}
		return sp.fields, r.setHeader(rec)
	}
}

// checkExclude checks that the file has the columns Exclude names.
func (f file) checkExclude(o Options) error {
	in, err := os.Open(f.abs)
	if err != nil {
		return fmt.Errorf("csv: %s: %w", f.name, unwrapPath(err))
	}
	defer in.Close()
	r := &fileRun{o: o, file: f}
	_, err = r.readFirst(in)
	var se *SyntaxError
	if errors.As(err, &se) {
		return nil // the import reports it, after the rows before it
	}
	return err
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
