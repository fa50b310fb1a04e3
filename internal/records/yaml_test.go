package records

import (
	"encoding/json"
	"testing"
)

// FuzzEncodeYAML holds Encode's YAML, written row by row, to go-yaml's
// document of all the rows: for strings, numbers, booleans and nulls in
// every mix, keys included, and rows that go to go-yaml beside rows that
// do not.
func FuzzEncodeYAML(f *testing.F) {
	for _, s := range []string{
		"", "plain", "Office chair", "a b", "n", "y", "null", "NaN", "Inf", "nan", "True", "12", "229.08", "1e3", "0x10", "2026-01-01",
		"2026-01-01T00:01:05Z", "x: y", "- a", "#h", " lead", "trail ", "a\tb", "multi\nline", "é", `q"b`, "<a&b>", "a/b", "a.b", "a_b", "a-b",
		"Mon Jan 2", "on", "Off", "~", "=", "!tag", "&a", "*a", "%d", "@x", "`x`", "a  b", "a:b", "a #b", "?", "|", ">", "'s'",
	} {
		f.Add(s, "k", s, true)
		f.Add("id", s, "12.5", false)
	}
	f.Fuzz(func(t *testing.T, s, key, num string, ok bool) {
		header := []string{"id", key, "n", "s"}
		rows := [][]any{
			{json.Number("1"), s, nil, ok},
			{json.Number(num), nil, s, "plain words"},
			{s},
			{json.Number("7"), "x", json.Number("-2.5e3"), s},
		}
		want, wantErr := marshalYAML(header, rows)
		got, err := Encode(YAML, header, rows)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("error %v; go-yaml says %v", err, wantErr)
		}
		if err == nil && string(got) != string(want) {
			t.Errorf("Encode =\n%s\ngo-yaml =\n%s", got, want)
		}
	})
}
