package records

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// FuzzEncodeCSV holds Encode's CSV to encoding/csv's Writer: the header
// and every field, quoted or not, short rows included.
func FuzzEncodeCSV(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b`, `"`, "a,b", " lead", "\tx", "\u00a0nbsp", "\u2028x", `\.`, "cr\rlf\n", "\r\n", "é", "\xff"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, s string) {
		header := []string{"id", name, "n"}
		rows := [][]any{{s, nil, 12}, {"x", s}, {}}
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.Write(header)
		for _, r := range rows {
			rec := make([]string, len(header))
			for i := range rec {
				if i < len(r) {
					rec[i] = text(r[i])
				}
			}
			w.Write(rec)
		}
		w.Flush()
		got, err := Encode(CSV, header, rows)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Errorf("Encode = %q\ncsv    = %q", got, want.String())
		}
	})
}
