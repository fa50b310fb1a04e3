package csv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Errors a malformed file stops with, inside a *SyntaxError.
var (
	// ErrBareQuote: a double quote inside a field that does not start
	// with one (only with strict quotes: by default such a quote is
	// part of the field, as Python's csv and encoding/csv's LazyQuotes
	// read it).
	ErrBareQuote = errors.New(`extraneous "`)
	// ErrQuote: a quoted field's closing quote is followed by something
	// other than a delimiter or a line end.
	ErrQuote = errors.New(`extraneous or missing "`)
	// ErrUnclosed: a quoted field runs to the end of the file.
	ErrUnclosed = errors.New(`quote never closed`)
	// ErrFieldCount: a record has another number of fields than the
	// first one (the header).
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrLongRecord: a record is longer than the splitter's limit, most
	// likely because a quote is never closed.
	ErrLongRecord = errors.New("record too long")
)

// SyntaxError says where a file is malformed: "csv: orders.csv line 1043:
// extraneous " in field 3".
type SyntaxError struct {
	Path  string // as the user named it
	Line  int    // 1-based line of the file
	Field int    // 1-based field; 0 when the error is about the record
	Err   error  // ErrBareQuote, ErrQuote, ErrUnclosed, ErrFieldCount or ErrLongRecord
	// Got and Want are the field counts of an ErrFieldCount, and Want the
	// limit in bytes of an ErrLongRecord.
	Got, Want int
}

func (e *SyntaxError) Error() string {
	var what string
	switch e.Err {
	case ErrBareQuote:
		what = fmt.Sprintf(`extraneous " in field %d`, e.Field)
	case ErrQuote:
		what = fmt.Sprintf(`extraneous or missing " in quoted field %d`, e.Field)
	case ErrUnclosed:
		what = fmt.Sprintf(`the quote opening field %d is never closed`, e.Field)
	case ErrFieldCount:
		what = fmt.Sprintf("%d fields, want %d as in the first record", e.Got, e.Want)
	case ErrLongRecord:
		what = fmt.Sprintf("record longer than %d MiB (a quote never closed?)", e.Want>>20)
	default:
		what = e.Err.Error()
	}
	return fmt.Sprintf("csv: %s line %d: %s", e.Path, e.Line, what)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

var bom = []byte("\xef\xbb\xbf")

// record is one record (or blank line) as the splitter finds it.
type record struct {
	// raw is the record's bytes, its line end included; it aliases the
	// splitter's buffer and is valid until the next call to next.
	raw   []byte
	off   int64 // file offset of raw[0]
	line  int   // line of the file where it starts
	blank bool  // an empty line: not a record (encoding/csv skips them)
	// body is where the fields start in raw (3 after a byte order mark).
	body int
}

// splitter cuts a stream into CSV records without decoding their fields.
// It checks what encoding/csv checks (quotes, and that every record has
// as many fields as the first), so a file it passes reads back with
// encoding/csv, record for record; unless strict is set, a quote inside
// a field that does not start with one is a character of the field (as
// with encoding/csv's LazyQuotes and Python's csv).
//
// Unless final is set, the input may still grow: a last record with no
// line end yet (its last line is being written, or a quote opened in it
// is not closed yet) is not returned; next says io.EOF before it and
// partial tells it is there.
//
// Buffers are never written again once read into: when the window moves
// on, a new buffer takes the unread tail. So the bytes handed to
// consume, and raw slices kept by the caller, stay valid.
type splitter struct {
	r     io.Reader
	path  string // for errors
	comma byte
	// strict refuses a quote inside an unquoted field (ErrBareQuote).
	strict bool
	// final says the input is complete: a last record without a line end
	// is a record.
	final bool
	// fields is the number of fields every record must have; 0 until the
	// first record sets it.
	fields int
	// consume, when set, receives every byte in file order once it has
	// been consumed, in slices that never change afterwards: before the
	// buffer is replaced, and when flush is called.
	consume func([]byte)
	// size of a read buffer, and the longest record allowed.
	bufSize, maxRecord int
	// spare, when set, returns a read buffer to reuse (or nil), and
	// release takes the buffers the splitter is done with (the bytes of
	// them handed to consume may still be in use: release must wait).
	spare   func() []byte
	release func([]byte)

	buf    []byte
	pos, n int   // buf[pos:n] is unread
	took   int   // buf[took:pos] is consumed but not yet handed to consume
	off    int64 // file offset of buf[0]
	line   int   // line of the file at pos
	eof    bool
	start  bool // at the start of the file (for a byte order mark)
	// partial is set once next has held back an incomplete last record
	// (not final): the bytes from offset() on.
	partial bool
	rdErr   error
	errRec  *SyntaxError
	// quote is the index in buf of the first '"' at or after pos, or n
	// when buf[pos:n] has none; -1 when not known (a new buffer). One
	// search finds it for all the lines before it, instead of one per
	// line.
	quote int
}

const (
	defaultBufSize   = 1 << 20
	defaultMaxRecord = 64 << 20
)

// newSplitter returns a splitter reading r, whose first byte is at file
// offset off and on line line.
func newSplitter(r io.Reader, path string, comma byte, off int64, line int) *splitter {
	return &splitter{r: r, path: path, comma: comma, off: off, line: line, start: off == 0,
		bufSize: defaultBufSize, maxRecord: defaultMaxRecord, quote: -1}
}

// offset is the file offset of the next unread byte.
func (s *splitter) offset() int64 { return s.off + int64(s.pos) }

// rest returns the bytes read and not handed out: once next has said
// io.EOF, the record held back (see partial).
func (s *splitter) rest() []byte { return s.buf[s.pos:s.n] }

// flush hands the bytes consumed so far to consume.
func (s *splitter) flush() {
	if s.took < s.pos && s.consume != nil {
		s.consume(s.buf[s.took:s.pos])
	}
	s.took = s.pos
}

// fill reads more input into a new buffer that starts with the unread
// bytes; it grows the buffer when the unread bytes are a long record.
func (s *splitter) fill() error {
	if s.rdErr != nil {
		return s.rdErr
	}
	s.flush()
	unread := s.n - s.pos
	if unread >= s.maxRecord {
		return &SyntaxError{Path: s.path, Line: s.line, Err: ErrLongRecord, Want: s.maxRecord}
	}
	size := s.bufSize
	for size < 2*unread {
		size *= 2
	}
	var buf []byte
	if size == s.bufSize && s.spare != nil {
		buf = s.spare()
	}
	if len(buf) != size {
		buf = make([]byte, size)
	}
	copy(buf, s.buf[s.pos:s.n])
	if old := s.buf; len(old) == s.bufSize && s.release != nil {
		s.release(old)
	}
	s.off += int64(s.pos)
	s.buf, s.pos, s.took, s.n, s.quote = buf, 0, 0, unread, -1
	for s.n < len(s.buf) && !s.eof {
		m, err := s.r.Read(s.buf[s.n:])
		s.n += m
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.rdErr = fmt.Errorf("csv: %s: %w", s.path, err)
			return s.rdErr
		}
	}
	return nil
}

// next returns the next record or blank line; io.EOF at the end of the
// input, or a *SyntaxError for a malformed record (then every call
// returns it again).
func (s *splitter) next() (record, error) {
	if s.errRec != nil {
		return record{}, s.errRec
	}
	for {
		b := s.buf[s.pos:s.n]
		body := 0
		if s.start && s.off == 0 && s.pos == 0 {
			if len(b) < len(bom) && !s.eof {
				if err := s.fill(); err != nil {
					return record{}, err
				}
				continue
			}
			if bytes.HasPrefix(b, bom) {
				body = len(bom)
			}
		}
		nl := bytes.IndexByte(b[body:], '\n')
		if nl < 0 && !s.eof {
			if err := s.fill(); err != nil {
				return record{}, err
			}
			continue
		}
		end := len(b)
		if nl >= 0 {
			end = body + nl + 1
		} else if end == 0 {
			return record{}, io.EOF
		} else if !s.final {
			s.partial = true // a last line with no line end yet
			return record{}, io.EOF
		}
		rec := record{off: s.offset(), line: s.line, body: body}
		ln := b[:end]
		if !s.quoteBefore(s.pos + end) {
			// The common case: a line with no quote is a record.
			text := trimEOL(ln[body:])
			if len(text) == 0 {
				rec.blank = true
			} else if err := s.count(rec.line, bytes.Count(text, []byte{s.comma})+1); err != nil {
				return record{}, err
			}
			rec.raw = ln
			s.pos += end
			s.line++
			s.start = false
			return rec, nil
		}
		end, fields, err := scanQuoted(b, body, s.comma, s.eof && s.final, s.strict)
		if err != nil {
			err.Path = s.path
			err.Line += s.line
			s.errRec = err
			return record{}, err
		}
		if end < 0 {
			if s.eof { // not final: the record is not complete yet
				s.partial = true
				return record{}, io.EOF
			}
			if err := s.fill(); err != nil {
				return record{}, err
			}
			continue
		}
		if err := s.count(rec.line, fields); err != nil {
			return record{}, err
		}
		rec.raw = b[:end]
		s.pos += end
		s.line += bytes.Count(rec.raw, []byte{'\n'})
		if rec.raw[len(rec.raw)-1] != '\n' {
			s.line++ // the last line, with no line end
		}
		s.start = false
		return rec, nil
	}
}

// quoteBefore reports whether buf[pos:end] holds a '"'.
func (s *splitter) quoteBefore(end int) bool {
	if s.quote < s.pos {
		s.quote = s.n
		if j := bytes.IndexByte(s.buf[s.pos:s.n], '"'); j >= 0 {
			s.quote = s.pos + j
		}
	}
	return s.quote < end
}

// count checks a record's number of fields against the first record's.
func (s *splitter) count(line, fields int) error {
	switch {
	case s.fields == 0:
		s.fields = fields
	case fields != s.fields:
		s.errRec = &SyntaxError{Path: s.path, Line: line, Err: ErrFieldCount, Got: fields, Want: s.fields}
		return s.errRec
	}
	return nil
}

// trimEOL drops a record's line end: "\r\n" or "\n", or a last "\r" at
// the end of the file (as encoding/csv does).
func trimEOL(b []byte) []byte {
	n := len(b)
	switch {
	case n >= 2 && b[n-2] == '\r' && b[n-1] == '\n':
		return b[:n-2]
	case n >= 1 && (b[n-1] == '\n' || b[n-1] == '\r'):
		return b[:n-1]
	}
	return b
}

// scanQuoted finds the end of the record at the start of b, fields
// starting at b[body:], in a record that holds a quote. It returns the
// length of the record with its line end and its number of fields; end
// is -1 when b holds only part of the record (and atEOF is false). A
// syntax error has its Line relative to the record's first line. With
// strict, a quote inside an unquoted field is an ErrBareQuote; else it
// is a character of the field.
func scanQuoted(b []byte, body int, comma byte, atEOF, strict bool) (end, fields int, err *SyntaxError) {
	i, field := body, 1
	fail := func(at int, e error) (int, int, *SyntaxError) {
		return 0, 0, &SyntaxError{Line: bytes.Count(b[:at], []byte{'\n'}), Field: field, Err: e}
	}
next:
	for {
		if i < len(b) && b[i] == '"' {
			open := i
			i++
			for {
				j := bytes.IndexByte(b[i:], '"')
				if j < 0 {
					if !atEOF {
						return -1, 0, nil
					}
					return fail(open, ErrUnclosed)
				}
				i += j + 1
				if i == len(b) {
					if !atEOF {
						return -1, 0, nil
					}
					return i, field, nil
				}
				switch c := b[i]; c {
				case '"':
					i++ // an escaped quote
				case comma:
					i++
					field++
					continue next
				case '\n':
					return i + 1, field, nil
				case '\r':
					if i+1 == len(b) {
						if !atEOF {
							return -1, 0, nil
						}
						return i + 1, field, nil
					}
					if b[i+1] == '\n' {
						return i + 2, field, nil
					}
					return fail(i-1, ErrQuote)
				default:
					return fail(i-1, ErrQuote)
				}
			}
		}
		for ; i < len(b); i++ {
			switch b[i] {
			case comma:
				i++
				field++
				continue next
			case '\n':
				return i + 1, field, nil
			case '"':
				if strict {
					return fail(i, ErrBareQuote)
				}
			}
		}
		if !atEOF {
			return -1, 0, nil
		}
		return len(b), field, nil
	}
}

// fieldSpans appends the byte ranges in rec of its fields, quotes
// included, its line end left out. rec must be a record the splitter
// returned (well formed), fields starting at rec[body:].
func fieldSpans(rec []byte, body int, comma byte, dst [][2]int) [][2]int {
	text := trimEOL(rec)
	i := body
	for {
		if i < len(text) && text[i] == '"' {
			j := i + 1
			for {
				k := bytes.IndexByte(text[j:], '"')
				if k < 0 { // cannot happen in a well-formed record
					j = len(text)
					break
				}
				j += k + 1
				if j < len(text) && text[j] == '"' {
					j++
					continue
				}
				break
			}
			dst = append(dst, [2]int{i, j})
			i = j
		} else {
			k := bytes.IndexByte(text[i:], comma)
			if k < 0 {
				return append(dst, [2]int{i, len(text)})
			}
			dst = append(dst, [2]int{i, i + k})
			i += k
		}
		if i >= len(text) {
			return dst
		}
		i++ // the delimiter
	}
}

// unquote returns a field's value: quotes removed and doubled quotes
// undone. Line ends inside a quoted field ("\r\n", "\n" or "\r") are
// kept byte for byte, as Python's csv reads them (encoding/csv would
// make "\r\n" "\n").
func unquote(f []byte) string {
	if len(f) < 2 || f[0] != '"' {
		return string(f)
	}
	f = f[1 : len(f)-1]
	if bytes.IndexByte(f, '"') < 0 {
		return string(f)
	}
	out := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '"' && i+1 < len(f) && f[i+1] == '"' {
			i++
		}
		out = append(out, c)
	}
	return string(out)
}
