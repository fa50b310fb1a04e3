package records

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// marshalJSON is JSON lines as json.Marshal writes every key and value:
// what encodeJSON must write.
func marshalJSON(header []string, rows [][]any) ([]byte, error) {
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteByte('{')
		for i, h := range header {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(h)
			b.Write(k)
			b.WriteByte(':')
			var v any
			if i < len(r) {
				v = r[i]
			}
			vb, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			b.Write(vb)
		}
		b.WriteString("}\n")
	}
	return b.Bytes(), nil
}

// FuzzEncodeJSON holds Encode's JSON lines to json.Marshal's bytes for
// keys and values of every type connectors hand in, and to its errors.
func FuzzEncodeJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "<a&b>", "\x00\x1f\b\f\n\r\t", "é€😀", "\xff\xfe", "\u2028\u2029", "a\xc3", "12.5", "-0", "1e9", "01", `{"a": [1, 2]}`} {
		f.Add(s, int64(7), true)
	}
	f.Fuzz(func(t *testing.T, s string, n int64, ok bool) {
		header := []string{"id", s, "n", "x"}
		rows := [][]any{
			{json.Number(s), s, nil, ok},
			{n, float64(n) / 3, json.RawMessage(s), []string{s}},
			{s}, // short: the rest are null
		}
		want, wantErr := marshalJSON(header, rows)
		got, err := Encode(JSON, header, rows)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("error %v; json.Marshal says %v", err, wantErr)
		}
		if err == nil && string(got) != string(want) {
			t.Errorf("Encode = %q\njson    = %q", got, want)
		}
	})
}

func FuzzIsNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e+10", "01", "1.", ".5", "-", "1e", "NaN", "12345678901234567890", " 1", "1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n json.Number
		want := json.Unmarshal([]byte(s), &n) == nil && strings.TrimSpace(s) == s && !strings.HasPrefix(s, `"`)
		if got := IsNumber(s); got != want {
			t.Errorf("IsNumber(%q) = %v; json says %v", s, got, want)
		}
	})
}
