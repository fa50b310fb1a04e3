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
// Sheets are streamed: the package's XML is read with a small tokenizer of
// its own (see xmlscan.go) rather than excelize's row reader, which is
// several times slower, gives no formulas and no cell styles, and whose
// formatted values cost most of its time on date cells. Numbers come out
// as stored, dates and times (cells with a date format) as ISO 8601 text,
// booleans as true/false. excelize supplies the decryption of
// password-protected workbooks and the Excel date arithmetic.
//
// It imports connectors and internal/records.
package excel
