package sql

import (
	dbsql "database/sql"
	"encoding/json"
	"testing"

	"github.com/blockhub/blockhub/internal/records"
)

// FuzzJSONLines holds the JSON lines written straight from the server's
// text to records.Encode of the values value returns: for every kind, and
// with a column name that needs escapes.
func FuzzJSONLines(f *testing.F) {
	addLineSeeds(f, "12", "-1.5e10", "inf", "2026-01-02 03:04:05.123", "0000-00-00 00:00:00", "2026-01-02 03:04:05\"", "\x00\xff", "<é>", `q"b\s`, "\u2028", "a\xc3")
	f.Fuzz(func(t *testing.T, k uint8, raw []byte, null bool, name string) {
		checkLines(t, records.JSON, newJSONLines, k, raw, null, name)
	})
}

// FuzzCSVLines holds the CSV written straight from the server's text to
// records.Encode of the values value returns, for every kind.
func FuzzCSVLines(f *testing.F) {
	addLineSeeds(f, "", "plain", `q"b`, "a,b", " lead", "\tx", "\u00a0nbsp", `\.`, "cr\rlf\n", "2026-01-02 03:04:05.123", "0000-00-00 00:00:00", "\x00\xff", "é")
	f.Fuzz(func(t *testing.T, k uint8, raw []byte, null bool, name string) {
		checkLines(t, records.CSV, newCSVLines, k, raw, null, name)
	})
}

// addLineSeeds seeds a lines fuzz test with each value as every kind (and
// as the column's name), and a NULL.
func addLineSeeds(f *testing.F, values ...string) {
	for _, s := range values {
		for k := kindText; k <= kindDate; k++ {
			f.Add(uint8(k), []byte(s), false, s)
		}
	}
	f.Add(uint8(kindInt), []byte(nil), true, "id")
}

// checkLines writes two rows with the encoder newEnc makes (a value of
// the fuzzed kind beside a number, then NULL beside it) and compares them
// with records.Encode of the values value returns, in format.
func checkLines[E lineEncoder](t *testing.T, format string, newEnc func([]string) E, k uint8, raw []byte, null bool, name string) {
	kd, raw := fuzzValue(t, k, raw, null)
	header := []string{name, "n"}
	want, err := records.Encode(format, header, [][]any{{value(kd, raw), json.Number("1")}, {nil, value(kd, raw)}})
	if err != nil {
		t.Fatal(err)
	}
	enc := newEnc(header)
	cols := []column{{name: name, kind: kd}, {name: "n", kind: kd}}
	got := enc.begin(nil)
	got = enc.appendRow(got, []column{cols[0], {name: "n", kind: kindInt}}, []dbsql.RawBytes{raw, []byte("1")})
	got = enc.appendRow(got, cols, []dbsql.RawBytes{nil, raw})
	if string(got) != string(want) {
		t.Errorf("%s, kind %d %q: straight from the text %q\nrecords %q", format, kd, raw, got, want)
	}
}

// fuzzValue makes a fuzzed kind and value one the server could send: NULL
// (nil) or text (never nil), integers only as digits.
func fuzzValue(t *testing.T, k uint8, raw []byte, null bool) (kind, []byte) {
	kd := kind(k % uint8(kindDate+1))
	if null {
		raw = nil
	} else if raw == nil {
		raw = []byte{}
	}
	if kd == kindInt && raw != nil && !records.IsNumber(raw) {
		t.Skip() // the server sends integers only as digits
	}
	return kd, raw
}
