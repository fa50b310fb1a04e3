package records

import (
	"unicode"
	"unicode/utf8"
)

// encodeCSV writes a header line and rows as encoding/csv's Writer does
// (comma ',', "\n" line ends; FuzzEncodeCSV holds it to the Writer),
// without a []string per row.
func encodeCSV(header []string, rows [][]any) []byte {
	b := make([]byte, 0, 64*(len(rows)+1))
	for i, h := range header {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendCSVField(b, h)
	}
	b = append(b, '\n')
	for _, r := range rows {
		for i := range header {
			if i > 0 {
				b = append(b, ',')
			}
			if i < len(r) {
				b = AppendCSVField(b, text(r[i]))
			}
		}
		b = append(b, '\n')
	}
	return b
}

// AppendCSVField appends f as encoding/csv's Writer writes a field with
// the comma ',': quoted, its quotes doubled, when it holds a comma, a
// quote or a line break, starts with a space, or is `\.`.
func AppendCSVField[S []byte | string](dst []byte, f S) []byte {
	if !csvNeedsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			dst = append(dst, f[start:i+1]...)
			dst = append(dst, '"')
			start = i + 1
		}
	}
	dst = append(dst, f[start:]...)
	return append(dst, '"')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for the comma ','.
func csvNeedsQuotes[S []byte | string](f S) bool {
	if len(f) == 0 {
		return false
	}
	if string(f) == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		if c := f[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	// A short conversion, kept on the stack, as in AppendJSONString.
	r, _ := utf8.DecodeRuneInString(string(f[:min(len(f), utf8.UTFMax)]))
	return unicode.IsSpace(r)
}
