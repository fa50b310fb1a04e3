package excel_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blockhub/blockhub/connectors/excel"
	"github.com/blockhub/blockhub/internal/emit"
)

// A Go program reads a workbook as bhctl import excel does: chunks of
// rows, each a CSV document with the header first. connectors.Import
// takes the same source onto a chain.
func Example() {
	dir, _ := os.MkdirTemp("", "excel-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "orders.xlsx")
	if err := emit.Excel(path, emit.ExcelOptions{Seed: 1, Rows: 3}); err != nil {
		panic(err)
	}

	src, err := excel.New(path, &excel.Options{Rows: 2, Exclude: []string{"contact_id", "status"}, Formulas: true})
	if err != nil {
		panic(err)
	}
	for c, err := range src.Chunks(context.Background(), nil) {
		if err != nil {
			panic(err)
		}
		fmt.Println(c.Meta["sheet"], c.Meta["rows"], c.Meta["batch"], c.Type)
		fmt.Print(string(c.Data))
	}
	// Output:
	// orders [1 2] [1 2] text/csv
	// order_id,item,qty,price,created_at,total,total.formula
	// 1,Office chair,1,229.08,2026-01-01 00:01:05,229.08,=D2*E2
	// 2,Mechanical keyboard,1,92.68,2026-01-01 00:02:19,92.68,=D3*E3
	// orders [3 3] [2 2] text/csv
	// order_id,item,qty,price,created_at,total,total.formula
	// 3,Phone charger,1,19.00,2026-01-01 00:03:30,19.00,=D4*E4
}
