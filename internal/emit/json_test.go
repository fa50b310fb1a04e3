package emit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
)

// jsonRows decodes JSON lines, failing the test on a bad line.
func jsonRows(t *testing.T, o Options) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := JSON(&buf, o); err != nil {
		t.Fatalf("JSON(%+v): %v", o, err)
	}
	var rows []map[string]any
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatalf("line %d %q: %v", len(rows)+1, sc.Text(), err)
		}
		rows = append(rows, m)
	}
	return rows
}

func TestJSONMatchesRecords(t *testing.T) {
	for _, kind := range Kinds() {
		for _, odd := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/odd=%v", kind, odd), func(t *testing.T) {
				o := Options{Kind: kind, Rows: 300, Seed: 11, Tricky: true, OddTimes: odd}
				rows := jsonRows(t, o)
				if len(rows) != 300 {
					t.Fatalf("got %d lines, want 300", len(rows))
				}
				places := map[string]bool{}
				i := 0
				for rec, err := range Records(o) {
					if err != nil {
						t.Fatal(err)
					}
					for j, col := range kind.Columns() {
						v, ok := rows[i][col]
						switch {
						case ok:
							places["column"] = true
						case rows[i]["ts"] != nil:
							v, places["ts"] = rows[i]["ts"], true
						case rows[i]["meta"] != nil:
							v, places["meta"] = rows[i]["meta"].(map[string]any)[col], true
						}
						if got := fmt.Sprint(v); got != rec[j] {
							t.Fatalf("row %d %s: JSON has %q, CSV %q", i+1, col, got, rec[j])
						}
					}
					i++
				}
				if want := 1 + 2*btoi(odd && kind != Stocks); len(places) != want {
					t.Errorf("timestamps found in %v, want %d places", places, want)
				}
			})
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestJSONNumbers(t *testing.T) {
	rows := jsonRows(t, Options{Kind: Orders, Rows: 50, Seed: 1})
	for _, r := range rows {
		for _, col := range []string{"order_id", "contact_id", "qty", "price"} {
			n, ok := r[col].(json.Number)
			if !ok {
				t.Fatalf("%s is %T, want a number", col, r[col])
			}
			if _, err := strconv.ParseFloat(string(n), 64); err != nil {
				t.Fatalf("%s: %v", col, err)
			}
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `a "quoted" word`, "back\\slash", "line\nbreak\r\ttab", "\x00\x1f", "Zoë ☃"} {
		got := appendJSONString(nil, []byte(s))
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("appendJSONString(%q) = %s, reads back %q, %v", s, got, back, err)
		}
	}
}
