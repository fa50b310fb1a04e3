package emitcli

import (
	"context"

	"github.com/blockhub/blockhub/internal/emit"
)

func runExcel(_ context.Context, s streams, args []string) error {
	fs := newFlagSet("excel", "--rows N [--sheets K] [--out FILE.xlsx] [flags]", s)
	d := dataFlags{}
	d.register(fs)
	out := fs.String("out", "", "write to `FILE`.xlsx instead of stdout")
	rows := fs.Int64("rows", defaultRows, "write `N` rows on each sheet, below its header")
	sheets := fs.Int("sheets", 1, "write `K` sheets: orders, contacts, order_updates, stocks, orders2, ...")
	if err := fs.parse(args); err != nil {
		return err
	}
	o, err := d.options()
	if err != nil {
		return err
	}
	eo, err := excelOptions(o, *rows, *sheets)
	if err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		return emit.WriteExcel(s.stdout, eo)
	}
	return emit.Excel(*out, eo)
}

// excelOptions checks --rows and --sheets.
func excelOptions(o emit.Options, rows int64, sheets int) (emit.ExcelOptions, error) {
	const maxRows = 1<<20 - 1
	if rows < 0 || rows > maxRows {
		return emit.ExcelOptions{}, usagef("--rows %d: want 0 to %d (the rows of a sheet)", rows, maxRows)
	}
	if sheets < 1 {
		return emit.ExcelOptions{}, usagef("--sheets %d: want at least 1", sheets)
	}
	return emit.ExcelOptions{
		Seed: o.Seed, Tricky: o.Tricky, OddTimes: o.OddTimes, Contacts: o.Contacts, Orders: o.Orders,
		Rows: rows, Sheets: sheets,
	}, nil
}
