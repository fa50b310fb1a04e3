package emit_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/blockhub/blockhub/internal/emit"
)

func ExampleCSV() {
	err := emit.CSV(os.Stdout, emit.Options{Kind: emit.Orders, Rows: 3, Seed: 1})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// order_id,contact_id,item,qty,price,status,created_at
	// 1,84,Office chair,1,229.08,paid,2026-01-01T00:01:05Z
	// 2,22,Mechanical keyboard,1,92.68,paid,2026-01-01T00:02:19Z
	// 3,15,Phone charger,1,19.00,paid,2026-01-01T00:03:30Z
}

func ExampleRecords() {
	for rec, err := range emit.Records(emit.Options{Kind: emit.OrderUpdates, Rows: 2, Seed: 1}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rec)
	}
	// Output:
	// [160 paid 2026-01-15T14:57:38Z]
	// [486 paid 2026-01-10T23:36:08Z]
}

func ExampleExcel() {
	path := filepath.Join(os.TempDir(), "emit-example.xlsx")
	defer os.Remove(path)
	err := emit.Excel(path, emit.ExcelOptions{Rows: 100, Sheets: 2, Seed: 1})
	fmt.Println(err, emit.ExcelSheets(2))
	// Output: <nil> [orders contacts]
}
