package csv

import (
	"bytes"
	"context"
	stdcsv "encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// mode is how a splitter reads: strict quotes, and whether the input is
// complete.
type mode struct{ strict, final bool }

var strictFinal = mode{strict: true, final: true}

// split runs a splitter over data with a small buffer (to cross buffer
// ends often) and returns the decoded records, the raw pieces (records
// and blank lines) and the first error.
func split(data []byte, comma byte, bufSize int, m mode) (recs [][]string, pieces [][]byte, err error) {
	recs, pieces, _, err = splitHeld(data, comma, bufSize, m)
	return recs, pieces, err
}

// splitHeld is split that also tells whether the splitter held back a
// last record (not final).
func splitHeld(data []byte, comma byte, bufSize int, m mode) (recs [][]string, pieces [][]byte, held bool, err error) {
	s := newSplitter(bytes.NewReader(data), "t.csv", comma, 0, 1)
	s.bufSize = bufSize
	s.strict, s.final = m.strict, m.final
	for {
		rec, err := s.next()
		if err == io.EOF {
			return recs, pieces, s.partial, nil
		}
		if err != nil {
			return recs, pieces, false, err
		}
		pieces = append(pieces, append([]byte(nil), rec.raw...))
		if rec.blank {
			continue
		}
		var fields []string
		for _, sp := range fieldSpans(rec.raw, rec.body, comma, nil) {
			fields = append(fields, unquote(rec.raw[sp[0]:sp[1]]))
		}
		recs = append(recs, fields)
	}
}

// reference reads data with encoding/csv, as the splitter must (with
// lazy quotes where the splitter accepts a bare quote).
func reference(data []byte, comma byte, lazy bool) (recs [][]string, err error) {
	r := stdcsv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	r.Comma = rune(comma)
	r.LazyQuotes = lazy
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
}

func TestSplitter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
		err  error
		line int
	}{
		{"plain", "a,b\n1,2\n", [][]string{{"a", "b"}, {"1", "2"}}, nil, 0},
		{"no final line end", "a,b\n1,2", [][]string{{"a", "b"}, {"1", "2"}}, nil, 0},
		{"crlf", "a,b\r\n1,2\r\n", [][]string{{"a", "b"}, {"1", "2"}}, nil, 0},
		{"blank lines skipped", "\na,b\n\n\r\n1,2\n\n", [][]string{{"a", "b"}, {"1", "2"}}, nil, 0},
		{"quoted newline", "a,b\n\"x\ny\",2\n", [][]string{{"a", "b"}, {"x\ny", "2"}}, nil, 0},
		{"quoted crlf kept", "a,b\r\n\"x\r\ny\",2\r\n", [][]string{{"a", "b"}, {"x\r\ny", "2"}}, nil, 0},
		{"quoted cr kept", "a,b\n\"x\ry\",2\n", [][]string{{"a", "b"}, {"x\ry", "2"}}, nil, 0},
		{"escaped quotes", "a\n\"say \"\"hi\"\"\"\n", [][]string{{"a"}, {`say "hi"`}}, nil, 0},
		{"quoted delimiter", "a,b\n\"1,5\",2\n", [][]string{{"a", "b"}, {"1,5", "2"}}, nil, 0},
		{"byte order mark", "\xef\xbb\xbf\"id\",b\n1,2\n", [][]string{{"id", "b"}, {"1", "2"}}, nil, 0},
		{"empty fields", "a,b,c\n,,\n", [][]string{{"a", "b", "c"}, {"", "", ""}}, nil, 0},
		{"bare quote", "a,b,c\n1,2,3\n1,2,x\"y\n", [][]string{{"a", "b", "c"}, {"1", "2", "3"}}, ErrBareQuote, 3},
		{"junk after quote", "a,b\n\"x\"y,2\n", [][]string{{"a", "b"}}, ErrQuote, 2},
		{"unclosed quote", "a,b\n1,2\n3,\"four\n5,6\n", [][]string{{"a", "b"}, {"1", "2"}}, ErrUnclosed, 3},
		{"field count", "a,b\n1,2\n1,2,3\n", [][]string{{"a", "b"}, {"1", "2"}}, ErrFieldCount, 3},
		{"error line after a multi-line field", "a,b\n\"1\n2\n3\",x\n5,\"6\"7\n", [][]string{{"a", "b"}, {"1\n2\n3", "x"}}, ErrQuote, 5},
	}
	for _, tt := range tests {
		for _, size := range []int{1, 3, 64, defaultBufSize} {
			got, pieces, err := split([]byte(tt.in), ',', size, strictFinal)
			if !errors.Is(err, tt.err) {
				t.Fatalf("%s (buffer %d): error %v, want %v", tt.name, size, err, tt.err)
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("%s (buffer %d): records %q, want %q", tt.name, size, got, tt.want)
			}
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Line != tt.line {
					t.Errorf("%s (buffer %d): error %v, want it on line %d", tt.name, size, err, tt.line)
				}
				continue
			}
			if joined := bytes.Join(pieces, nil); string(joined) != tt.in {
				t.Errorf("%s (buffer %d): pieces join to %q, want the input", tt.name, size, joined)
			}
		}
	}
}

// TestLazyQuotes: by default a quote inside a field that does not start
// with one is a character of the field, as Python's csv reads it; with
// strict quotes it is refused, naming the line.
func TestLazyQuotes(t *testing.T) {
	in := "place,pipe,note\n12Â°34'56\"N,5\" pipe,\"ok \"\"quoted\"\"\"\nx\"\"y,\"\"\"\",z\n"
	want := [][]string{{"place", "pipe", "note"}, {"12Â°34'56\"N", `5" pipe`, `ok "quoted"`}, {`x""y`, `"`, "z"}}
	for _, size := range []int{1, 5, 1 << 10} {
		got, _, err := split([]byte(in), ',', size, mode{final: true})
		if err != nil || !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("buffer %d: %q, %v; want %q", size, got, err, want)
		}
	}
	_, _, err := split([]byte(in), ',', 1<<10, strictFinal)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 || se.Field != 1 || !errors.Is(err, ErrBareQuote) {
		t.Fatalf("strict: error %v, want a bare quote on line 2, field 1", err)
	}
	// What stays refused without strict quotes is still named by line.
	_, _, err = split([]byte("a,b\n1,2\n\"x\"y,2\n"), ',', 1<<10, mode{final: true})
	if !errors.As(err, &se) || se.Line != 3 || !errors.Is(err, ErrQuote) {
		t.Fatalf("junk after a closing quote: error %v, want ErrQuote on line 3", err)
	}
}

// TestHeldBack: unless final, a last record without a line end is left
// out (the file may still grow), whatever holds it open: a line being
// written, a quote not closed yet, a line end whose "\n" is to come.
func TestHeldBack(t *testing.T) {
	tests := []struct {
		name, in string
		keep     int // bytes of in the splitter hands out
	}{
		{"complete", "a,b\n1,2\n", 8},
		{"last line cut", "a,b\n1,2\n3,fo", 8},
		{"cut inside a quoted field", "a,b\n1,2\n3,\"two\nli", 8},
		{"cut after the closing quote", "a,b\n1,2\n3,\"x\"", 8},
		{"cut between cr and lf", "a,b\n1,2\n3,4\r", 8},
		{"header only, cut", "a,b", 0},
		{"blank line ends it", "a,b\n1,2\n\n", 9},
	}
	for _, tt := range tests {
		for _, size := range []int{1, 3, 1 << 10} {
			_, pieces, held, err := splitHeld([]byte(tt.in), ',', size, mode{})
			if err != nil {
				t.Fatalf("%s (buffer %d): %v", tt.name, size, err)
			}
			got := bytes.Join(pieces, nil)
			if string(got) != tt.in[:tt.keep] || held != (tt.keep < len(tt.in)) {
				t.Errorf("%s (buffer %d): handed out %q (held back: %t), want %q", tt.name, size, got, held, tt.in[:tt.keep])
			}
		}
	}
	// A quote still open at the end is an error only once the file is
	// complete.
	if _, _, err := split([]byte("a,b\n3,\"two\nli"), ',', 1<<10, mode{final: true}); !errors.Is(err, ErrUnclosed) {
		t.Errorf("final: error %v, want ErrUnclosed", err)
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, _, err := split([]byte("id,name,note\n1,a,ok\n2,b,bad \" quote\n"), ',', 1<<10, strictFinal)
	want := `csv: t.csv line 3: extraneous " in field 3`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
}

func TestLongRecord(t *testing.T) {
	s := newSplitter(strings.NewReader("a\n\""+strings.Repeat("x", 5000)), "t.csv", ',', 0, 1)
	s.bufSize, s.maxRecord = 64, 1024
	var err error
	for err == nil {
		_, err = s.next()
	}
	if !errors.Is(err, ErrLongRecord) {
		t.Fatalf("error %v, want ErrLongRecord", err)
	}
}

// FuzzSplitter checks the splitter against encoding/csv: with strict
// quotes the same records, an error where it errs, and pieces that join
// back into the input; with lazy quotes, no error where encoding/csv
// (strict) reads the input, and where it reads it, the records of
// encoding/csv's LazyQuotes. Not final, it hands out the same pieces but
// a last one without a line end. Fields are compared with "\r\n" made
// "\n", as encoding/csv reads them.
func FuzzSplitter(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a,b\r\n\"x\r\ny\",2\r\n", "\"a\"\"b\",c\n", "a\n\"b", "a\n\"b\"c\n",
		"a,b\n1,2,3\n", "\n\n\r\n", "\xef\xbb\xbfa,\"b\"\n", "a\r", "\"a\"\r", "a\rb\n", "\"\"\n",
		"x;\"y;z\"\n1;2\n",
	} {
		f.Add([]byte(s), byte(','))
		f.Add([]byte(s), byte(';'))
	}
	f.Fuzz(func(t *testing.T, data []byte, comma byte) {
		if comma == 0 || comma >= 0x80 || comma == '"' || comma == '\r' || comma == '\n' {
			comma = ','
		}
		want, wantErr := reference(data, comma, false)
		for _, size := range []int{1, 7, 4096} {
			got, pieces, err := split(data, comma, size, strictFinal)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("buffer %d: error %v, encoding/csv says %v", size, err, wantErr)
			}
			if got = crlf(got); !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("buffer %d: records %q, encoding/csv reads %q", size, got, want)
			}
			if err == nil && !bytes.Equal(bytes.Join(pieces, nil), data) {
				t.Fatalf("buffer %d: pieces do not join back into the input", size)
			}

			lazy, lazyPieces, lazyErr := split(data, comma, size, mode{final: true})
			if wantErr == nil && lazyErr != nil {
				t.Fatalf("buffer %d: lazy quotes refuse what encoding/csv reads: %v", size, lazyErr)
			}
			if lazyErr == nil {
				wantLazy, err := reference(data, comma, true)
				if err != nil {
					t.Fatalf("buffer %d: lazy quotes read what encoding/csv's LazyQuotes refuses: %v", size, err)
				}
				if lazy = crlf(lazy); !slices.EqualFunc(lazy, wantLazy, slices.Equal) {
					t.Fatalf("buffer %d: lazy records %q, encoding/csv's LazyQuotes reads %q", size, lazy, wantLazy)
				}
				if !bytes.Equal(bytes.Join(lazyPieces, nil), data) {
					t.Fatalf("buffer %d: lazy pieces do not join back into the input", size)
				}
				grown, grownPieces, held, err := splitHeld(data, comma, size, mode{})
				if err != nil {
					t.Fatalf("buffer %d: not final: %v", size, err)
				}
				n := len(lazyPieces)
				if held {
					n--
				}
				if !slices.EqualFunc(grownPieces, lazyPieces[:n], bytes.Equal) {
					t.Fatalf("buffer %d: not final, pieces %q, want %q", size, grownPieces, lazyPieces[:n])
				}
				if held && bytes.HasSuffix(lazyPieces[n], []byte{'\n'}) {
					t.Fatalf("buffer %d: not final, held back %q, which has its line end", size, lazyPieces[n])
				}
				if !held && n > 0 && !bytes.HasSuffix(lazyPieces[n-1], []byte{'\n'}) {
					t.Fatalf("buffer %d: not final, handed out %q, which has no line end", size, lazyPieces[n-1])
				}
				if k := len(lazy) - len(crlf(grown)); k != 0 && k != 1 {
					t.Fatalf("buffer %d: not final, %d records fewer", size, k)
				}
				if got := count(data, comma, size, true); got != len(lazy) {
					t.Fatalf("buffer %d: the counter counts %d records, the splitter cuts %d", size, got, len(lazy))
				}
				if got := count(data, comma, size, false); got != len(grown) {
					t.Fatalf("buffer %d: not final, the counter counts %d records, the splitter cuts %d", size, got, len(grown))
				}
			}
		}
	})
}

// count runs a counter over data fed in pieces of size bytes.
func count(data []byte, comma byte, size int, final bool) int {
	c := counter{comma: comma}
	data = bytes.TrimPrefix(data, bom)
	for len(data) > 0 {
		n := min(size, len(data))
		c.write(data[:n])
		data = data[n:]
	}
	return c.end(final)
}

// crlf makes "\r\n" "\n" in every field, as encoding/csv reads them.
func crlf(recs [][]string) [][]string {
	for _, r := range recs {
		for i, f := range r {
			r[i] = strings.ReplaceAll(f, "\r\n", "\n")
		}
	}
	return recs
}

// FuzzCountSplit holds the count in two halves to the count in one pass,
// whichever line end the second half starts after: inside a quoted field
// or outside, after a blank line, a lone "\r" or a byte order mark.
func FuzzCountSplit(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n3,4\n", "a\n\"b\nc\"\nd\n", "a\n\"b\nc\nd\"\n", "\xef\xbb\xbfa\nb\n", "a\n\n\r\nb\n", "\"a\"\"\nb\"\nc", "a\r\nb\r\n\"c\r\nd\"\r\n",
	} {
		f.Add([]byte(s), byte(','))
	}
	f.Fuzz(func(t *testing.T, data []byte, comma byte) {
		if comma == 0 || comma >= 0x80 || comma == '"' || comma == '\r' || comma == '\n' {
			comma = ','
		}
		r := bytes.NewReader(data)
		for _, final := range []bool{true, false} {
			want := count(data, comma, 4096, final)
			for i, b := range data {
				if b != '\n' {
					continue
				}
				got, err := countSplit(context.Background(), r, 0, int64(i+1), int64(len(data)), comma, final)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("final %v, second half from %d: %d records; one pass counts %d", final, i+1, got, want)
				}
			}
		}
	})
}
