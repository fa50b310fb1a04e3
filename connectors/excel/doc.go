// Package excel is the excel connector: it captures the sheets of an
// .xlsx workbook in chunks of rows (bhctl import excel FILE.xlsx).
//
// Each sheet's first row is its header; every later row is a record, and
// --rows records make one asset, encoded with internal/records (csv with
// the header first by default). Meta names the file (absolute path), the
// sheet, the data rows [first, last] (1-based, below the header), the
// batch [i, n], the file's size and hash (sha256), and prefix, the sha256
// of every data row up to the chunk's last: with --prevent-dups a later
// run continues after those rows when they are unchanged, so appended rows
// are captured once.
//
// Sheets are streamed with excelize's row iterator (f.Rows and
// rows.Columns): values come as Excel shows them, through each cell's
// number format (19.50 for 0.00, dates by their format code), typed as
// numbers or booleans in json, yaml and xml when their text reads as one.
// --formulas looks each cell's formula up with excelize's GetCellFormula,
// which loads the sheet into memory. Opening, decryption (--password) and
// the shared strings are excelize's too; the package only tells a user
// which kind of bad file it was given.
//
// It imports connectors and internal/records.
package excel
