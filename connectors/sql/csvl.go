package sql

import (
	dbsql "database/sql"
	"encoding/base64"
	"strconv"

	"github.com/blockhub/blockhub/internal/records"
)

// csvLines writes rows as CSV straight from the server's text, byte for
// byte what records.Encode(records.CSV, ...) writes of the values value
// returns (FuzzCSVLines holds it to that), without making them.
type csvLines struct {
	header []byte // the header line
}

func newCSVLines(header []string) *csvLines {
	c := &csvLines{}
	for i, h := range header {
		if i > 0 {
			c.header = append(c.header, ',')
		}
		c.header = records.AppendCSVField(c.header, h)
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
		if isDateTime(raw) {
			return appendRFC3339(dst, raw)
		}
	}
	return records.AppendCSVField(dst, raw)
}
