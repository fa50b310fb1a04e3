package sql

import (
	dbsql "database/sql"
	"encoding/base64"
	"strconv"

	"github.com/blockhub/blockhub/internal/records"
)

// jsonLines writes rows as JSON lines straight from the server's text,
// byte for byte what records.Encode(records.JSON, ...) writes of the
// values value returns (FuzzJSONLines holds it to that), without making
// them: this is the connector's hot path.
type jsonLines struct {
	keys [][]byte // `"name":` of each column, already escaped
}

func newJSONLines(header []string) *jsonLines {
	j := &jsonLines{keys: make([][]byte, len(header))}
	for i, h := range header {
		j.keys[i] = append(records.AppendJSONString(nil, h), ':')
	}
	return j
}

// begin starts a page: JSON lines have no header.
func (j *jsonLines) begin(dst []byte) []byte { return dst }

// appendRow appends one row straight from the server's text (nil for
// NULL): the same bytes as encode of the values value returns, without
// making them.
func (j *jsonLines) appendRow(dst []byte, cols []column, raw []dbsql.RawBytes) []byte {
	dst = append(dst, '{')
	for i, k := range j.keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, k...)
		dst = appendValue(dst, cols[i].kind, raw[i])
	}
	return append(dst, '}', '\n')
}

// appendValue appends the JSON of value(k, raw).
func appendValue(dst []byte, k kind, raw []byte) []byte {
	if raw == nil {
		return append(dst, "null"...)
	}
	switch k {
	case kindInt:
		return append(dst, raw...)
	case kindFloat:
		if records.IsNumber(raw) {
			return append(dst, raw...)
		}
	case kindBinary:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, raw)
		return append(dst, '"')
	case kindBit:
		return strconv.AppendUint(dst, bitValue(raw), 10)
	case kindDateTime:
		if isDateTime(raw) {
			dst = appendRFC3339(append(dst, '"'), raw)
			return append(dst, '"')
		}
	}
	return records.AppendJSONString(dst, raw)
}
