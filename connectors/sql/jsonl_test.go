package sql

import (
	dbsql "database/sql"
	"encoding/json"
	"testing"

	"github.com/blockhub/blockhub/internal/records"
)

// FuzzJSONLines holds the fast encoder to records.Encode's bytes.
func FuzzJSONLines(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "<a&b>", "\x00\x1f\b\f\n\r\t", "é€😀", "\xff\xfe", "\u2028\u2029", "a\xc3"} {
		f.Add(s, "12.5")
	}
	f.Fuzz(func(t *testing.T, s, n string) {
		header := []string{"id", s, "n"}
		var num any = json.Number("1")
		if isJSONNumber([]byte(n)) {
			num = json.Number(n)
		}
		rows := [][]any{{num, s, nil}, {json.Number("-3"), nil, s}}
		want, err := records.Encode(records.JSON, header, rows)
		if err != nil {
			t.Skip()
		}
		if got := newJSONLines(header).encode(nil, rows); string(got) != string(want) {
			t.Errorf("jsonLines = %q\nrecords   = %q", got, want)
		}
	})
}

// FuzzAppendValue holds the straight-from-the-server path to value and
// encode, for every kind.
func FuzzAppendValue(f *testing.F) {
	for _, s := range []string{"12", "-1.5e10", "inf", "2026-01-02 03:04:05.123", "0000-00-00 00:00:00", "2026-01-02 03:04:05\"", "\x00\xff", "<é>"} {
		for k := kindText; k <= kindDate; k++ {
			f.Add(uint8(k), []byte(s), false)
		}
	}
	f.Add(uint8(kindInt), []byte(nil), true)
	f.Fuzz(func(t *testing.T, k uint8, raw []byte, null bool) {
		kd, raw := fuzzValue(t, k, raw, null)
		want := newJSONLines([]string{"v"}).encode(nil, [][]any{{value(kd, raw)}})
		got := newJSONLines([]string{"v"}).appendRow(nil, []column{{name: "v", kind: kd}}, []dbsql.RawBytes{raw})
		if string(got) != string(want) {
			t.Errorf("kind %d %q: appendRow %s; encode(value) %s", kd, raw, got, want)
		}
	})
}

// FuzzCSVLines holds the CSV encoder, straight from the server's text,
// to records.Encode of the values value returns, for every kind.
func FuzzCSVLines(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b`, "a,b", " lead", "\tx", "\u00a0nbsp", `\.`, "cr\rlf\n", "2026-01-02 03:04:05.123", "0000-00-00 00:00:00", "\x00\xff", "é"} {
		for k := kindText; k <= kindDate; k++ {
			f.Add(uint8(k), []byte(s), false, s)
		}
	}
	f.Add(uint8(kindInt), []byte(nil), true, "id")
	f.Fuzz(func(t *testing.T, k uint8, raw []byte, null bool, name string) {
		kd, raw := fuzzValue(t, k, raw, null)
		header := []string{name, "n"}
		want, err := records.Encode(records.CSV, header, [][]any{{value(kd, raw), json.Number("1")}, {nil, value(kd, raw)}})
		if err != nil {
			t.Skip()
		}
		c := newCSVLines(header)
		cols := []column{{name: name, kind: kd}, {name: "n", kind: kd}}
		got := c.begin(nil)
		got = c.appendRow(got, []column{cols[0], {name: "n", kind: kindInt}}, []dbsql.RawBytes{raw, []byte("1")})
		got = c.appendRow(got, cols, []dbsql.RawBytes{nil, raw})
		if string(got) != string(want) {
			t.Errorf("kind %d %q: csvLines %q\nrecords %q", kd, raw, got, want)
		}
	})
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
	if kd == kindInt && raw != nil && !isJSONNumber(raw) {
		t.Skip() // the server sends integers only as digits
	}
	return kd, raw
}
