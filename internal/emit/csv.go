package emit

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// CSV writes a header and the rows o asks for as CSV (RFC 4180 quoting, "\n"
// line ends), as encoding/csv reads it back.
func CSV(w io.Writer, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	if err := writeLines(w, o, csvFormat{o.Kind}); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

type csvFormat struct{ kind Kind }

func (f csvFormat) appendHeader(b []byte) []byte {
	for i, c := range f.kind.Columns() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c...)
	}
	return append(b, '\n')
}

func (csvFormat) appendRow(b []byte, r *row) []byte {
	for i := range r.vals {
		if i > 0 {
			b = append(b, ',')
		}
		// The common cases spelled out: this loop is the --bytes hot path.
		switch v := &r.vals[i]; {
		case v.kind == textValue:
			b = appendCSVField(b, r.buf[v.lo:v.hi])
		case v.kind == intValue:
			b = strconv.AppendInt(b, v.n, 10)
		case v.kind == timeValue && v.style == styleRFC3339:
			b = r.appendRFC3339(b, v.n)
		default:
			b = r.appendPlain(b, *v)
		}
	}
	return append(b, '\n')
}

// appendCSVField appends s, in double quotes when it holds a comma, a quote
// or a line break, with its quotes doubled.
func appendCSVField(b, s []byte) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := bytes.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// quoted marks the bytes that make a CSV field need quotes.
var quoted = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// needsQuotes is bytes.IndexAny(s, ",\"\r\n") >= 0, made cheaper for the
// short fields rows have.
func needsQuotes(s []byte) bool {
	for _, c := range s {
		if quoted[c] {
			return true
		}
	}
	return false
}
