package emit

import (
	"fmt"
	"io"
	"strings"
)

// Flaw is one way MalformedCSV breaks a row, as real exports do.
type Flaw string

const (
	// BadQuotes puts a bare double quote inside an unquoted field (5" pipe,
	// 12°34'56"N) and text after a closing quote ("a"b).
	BadQuotes Flaw = "bad-quotes"
	// Ragged drops the row's last field, or adds one.
	Ragged Flaw = "ragged"
	// Binary puts NUL bytes and bytes that are not UTF-8 into a field.
	Binary Flaw = "binary"
)

// Flaws lists every Flaw, in the order MalformedCSV takes them.
func Flaws() []Flaw { return []Flaw{BadQuotes, Ragged, Binary} }

// ParseFlaws reads a comma list of flaws; "all" is every one.
func ParseFlaws(s string) ([]Flaw, error) {
	if s == "all" {
		return Flaws(), nil
	}
	var out []Flaw
	for _, name := range strings.Split(s, ",") {
		f := Flaw(strings.TrimSpace(name))
		switch f {
		case BadQuotes, Ragged, Binary:
			out = append(out, f)
		default:
			return nil, fmt.Errorf("flaw %q: want %s, %s, %s or all", name, BadQuotes, Ragged, Binary)
		}
	}
	return out, nil
}

// MalformedCSV writes what CSV writes, except that every row whose number
// (1-based) is a multiple of every is broken by one of flaws, taken in
// turn: a file for testing how connectors report bad input. The same
// options give the same bytes.
func MalformedCSV(w io.Writer, o Options, flaws []Flaw, every int) error {
	o, err := o.withDefaults()
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	if len(flaws) == 0 || every <= 0 {
		return fmt.Errorf("csv: malformed: want at least one flaw and every > 0 (got %d flaws, every %d)", len(flaws), every)
	}
	if err := writeLines(w, o, &flawedCSV{csvFormat: csvFormat{o.Kind}, flaws: flaws, every: int64(every)}); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

type flawedCSV struct {
	csvFormat
	flaws []Flaw
	every int64
	n     int64 // rows written
	done  int   // flawed rows written
}

func (f *flawedCSV) appendRow(b []byte, r *row) []byte {
	f.n++
	start := len(b)
	b = f.csvFormat.appendRow(b, r)
	if f.n%f.every != 0 {
		return b
	}
	line := append([]byte(nil), b[start:len(b)-1]...) // without its \n
	last := lastFieldStart(line)
	flaw := f.flaws[f.done%len(f.flaws)]
	variant := f.done / len(f.flaws) % 2
	f.done++
	var bad []byte
	switch flaw {
	case BadQuotes:
		if variant == 0 {
			bad = append(line[:last:last], `5" pipe`...)
		} else {
			bad = append(line[:last:last], `"12°34'56"N`...)
		}
	case Ragged:
		if variant == 0 && last > 0 {
			bad = line[:last-1] // one field short
		} else {
			bad = append(line, ",extra"...)
		}
	case Binary:
		bad = append(line[:last:last], "bin\x00\xff\xfe\x01ary"...)
	}
	b = append(b[:start], bad...)
	return append(b, '\n')
}

// lastFieldStart returns where the last field of a CSV line starts,
// skipping commas inside quotes.
func lastFieldStart(line []byte) int {
	in, at := false, 0
	for i, c := range line {
		switch {
		case c == '"':
			in = !in
		case c == ',' && !in:
			at = i + 1
		}
	}
	return at
}
