package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// split runs a splitter over data with a small buffer (to cross buffer
// ends often) and returns the decoded records, the raw pieces (records
// and blank lines) and the first error.
func split(data []byte, comma byte, bufSize int) (recs [][]string, pieces [][]byte, err error) {
	s := newSplitter(bytes.NewReader(data), "t.csv", comma, 0, 1)
	s.bufSize = bufSize
	for {
		rec, err := s.next()
		if err == io.EOF {
			return recs, pieces, nil
		}
		if err != nil {
			return recs, pieces, err
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

// reference reads data with encoding/csv, as the splitter must.
func reference(data []byte, comma byte) (recs [][]string, err error) {
	r := stdcsv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	r.Comma = rune(comma)
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
		{"quoted crlf made lf", "a,b\r\n\"x\r\ny\",2\r\n", [][]string{{"a", "b"}, {"x\ny", "2"}}, nil, 0},
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
			got, pieces, err := split([]byte(tt.in), ',', size)
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

func TestSyntaxErrorMessage(t *testing.T) {
	_, _, err := split([]byte("id,name,note\n1,a,ok\n2,b,bad \" quote\n"), ',', 1<<10)
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

// FuzzSplitter checks the splitter against encoding/csv: the same
// records, an error where it errs, and pieces that join back into the
// input.
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
		want, wantErr := reference(data, comma)
		for _, size := range []int{1, 7, 4096} {
			got, pieces, err := split(data, comma, size)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("buffer %d: error %v, encoding/csv says %v", size, err, wantErr)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("buffer %d: records %q, encoding/csv reads %q", size, got, want)
			}
			if err == nil && !bytes.Equal(bytes.Join(pieces, nil), data) {
				t.Fatalf("buffer %d: pieces do not join back into the input", size)
			}
		}
	})
}
