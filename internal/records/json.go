package records

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// encodeJSON writes rows as JSON lines: encoding/json's bytes for each key
// and value (FuzzEncodeJSON holds it to json.Marshal), without its
// reflection for the strings, numbers, booleans and nulls connectors
// hand in; other values go through json.Marshal.
func encodeJSON(header []string, rows [][]any) ([]byte, error) {
	keys := make([][]byte, len(header))
	perRow := 3
	for i, h := range header {
		keys[i] = append(AppendJSONString(nil, h), ':')
		perRow += len(keys[i]) + 8
	}
	b := make([]byte, 0, len(rows)*perRow)
	for _, r := range rows {
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, k...)
			var v any
			if i < len(r) {
				v = r[i]
			}
			var err error
			if b, err = appendJSONValue(b, v); err != nil {
				return nil, fmt.Errorf("records: field %s: %w", header[i], err)
			}
		}
		b = append(b, '}', '\n')
	}
	return b, nil
}

// appendJSONValue appends v as json.Marshal writes it.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return AppendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case json.Number:
		if IsNumber(x) { // else json.Marshal's own answer ("" is 0, the rest an error)
			return append(b, x...), nil
		}
	}
	vb, err := json.Marshal(v)
	return append(b, vb...), err
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s quoted as encoding/json does with HTML
// escaping: <, >, & and control bytes as \u00XX, invalid UTF-8 as \ufffd,
// U+2028 and U+2029 escaped.
func AppendJSONString[S []byte | string](dst []byte, s S) []byte {
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

// IsNumber reports whether s is a number in JSON's grammar, as it is
// (no spaces around it).
func IsNumber[S []byte | string | json.Number](s S) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits(s, i) == i:
		return false
	default:
		i = digits(s, i)
	}
	if i < len(s) && s[i] == '.' {
		if j := digits(s, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if j := digits(s, i); j > i {
			i = j
		} else {
			return false
		}
	}
	return i == len(s)
}

// digits returns the index of the first byte at or after i in s that is
// not a digit.
func digits[S []byte | string | json.Number](s S, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
