package emit

import (
	"bytes"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestExcel(t *testing.T) {
	tests := []struct {
		name       string
		o          ExcelOptions
		wantSheets []string
	}{
		{"one sheet", ExcelOptions{Rows: 50, Seed: 1}, []string{"orders"}},
		{"two sheets", ExcelOptions{Rows: 20, Seed: 1, Sheets: 2, Tricky: true}, []string{"orders", "contacts"}},
		{"five sheets", ExcelOptions{Rows: 5, Seed: 2, Sheets: 5, OddTimes: true},
			[]string{"orders", "contacts", "order_updates", "stocks", "orders2"}},
		{"no rows", ExcelOptions{}, []string{"orders"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "book.xlsx")
			if err := Excel(path, tt.o); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatalf("excelize cannot open the workbook: %v", err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !slices.Equal(got, tt.wantSheets) {
				t.Fatalf("sheets: got %q, want %q", got, tt.wantSheets)
			}
			for i, sheet := range tt.wantSheets {
				kind := excelKinds()[i%4]
				rows, err := f.GetRows(sheet)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := len(rows), int(tt.o.Rows)+1; got != want {
					t.Fatalf("sheet %s: got %d rows, want %d", sheet, got, want)
				}
				want := kind.Columns()
				if kind == Orders {
					want = append(want, "total")
				}
				if !slices.Equal(rows[0], want) {
					t.Errorf("sheet %s header: got %q, want %q", sheet, rows[0], want)
				}
				// Cells read back as the CSV writes them, timestamps apart
				// (Excel dates carry no zone).
				j := 1
				for rec, err := range Records(Options{Kind: kind, Rows: tt.o.Rows, Seed: tt.o.Seed, Tricky: tt.o.Tricky, OddTimes: tt.o.OddTimes}) {
					if err != nil {
						t.Fatal(err)
					}
					for c, v := range rec {
						if got := rows[j][c]; got != v && !isTimestamp(v) {
							t.Errorf("sheet %s %s%d: got %q, want %q", sheet, string(rune('A'+c)), j+1, got, v)
						}
					}
					j++
				}
			}
			if tt.o.Rows == 0 {
				return
			}
			for _, r := range []int{2, int(tt.o.Rows) + 1} {
				cell := "H" + strconv.Itoa(r)
				formula, err := f.GetCellFormula("orders", cell)
				if err != nil {
					t.Fatal(err)
				}
				if want := "D" + strconv.Itoa(r) + "*E" + strconv.Itoa(r); formula != want {
					t.Errorf("%s formula: got %q, want %q", cell, formula, want)
				}
				if err := f.SetCellFormula("orders", cell, formula); err != nil {
					t.Fatal(err)
				}
				calc, err := f.CalcCellValue("orders", cell)
				if err != nil {
					t.Fatal(err)
				}
				cached, _ := f.GetCellValue("orders", cell, excelize.Options{RawCellValue: true})
				if c, _ := strconv.ParseFloat(calc, 64); strconv.FormatFloat(c, 'f', 2, 64) != mustFixed(t, cached) {
					t.Errorf("%s: calculated %s, cached %s", cell, calc, cached)
				}
			}
		})
	}
}

func isTimestamp(s string) bool {
	_, err := parseAnyTime(s)
	if err == nil {
		return true
	}
	return len(s) == 10 && s[4] == '-' && s[7] == '-' // a stocks date
}

func mustFixed(t *testing.T, s string) string {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("cached total %q: %v", s, err)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

func TestExcelTimestamps(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteExcel(&buf, ExcelOptions{Rows: 3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("orders")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows[1][6], "2026-01-01 00:01:05"; got != want {
		t.Errorf("created_at of order 1: got %q, want %q", got, want)
	}
}

func TestExcelDeterministic(t *testing.T) {
	book := func() map[string][][]string {
		var buf bytes.Buffer
		if err := WriteExcel(&buf, ExcelOptions{Rows: 30, Seed: 4, Sheets: 4}); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		out := map[string][][]string{}
		for _, s := range f.GetSheetList() {
			out[s], _ = f.GetRows(s)
		}
		return out
	}
	a, b := book(), book()
	for s := range a {
		if !slices.EqualFunc(a[s], b[s], slices.Equal) {
			t.Errorf("sheet %s differs between two runs", s)
		}
	}
}

func TestExcelBadOptions(t *testing.T) {
	tests := []struct {
		name string
		o    ExcelOptions
	}{
		{"too many rows", ExcelOptions{Rows: 1 << 20}},
		{"negative rows", ExcelOptions{Rows: -1}},
		{"negative sheets", ExcelOptions{Sheets: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Excel(filepath.Join(t.TempDir(), "x.xlsx"), tt.o); err == nil {
				t.Error("got no error")
			}
		})
	}
	if err := Excel(filepath.Join(t.TempDir(), "x.txt"), ExcelOptions{Rows: 1}); err == nil {
		t.Error("a .txt path: got no error")
	}
}
