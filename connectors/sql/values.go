package sql

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/blockhub/blockhub/internal/records"
)

// kind is how a column's values are written.
type kind int

const (
	kindText     kind = iota // strings as they are (CHAR, TEXT, ENUM, JSON, ...)
	kindInt                  // integers: JSON numbers
	kindFloat                // FLOAT, DOUBLE: JSON numbers
	kindDecimal              // DECIMAL: exact strings
	kindBinary               // BINARY, BLOB, GEOMETRY: base64 strings
	kindBit                  // BIT(n): a number
	kindDateTime             // DATETIME, TIMESTAMP: RFC 3339 UTC
	kindDate                 // DATE: YYYY-MM-DD
)

// kindOf maps the driver's database type name to a kind.
func kindOf(dbType string) kind {
	switch strings.ToUpper(dbType) {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "YEAR":
		return kindInt
	case "FLOAT", "DOUBLE":
		return kindFloat
	case "DECIMAL":
		return kindDecimal
	case "BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "GEOMETRY", "VECTOR":
		return kindBinary
	case "BIT":
		return kindBit
	case "DATETIME", "TIMESTAMP":
		return kindDateTime
	case "DATE":
		return kindDate
	}
	return kindText
}

// value converts one column's raw text (nil for NULL) as the server sent
// it to the value written in the asset: nil, a string or a json.Number.
func value(k kind, raw []byte) any {
	if raw == nil {
		return nil
	}
	switch k {
	case kindInt:
		return json.Number(raw)
	case kindFloat:
		if records.IsNumber(raw) {
			return json.Number(raw)
		}
		return string(raw)
	case kindBinary:
		return base64.StdEncoding.EncodeToString(raw)
	case kindBit:
		return json.Number(strconv.FormatUint(bitValue(raw), 10))
	case kindDateTime:
		return rfc3339(raw)
	}
	return string(raw)
}

// bitValue is the value of a BIT(n) column, which the server sends as its
// bytes, most significant first.
func bitValue(raw []byte) uint64 {
	var n uint64
	for _, b := range raw {
		n = n<<8 | uint64(b)
	}
	return n
}

// rfc3339 rewrites the server's "YYYY-MM-DD HH:MM:SS[.ffffff]" (already in
// UTC: the session's time_zone is +00:00; DATETIME has no zone and is
// taken as UTC) as RFC 3339, keeping the fraction's digits exactly. Zero
// dates, which RFC 3339 cannot write, stay as the server sent them.
func rfc3339(raw []byte) string {
	if !isDateTime(raw) {
		return string(raw)
	}
	return string(appendRFC3339(nil, raw))
}

// appendRFC3339 appends rfc3339 of raw, which isDateTime: digits, '-',
// ':', '.', 'T' and 'Z', which neither JSON nor CSV escapes or quotes.
func appendRFC3339(dst, raw []byte) []byte {
	dst = append(dst, raw[:10]...)
	dst = append(dst, 'T')
	dst = append(dst, raw[11:]...)
	return append(dst, 'Z')
}

// isDateTime reports whether raw is "YYYY-MM-DD HH:MM:SS[.f]" with a year,
// month and day that RFC 3339 can write, and nothing a JSON string would
// escape.
func isDateTime(raw []byte) bool {
	if len(raw) < 19 || raw[10] != ' ' || raw[4] != '-' || raw[7] != '-' {
		return false
	}
	for i, b := range raw {
		if i != 10 && (b < '-' || b > ':') { // digits, '-', '.', '/' and ':'
			return false
		}
	}
	return string(raw[:4]) != "0000" && string(raw[5:7]) != "00" && string(raw[8:10]) != "00"
}

// arg turns a value as written in an asset (by value, or read back from a
// chunk's meta) into a query argument that the server compares the way it
// orders the column: integers as integers (not as doubles, which lose
// precision past 2^53), binary as bytes, times in the server's text, and
// everything else as a string in the column's collation. Decimal keys are
// wrapped in CAST by placeholder.
func arg(k kind, v any) (any, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case float64: // meta decoded without UseNumber
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, fmt.Errorf("cursor value %v (%T): want a string or a number", v, v)
	}
	switch k {
	case kindInt:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			return n, nil
		}
		return nil, fmt.Errorf("cursor value %q: want an integer", s)
	case kindFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("cursor value %q: want a number", s)
		}
		return f, nil
	case kindBit:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("cursor value %q: want an integer", s)
		}
		return n, nil
	case kindBinary:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("cursor value %q: want base64", s)
		}
		return b, nil
	case kindDateTime:
		if t, ok := strings.CutSuffix(s, "Z"); ok && len(t) >= 19 && t[10] == 'T' {
			return t[:10] + " " + t[11:], nil
		}
	}
	return s, nil
}

// placeholder is the SQL that stands for a key column's argument.
func placeholder(k kind) string {
	if k == kindDecimal {
		return "CAST(? AS DECIMAL(65,30))"
	}
	return "?"
}
