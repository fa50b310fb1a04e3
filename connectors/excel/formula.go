package excel

import (
	"strconv"
	"strings"
)

// shiftFormula returns a shared formula as it reads in a cell dc columns
// and dr rows away from the cell it was written for: relative references
// move, $-anchored parts stay. Text in strings, quoted sheet names and
// structured references is left alone, as are function names (LOG10( is
// a function, not the cell LOG10) and whole-column or whole-row ranges.
func shiftFormula(f string, dc, dr int) string {
	if dc == 0 && dr == 0 {
		return f
	}
	var b strings.Builder
	b.Grow(len(f) + 8)
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == '"' || c == '\'':
			j := skipQuoted(f, i)
			b.WriteString(f[i:j])
			i = j
		case c == '[':
			j := strings.IndexByte(f[i:], ']')
			if j < 0 {
				j = len(f) - i - 1
			}
			b.WriteString(f[i : i+j+1])
			i += j + 1
		case isRefChar(c):
			j := i
			for j < len(f) && isRefChar(f[j]) {
				j++
			}
			word := f[i:j]
			next := byte(0)
			if j < len(f) {
				next = f[j]
			}
			if next != '(' && next != '!' {
				if shifted, ok := shiftRef(word, dc, dr); ok {
					word = shifted
				}
			}
			b.WriteString(word)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// skipQuoted returns the index after the quoted text starting at i; a
// doubled quote inside is an escaped one.
func skipQuoted(f string, i int) int {
	q := f[i]
	for j := i + 1; j < len(f); j++ {
		if f[j] == q {
			if j+1 < len(f) && f[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(f)
}

func isRefChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '$' || c == '_' || c == '.'
}

// shiftRef shifts a cell reference such as B7, $B7, B$7 or $B$7.
func shiftRef(w string, dc, dr int) (string, bool) {
	i := 0
	absCol := i < len(w) && w[i] == '$'
	if absCol {
		i++
	}
	c0 := i
	for i < len(w) && (w[i] >= 'A' && w[i] <= 'Z' || w[i] >= 'a' && w[i] <= 'z') {
		i++
	}
	letters := w[c0:i]
	if len(letters) == 0 || len(letters) > 3 {
		return "", false
	}
	absRow := i < len(w) && w[i] == '$'
	if absRow {
		i++
	}
	if i == len(w) || w[i] == '0' {
		return "", false
	}
	row, err := strconv.Atoi(w[i:])
	if err != nil || row > maxRows {
		return "", false
	}
	col, err := columnOf([]byte(strings.ToUpper(letters) + "1"))
	if err != nil {
		return "", false
	}
	if !absCol {
		col += dc
	}
	if !absRow {
		row += dr
	}
	if col < 0 || col >= maxColumns || row < 1 || row > maxRows {
		return "#REF!", true
	}
	var b strings.Builder
	if absCol {
		b.WriteByte('$')
	}
	b.WriteString(columnName(col))
	if absRow {
		b.WriteByte('$')
	}
	b.WriteString(strconv.Itoa(row))
	return b.String(), true
}
