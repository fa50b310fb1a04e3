package sql

import (
	dbsql "database/sql"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// jsonLines writes rows as JSON lines, byte for byte what
// records.Encode(records.JSON, ...) writes (FuzzJSONLines holds it to
// that), without its per-value reflection: this is the connector's hot
// path. Values are nil, strings or json.Numbers (what value returns).
type jsonLines struct {
	keys [][]byte // `"name":` of each column, already escaped
}

func newJSONLines(header []string) *jsonLines {
	j := &jsonLines{keys: make([][]byte, len(header))}
	for i, h := range header {
		j.keys[i] = append(appendJSONString(nil, h), ':')
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
		if isJSONNumber(raw) {
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
			// digits, '-', ':' and '.': nothing to escape
			dst = append(dst, '"')
			dst = append(dst, raw[:10]...)
			dst = append(dst, 'T')
			dst = append(dst, raw[11:]...)
			return append(dst, 'Z', '"')
		}
	}
	return appendJSONString(dst, raw)
}

func (j *jsonLines) encode(dst []byte, rows [][]any) []byte {
	for _, r := range rows {
		dst = append(dst, '{')
		for i, k := range j.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, k...)
			var v any
			if i < len(r) {
				v = r[i]
			}
			switch x := v.(type) {
			case nil:
				dst = append(dst, "null"...)
			case string:
				dst = appendJSONString(dst, x)
			case json.Number:
				dst = append(dst, x...)
			default:
				b, _ := json.Marshal(x)
				dst = append(dst, b...)
			}
		}
		dst = append(dst, '}', '\n')
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json does with HTML
// escaping: <, >, & and control bytes as \u00XX, invalid UTF-8 as \ufffd,
// U+2028 and U+2029 escaped.
func appendJSONString[S []byte | string](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		// A short conversion, kept on the stack, as encoding/json does.
		c, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
