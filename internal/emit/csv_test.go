package emit

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readCSV parses out with encoding/csv, failing the test on a parse error.
func readCSV(t *testing.T, out []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the output back: %v", err)
	}
	return recs
}

func csvBytes(t testing.TB, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := CSV(&buf, o); err != nil {
		t.Fatalf("CSV(%+v): %v", o, err)
	}
	return buf.Bytes()
}

func TestCSVParsesBack(t *testing.T) {
	for _, kind := range Kinds() {
		for _, tricky := range []bool{false, true} {
			for _, odd := range []bool{false, true} {
				name := fmt.Sprintf("%s/tricky=%v/odd=%v", kind, tricky, odd)
				t.Run(name, func(t *testing.T) {
					const rows = 500
					recs := readCSV(t, csvBytes(t, Options{Kind: kind, Rows: rows, Seed: 1, Tricky: tricky, OddTimes: odd}))
					if got, want := len(recs), rows+1; got != want {
						t.Fatalf("got %d records, want %d (header and %d rows)", got, want, rows)
					}
					if got, want := recs[0], kind.Columns(); !slices.Equal(got, want) {
						t.Errorf("header: got %q, want %q", got, want)
					}
					var i int64
					for rec, err := range Records(Options{Kind: kind, Rows: rows, Seed: 1, Tricky: tricky, OddTimes: odd}) {
						if err != nil {
							t.Fatal(err)
						}
						i++
						if !slices.Equal(recs[i], rec) {
							t.Fatalf("row %d: CSV reads back %q, Records yields %q", i, recs[i], rec)
						}
					}
					if i != rows {
						t.Errorf("Records yielded %d rows, want %d", i, rows)
					}
				})
			}
		}
	}
}

func TestCSVTrickyFields(t *testing.T) {
	for _, kind := range []Kind{Contacts, Orders} {
		t.Run(string(kind), func(t *testing.T) {
			out := csvBytes(t, Options{Kind: kind, Rows: 200, Seed: 7, Tricky: true})
			var comma, quote, newline bool
			for _, rec := range readCSV(t, out)[1:] {
				for _, f := range rec {
					comma = comma || strings.Contains(f, ",")
					quote = quote || strings.Contains(f, `"`)
					newline = newline || strings.Contains(f, "\n")
				}
			}
			if !comma || !quote || !newline {
				t.Errorf("fields with a comma: %v, a quote: %v, a newline: %v; want all", comma, quote, newline)
			}
			plain := readCSV(t, csvBytes(t, Options{Kind: kind, Rows: 200, Seed: 7}))
			for _, rec := range plain[1:] {
				for _, f := range rec {
					if strings.ContainsAny(f, ",\"\n") {
						t.Fatalf("without Tricky, field %q holds a comma, quote or newline", f)
					}
				}
			}
		})
	}
}

func TestCSVDeterministic(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			o := Options{Kind: kind, Rows: 300, Seed: 42, Tricky: true, OddTimes: true}
			a, b := csvBytes(t, o), csvBytes(t, o)
			if !bytes.Equal(a, b) {
				t.Fatal("two runs with seed 42 differ")
			}
			o.Seed = 43
			if c := csvBytes(t, o); bytes.Equal(a, c) {
				t.Error("seeds 42 and 43 give the same output")
			}
		})
	}
}

// TestCSVGolden pins the first rows of seed 1, so that a change to the
// generator, which would change every fixture made from it, is noticed.
func TestCSVGolden(t *testing.T) {
	tests := []struct {
		kind Kind
		want string
	}{
		{Stocks, "date,symbol,open,high,low,close,volume\n"},
		{Contacts, "id,name,email,phone,company,created_at\n"},
		{Orders, "order_id,contact_id,item,qty,price,status,created_at\n"},
		{OrderUpdates, "order_id,status,updated_at\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			got := string(csvBytes(t, Options{Kind: tt.kind, Rows: 2, Seed: 1}))
			if !strings.HasPrefix(got, tt.want) {
				t.Fatalf("got %q, want header %q", got, tt.want)
			}
			if got != golden[tt.kind] {
				t.Errorf("seed 1 output changed:\ngot  %q\nwant %q", got, golden[tt.kind])
			}
		})
	}
}

func TestCSVBytes(t *testing.T) {
	for _, size := range []int64{1, 100, 4 << 10, 1 << 20, 3<<20 + 17} {
		t.Run(strconv.FormatInt(size, 10), func(t *testing.T) {
			var cw countingWriter
			if err := CSV(&cw, Options{Bytes: size, Seed: 1, Tricky: true}); err != nil {
				t.Fatal(err)
			}
			header := int64(len("order_id,contact_id,item,qty,price,status,created_at\n"))
			// Within one row of the target: no row is longer than 200 bytes.
			if lo := max(size-200, header); cw.n < lo || cw.n > max(size, header) {
				t.Errorf("wrote %d bytes for a target of %d, want %d..%d", cw.n, size, lo, max(size, header))
			}
		})
	}
	t.Run("parses back", func(t *testing.T) {
		out := csvBytes(t, Options{Bytes: 64 << 10, Seed: 3, Tricky: true})
		recs := readCSV(t, out)
		var n int
		for _, err := range Records(Options{Bytes: 64 << 10, Seed: 3, Tricky: true}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if len(recs)-1 != n {
			t.Errorf("CSV has %d rows, Records yields %d", len(recs)-1, n)
		}
	})
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func TestCSVBadOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"unknown kind", Options{Kind: "planets", Rows: 1}, `csv: unknown kind "planets"`},
		{"negative rows", Options{Rows: -1}, "csv: rows -1 is negative"},
		{"negative bytes", Options{Bytes: -5}, "csv: bytes -5 is negative"},
		{"negative contacts", Options{Contacts: -1}, "csv: contacts and orders must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CSV(io.Discard, tt.o)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got error %v, want one starting %q", err, tt.want)
			}
		})
	}
}

// parseAnyTime reads a timestamp in any style OddTimes writes.
func parseAnyTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if len(s) >= 13 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("no layout reads %q", s)
}

func TestOddTimesKeepInstants(t *testing.T) {
	for _, kind := range []Kind{Contacts, Orders, OrderUpdates} {
		t.Run(string(kind), func(t *testing.T) {
			o := Options{Kind: kind, Rows: 400, Seed: 5}
			plain := readCSV(t, csvBytes(t, o))
			o.OddTimes = true
			odd := readCSV(t, csvBytes(t, o))
			col := len(kind.Columns()) - 1 // the timestamp is the last column
			styles := map[string]bool{}
			for i := 1; i < len(plain); i++ {
				if !slices.Equal(plain[i][:col], odd[i][:col]) {
					t.Fatalf("row %d: OddTimes changed other fields: %q vs %q", i, plain[i], odd[i])
				}
				want, err := time.Parse(time.RFC3339, plain[i][col])
				if err != nil {
					t.Fatalf("row %d: plain timestamp: %v", i, err)
				}
				got, err := parseAnyTime(odd[i][col])
				if err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
				if !got.Equal(want) {
					t.Errorf("row %d: %q is %v, want %v", i, odd[i][col], got, want)
				}
				styles[shape(odd[i][col])] = true
			}
			if len(styles) < 6 {
				t.Errorf("only %d timestamp shapes in 400 rows: %v", len(styles), styles)
			}
		})
	}
}

// shape replaces the digits of s, leaving its format.
func shape(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '9'
		}
		return r
	}, s)
}

func TestCRMIsLinked(t *testing.T) {
	const contacts, orders = 30, 200
	contactIDs := map[string]bool{}
	for _, rec := range readCSV(t, csvBytes(t, Options{Kind: Contacts, Rows: contacts, Seed: 9}))[1:] {
		contactIDs[rec[0]] = true
	}
	created := map[string]time.Time{}
	for _, rec := range readCSV(t, csvBytes(t, Options{Kind: Orders, Rows: orders, Contacts: contacts, Seed: 9}))[1:] {
		if !contactIDs[rec[1]] {
			t.Fatalf("order %s points at contact %s, which is not among the %d contacts", rec[0], rec[1], contacts)
		}
		if !slices.Contains(Statuses(), rec[5]) {
			t.Errorf("order %s: status %q", rec[0], rec[5])
		}
		if p := rec[4]; len(p) < 4 || p[len(p)-3] != '.' {
			t.Errorf("order %s: price %q has not two decimals", rec[0], p)
		}
		created[rec[0]], _ = time.Parse(time.RFC3339, rec[6])
	}
	for _, rec := range readCSV(t, csvBytes(t, Options{Kind: OrderUpdates, Rows: 300, Orders: orders, Seed: 9}))[1:] {
		c, ok := created[rec[0]]
		if !ok {
			t.Fatalf("update points at order %s, which is not among the %d orders", rec[0], orders)
		}
		if u, _ := time.Parse(time.RFC3339, rec[2]); !u.After(c) {
			t.Errorf("order %s updated at %v, before it was created at %v", rec[0], u, c)
		}
	}
}

func TestStocksAreConsistent(t *testing.T) {
	recs := readCSV(t, csvBytes(t, Options{Kind: Stocks, Rows: 2000, Seed: 2}))
	for _, rec := range recs[1:] {
		d, err := time.Parse("2006-01-02", rec[0])
		if err != nil {
			t.Fatalf("date %q: %v", rec[0], err)
		}
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s is a %v", rec[0], wd)
		}
		var p [4]float64
		for i := range p {
			p[i], _ = strconv.ParseFloat(rec[2+i], 64)
		}
		open, high, low, closing := p[0], p[1], p[2], p[3]
		if low > min(open, closing) || high < max(open, closing) || low <= 0 {
			t.Errorf("%q: want 0 < low <= open, close <= high", rec)
		}
	}
}

func TestAppendDateMatchesTime(t *testing.T) {
	for sec := int64(-5e9); sec < 5e10; sec += 86400*97 + 3607 {
		got := string(appendTime(nil, sec, styleRFC3339))
		if want := time.Unix(sec, 0).UTC().Format(time.RFC3339); got != want {
			t.Fatalf("appendTime(%d) = %s, want %s", sec, got, want)
		}
	}
	for i := range oddOffsets {
		sec := int64(1767225600)
		got := string(appendTime(nil, sec, styleOffset+timeStyle(i)))
		want := time.Unix(sec, 0).In(time.FixedZone("", int(oddOffsets[i]))).Format("2006-01-02T15:04:05-07:00")
		if got != want {
			t.Errorf("offset %d: got %s, want %s", oddOffsets[i], got, want)
		}
	}
}

// golden holds the first two rows of seed 1 of each kind (see TestCSVGolden).
var golden = map[Kind]string{
	Stocks: "date,symbol,open,high,low,close,volume\n" +
		"2024-01-01,AAPL,186.27,191.72,184.30,189.21,17826724\n" +
		"2024-01-01,MSFT,377.73,384.82,376.00,382.64,43274444\n",
	Contacts: "id,name,email,phone,company,created_at\n" +
		"1,Ingrid van Rossum,ingrid.vanrossum1@mail.test,+1-965-555-0168,Soylent Foods,2025-01-01T01:41:53Z\n" +
		"2,Łukasz Mensah,lukasz.mensah2@example.com,+1-558-555-0131,Hooli,2025-01-01T02:51:21Z\n",
	Orders: "order_id,contact_id,item,qty,price,status,created_at\n" +
		"1,84,Office chair,1,229.08,paid,2026-01-01T00:01:05Z\n" +
		"2,22,Mechanical keyboard,1,92.68,paid,2026-01-01T00:02:19Z\n",
	OrderUpdates: "order_id,status,updated_at\n" +
		"160,paid,2026-01-15T14:57:38Z\n" +
		"486,paid,2026-01-10T23:36:08Z\n",
}
