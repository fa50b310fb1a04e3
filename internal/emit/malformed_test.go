package emit_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blockhub/blockhub/internal/emit"
)

func TestMalformedCSV(t *testing.T) {
	var buf bytes.Buffer
	o := emit.Options{Kind: emit.Orders, Seed: 1, Rows: 60}
	if err := emit.MalformedCSV(&buf, o, emit.Flaws(), 10); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 61 {
		t.Fatalf("%d lines, want a header and 60 rows", len(lines))
	}
	fields := strings.Count(lines[0], ",") + 1
	// Rows 10, 20, ... are broken in turn: bad quotes, ragged, binary.
	checks := map[int]func(string) bool{
		10: func(l string) bool { return strings.HasSuffix(l, `,5" pipe`) },
		20: func(l string) bool { return strings.Count(l, ",") == fields-2 },
		30: func(l string) bool { return strings.Contains(l, "\x00") && !utf8.ValidString(l) },
		40: func(l string) bool { return strings.HasSuffix(l, `,"12°34'56"N`) },
		50: func(l string) bool { return strings.HasSuffix(l, ",extra") },
	}
	for row, ok := range checks {
		if !ok(lines[row]) {
			t.Errorf("row %d = %q: not broken as it should be", row, lines[row])
		}
	}
	// The other rows are good CSV: a strict reader fails first on row 10.
	r := csv.NewReader(strings.NewReader(buf.String()))
	var perr *csv.ParseError
	for {
		_, err := r.Read()
		if err == nil {
			continue
		}
		if !errors.As(err, &perr) || perr.StartLine != 11 {
			t.Fatalf("strict csv error %v; want one at line 11 (row 10)", err)
		}
		break
	}
	// Same options, same bytes.
	var again bytes.Buffer
	emit.MalformedCSV(&again, o, emit.Flaws(), 10)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatal("two runs gave different bytes")
	}
}

func TestParseFlaws(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		err  bool
	}{
		{"all", 3, false},
		{"ragged", 1, false},
		{"bad-quotes,binary", 2, false},
		{"quotes", 0, true},
		{"", 0, true},
	} {
		got, err := emit.ParseFlaws(tt.in)
		if (err != nil) != tt.err || len(got) != tt.want {
			t.Errorf("ParseFlaws(%q) = %v, %v", tt.in, got, err)
		}
	}
}
