package sql

import (
	"bytes"
	dbsql "database/sql"
	"encoding/base64"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// csvLines writes rows as CSV, byte for byte what
// records.Encode(records.CSV, ...) writes (encoding/csv's Writer: comma
// ',', "\n" line ends; FuzzCSVLines holds it to that), straight from the
// server's text, without a string per value.
type csvLines struct {
	header []byte // the header line
}

func newCSVLines(header []string) *csvLines {
	c := &csvLines{}
	for i, h := range header {
		if i > 0 {
			c.header = append(c.header, ',')
		}
		c.header = appendCSVField(c.header, []byte(h))
	}
	c.header = append(c.header, '\n')
	return c
}

// begin starts a page with the header line.
func (c *csvLines) begin(dst []byte) []byte { return append(dst, c.header...) }

// appendRow appends one row: the fields of what value returns for each
// column, as text (NULL an empty field, as records.Encode writes it).
func (c *csvLines) appendRow(dst []byte, cols []column, raw []dbsql.RawBytes) []byte {
	for i, col := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVValue(dst, col.kind, raw[i])
	}
	return append(dst, '\n')
}

// appendCSVValue appends the CSV field of value(k, raw).
func appendCSVValue(dst []byte, k kind, raw []byte) []byte {
	if raw == nil {
		return dst
	}
	switch k {
	case kindBinary: // base64: nothing to quote
		return base64.StdEncoding.AppendEncode(dst, raw)
	case kindBit:
		return strconv.AppendUint(dst, bitValue(raw), 10)
	case kindDateTime:
		if isDateTime(raw) { // digits, '-', ':' and '.': nothing to quote
			dst = append(dst, raw[:10]...)
			dst = append(dst, 'T')
			dst = append(dst, raw[11:]...)
			return append(dst, 'Z')
		}
	}
	return appendCSVField(dst, raw)
}

// appendCSVField appends f as encoding/csv's Writer writes a field:
// quoted, its quotes doubled, when it holds a comma, a quote or a line
// break, starts with a space, or is `\.`.
func appendCSVField(dst, f []byte) []byte {
	if !csvNeedsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for {
		i := bytes.IndexByte(f, '"')
		if i < 0 {
			break
		}
		dst = append(dst, f[:i+1]...)
		dst = append(dst, '"')
		f = f[i+1:]
	}
	dst = append(dst, f...)
	return append(dst, '"')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for the comma ','.
func csvNeedsQuotes(f []byte) bool {
	if len(f) == 0 {
		return false
	}
	if string(f) == `\.` {
		return true
	}
	for _, c := range f {
		if c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	r, _ := utf8.DecodeRune(f)
	return unicode.IsSpace(r)
}
