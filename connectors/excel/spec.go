package excel

import (
	"github.com/blockhub/blockhub/connectors"
)

func init() {
	connectors.Register(Spec)
}

// Spec is the excel connector's registration.
var Spec = connectors.Spec{
	Name:      "excel",
	Usage:     "capture the sheets of an .xlsx workbook, --rows rows per asset",
	ArgsUsage: "FILE.xlsx",
	Help: `Captures every worksheet of the workbook (or the --sheet ones, in that
order). The first row of a sheet is its header; each later row is a record,
and --rows records (default 1000) make one asset, as csv with the header
first (or --format json, yaml, xml). --exclude drops columns by header name
or column letter (A, B, AA). Values are captured as Excel shows them,
through each cell's number format (19.50 for 0.00, dates as their format
says); in json, yaml and xml a value that reads as a number is a number, and
TRUE and FALSE are booleans.

--formulas adds a "<header>.formula" column beside each column that holds
formulas in the chunk, with the formula text ("=D2*E2"); the value column
keeps the result Excel saved. It loads each sheet into memory.

Meta: path (absolute), sheet, rows [first,last] (data rows, 1-based, below
the header), batch [i,n] (n counted on a first pass over the sheet), size
and hash (the file's size and sha256), prefix (the sha256 of the data rows
up to the chunk's last) and format.

With --prevent-dups a re-run of an unchanged workbook captures nothing, and
a sheet that grew by appended rows has only the new rows captured: the
last capture's prefix is checked against the rows as they are now and
the run continues after them. If they changed, the whole sheet is read again
and only chunks not already on the chain are captured (a note says so).

A corrupt, truncated or non-xlsx file, a legacy .xls workbook and an
encrypted workbook without its --password each stop the import with one
error naming the file.`,
	Options: []connectors.Option{
		{Name: "sheet", Kind: connectors.List, Help: "a sheet to capture (repeatable; default every worksheet)"},
		{Name: "formulas", Kind: connectors.Bool, Help: `add a "<header>.formula" column beside each column holding formulas`},
		{Name: "password", Kind: connectors.String, Secret: true, Help: "password of an encrypted workbook"},
	},
	Examples: []string{
		"bhctl import excel sales.xlsx",
		"bhctl import excel sales.xlsx --sheet orders --rows 500 --exclude email,C --prevent-dups",
		"bhctl import excel sales.xlsx --formulas --format json",
		"BH_EXCEL_PASSWORD=secret bhctl import excel locked.xlsx",
	},
	New: newSource,
}

// newSource builds a Source from the command line.
func newSource(args []string, v connectors.Values, c connectors.Common) (connectors.Source, error) {
	if len(args) != 1 {
		return nil, connectors.Usagef("excel: want one FILE.xlsx argument, got %d", len(args))
	}
	return New(args[0], &Options{
		Sheets:   v.Strings("sheet"),
		Rows:     c.Rows,
		Exclude:  c.Exclude,
		Format:   c.Format,
		Formulas: v.Bool("formulas"),
		Password: v.String("password"),
	})
}
