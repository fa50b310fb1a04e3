package excel_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/connectors/excel"
	"github.com/blockhub/blockhub/internal/emit"
)

// fixture writes an emitted workbook with the orders and contacts sheets.
func fixture(t testing.TB, rows int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := emit.Excel(path, emit.ExcelOptions{Seed: 7, Rows: rows, Sheets: 2}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConnector(t *testing.T) {
	const rows = 250
	path := fixture(t, rows)
	connectortest.Run(t, connectortest.Harness{
		Name: "excel",
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			src, err := excel.New(path, &excel.Options{Rows: 100, Exclude: c.Exclude, Format: c.Format})
			if err != nil {
				t.Fatal(err)
			}
			return src
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			// 3 chunks per sheet (100, 100, 50), each with the header
			// first and ids counting up from 1.
			if len(chunks) != 6 {
				t.Fatalf("got %d chunks, want 6", len(chunks))
			}
			next := map[string]int{}
			for i, c := range chunks {
				sheet := c.Meta["sheet"].(string)
				recs := readCSV(t, c.Data)
				wantHeader := map[string]string{"orders": "order_id", "contacts": "id"}[sheet]
				if recs[0][0] != wantHeader {
					t.Errorf("chunk %d (%s): header %v, want %s first", i, sheet, recs[0], wantHeader)
				}
				for _, r := range recs[1:] {
					next[sheet]++
					if r[0] != strconv.Itoa(next[sheet]) {
						t.Fatalf("chunk %d (%s): row %v, want id %d", i, sheet, r, next[sheet])
					}
				}
				first := next[sheet] - len(recs) + 2
				if got, want := fmt.Sprint(c.Meta["rows"]), fmt.Sprintf("[%d %d]", first, next[sheet]); got != want {
					t.Errorf("chunk %d: rows %s, want %s", i, got, want)
				}
				if c.Records != len(recs)-1 || c.Type != "text/csv" || c.Key != excel.Key(path, sheet) {
					t.Errorf("chunk %d: records %d, type %s, key %s", i, c.Records, c.Type, c.Key)
				}
			}
			if next["orders"] != rows || next["contacts"] != rows {
				t.Errorf("rows read %v, want %d per sheet", next, rows)
			}
			// The number of chunks is known at the sheet's end only.
			for i, want := range []string{"[1 3]", "[2 3]", "[3 3]"} {
				if got := fmt.Sprint(chunks[i].Meta["batch"]); got != want {
					t.Errorf("orders chunk %d: batch %s, want %s", i+1, got, want)
				}
			}
		},
	})
}

func readCSV(t testing.TB, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("chunk is not csv: %v\n%s", err, data)
	}
	return recs
}

// importer runs imports onto one chain, collecting the notes.
type importer struct {
	t     *testing.T
	hub   *blockhub.Hub
	root  chain.Block
	notes bytes.Buffer
}

func newImporter(t *testing.T) *importer {
	hub, root := connectortest.NewChain(t)
	return &importer{t: t, hub: hub, root: root}
}

// run imports src with --prevent-dups and returns the summary and the
// meta of the captured assets.
func (im *importer) run(src connectors.Source) (connectors.Summary, []map[string]any) {
	im.t.Helper()
	ctx := context.Background()
	var metas []map[string]any
	sum, err := connectors.Capture(ctx, im.hub, im.root, src, connectors.ImportOptions{
		Connector: "excel", Common: connectors.Common{PreventDups: true}, Notes: &im.notes,
		OnAsset: func(o connectors.Outcome) {
			if !o.Skipped {
				var m map[string]any
				json.Unmarshal(o.Receipt.Meta, &m)
				metas = append(metas, m)
			}
		},
	})
	if err != nil {
		im.t.Fatalf("import: %v", err)
	}
	return sum, metas
}

func rowsOf(metas []map[string]any) string {
	var s []string
	for _, m := range metas {
		s = append(s, fmt.Sprint(m["rows"]))
	}
	return strings.Join(s, " ")
}

// TestAppendedRows is the example: 1000 rows in 10 chunks, then 50
// rows appended (one new asset of exactly those), then 60 more.
func TestAppendedRows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "grow.xlsx")
	write := func(rows int64) {
		if err := emit.Excel(path, emit.ExcelOptions{Seed: 3, Rows: rows}); err != nil {
			t.Fatal(err)
		}
	}
	src := func() connectors.Source {
		s, err := excel.New(path, &excel.Options{Rows: 100})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	im := newImporter(t)
	write(1000)
	sum, metas := im.run(src())
	if sum.Captured != 10 || sum.Records != 1000 {
		t.Fatalf("first import: %+v", sum)
	}
	if sum, _ := im.run(src()); sum.Captured != 0 || sum.Skipped != 0 {
		t.Fatalf("unchanged re-import: %+v, want nothing read", sum)
	}
	write(1050)
	sum, metas = im.run(src())
	if sum.Captured != 1 || rowsOf(metas) != "[1001 1050]" || sum.Skipped != 0 {
		t.Fatalf("after 50 appended rows: %+v, rows %s; want one asset of rows [1001 1050]", sum, rowsOf(metas))
	}
	if got := fmt.Sprint(metas[0]["batch"]); got != "[1 1]" {
		t.Errorf("batch %s, want [1 1]", got)
	}
	write(1110)
	sum, metas = im.run(src())
	if sum.Captured != 1 || rowsOf(metas) != "[1051 1110]" {
		t.Fatalf("after 60 more: %+v, rows %s; want one asset of rows [1051 1110]", sum, rowsOf(metas))
	}
	if im.notes.Len() != 0 {
		t.Errorf("notes: %s", im.notes.String())
	}

	// Rewritten in the middle (another seed changes every row): a note,
	// and per-chunk content dedupe.
	if err := emit.Excel(path, emit.ExcelOptions{Seed: 4, Rows: 1110}); err != nil {
		t.Fatal(err)
	}
	sum, _ = im.run(src())
	if sum.Captured != 12 || !strings.Contains(im.notes.String(), "rows 1-1110 changed") {
		t.Fatalf("rewritten sheet: %+v, notes %q", sum, im.notes.String())
	}
	// Back to the first content: the chunks of rows 1-1000 are on the
	// chain already; rows 1001-1110 were captured as [1001 1050] and
	// [1051 1110], so their chunks of 100 are new.
	write(1110)
	sum, metas = im.run(src())
	if sum.Captured != 2 || sum.Skipped != 10 || rowsOf(metas) != "[1001 1100] [1101 1110]" {
		t.Fatalf("restored sheet: %+v, rows %s", sum, rowsOf(metas))
	}
}

// TestOptionsChanged: the same file with --formulas is captured again in
// the new form.
func TestOptionsChanged(t *testing.T) {
	path := fixture(t, 30)
	im := newImporter(t)
	src, _ := excel.New(path, &excel.Options{Sheets: []string{"orders"}})
	if sum, _ := im.run(src); sum.Captured != 1 {
		t.Fatalf("first: %+v", sum)
	}
	src, _ = excel.New(path, &excel.Options{Sheets: []string{"orders"}, Formulas: true})
	if sum, _ := im.run(src); sum.Captured != 1 || !strings.Contains(im.notes.String(), "options") {
		t.Fatalf("with --formulas: %+v, notes %q", sum, im.notes.String())
	}
	src, _ = excel.New(path, &excel.Options{Sheets: []string{"orders"}, Formulas: true})
	if sum, _ := im.run(src); sum.Captured != 0 {
		t.Fatalf("again with --formulas: %+v", sum)
	}
}

func TestFormulasAndFormats(t *testing.T) {
	path := fixture(t, 3)
	src, err := excel.New(path, &excel.Options{Sheets: []string{"orders"}, Formulas: true, Exclude: []string{"contact_id", "C"}})
	if err != nil {
		t.Fatal(err)
	}
	chunks := connectortest.Collect(t, src, nil)
	recs := readCSV(t, chunks[0].Data)
	want := "order_id qty price status created_at total total.formula"
	if got := strings.Join(recs[0], " "); got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	if got := recs[1][6]; got != "=D2*E2" {
		t.Errorf("row 1 formula %q, want =D2*E2", got)
	}
	if got := recs[3][6]; got != "=D4*E4" {
		t.Errorf("row 3 formula %q, want =D4*E4", got)
	}
	if !strings.HasPrefix(recs[1][4], "2026-") || len(recs[1][4]) != len("2026-01-01 00:01:05") {
		t.Errorf("created_at %q, want an ISO date and time", recs[1][4])
	}

	src, _ = excel.New(path, &excel.Options{Sheets: []string{"orders"}, Format: "json", Rows: 2})
	chunks = connectortest.Collect(t, src, nil)
	if len(chunks) != 2 || chunks[0].Type != "application/x-ndjson" {
		t.Fatalf("json: %d chunks, type %s", len(chunks), chunks[0].Type)
	}
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(chunks[0].Data))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec["order_id"].(json.Number); !ok || rec["order_id"].(json.Number) != "1" {
		t.Errorf("order_id %#v, want the number 1", rec["order_id"])
	}
	if _, ok := rec["item"].(string); !ok {
		t.Errorf("item %#v, want a string", rec["item"])
	}
}

func TestSheetsAndExcludeErrors(t *testing.T) {
	path := fixture(t, 5)
	tests := []struct {
		o    excel.Options
		want string
	}{
		{excel.Options{Sheets: []string{"nope"}}, `no sheet "nope" (sheets: orders, contacts)`},
		{excel.Options{Exclude: []string{"emial"}}, `--exclude "emial": no such column`},
		{excel.Options{Exclude: []string{"ZZ"}}, `--exclude "ZZ": no such column`},
	}
	for _, tt := range tests {
		src, err := excel.New(path, &tt.o)
		if err != nil {
			t.Fatal(err)
		}
		var got error
		for _, err := range src.Chunks(context.Background(), nil) {
			if err != nil {
				got = err
			}
		}
		if got == nil || !strings.Contains(got.Error(), tt.want) || !strings.Contains(got.Error(), "book.xlsx") {
			t.Errorf("%+v: error %v, want one naming the file and %q", tt.o, got, tt.want)
		}
	}
	// A name found in one selected sheet only is fine.
	src, _ := excel.New(path, &excel.Options{Exclude: []string{"email"}})
	chunks := connectortest.Collect(t, src, nil)
	if len(chunks) != 2 || strings.Contains(string(chunks[1].Data), "email") {
		t.Errorf("--exclude email: %d chunks\n%s", len(chunks), chunks[1].Data)
	}
}
