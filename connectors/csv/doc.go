// Package csv is the csv connector: `bhctl import csv FILE...` cuts CSV
// files into assets of --rows data rows, each a CSV document with the
// header line first, and resumes a grown file after the rows the chain
// already holds (--prevent-dups).
//
// The hot path never decodes a field: a quote-aware scan finds where each
// record ends (a line end counts only outside quotes), checks the quoting
// and the number of fields as encoding/csv would, and the chunk is the
// file's own bytes. Fields are decoded only for --exclude and --format.
// Memory stays constant whatever the file's size: a chunk or two and a
// read buffer. A quote inside an unquoted field is part of the field
// (as Python's csv reads it) unless Options.StrictQuotes.
//
// A file may still be growing: unless Options.Final, a last record
// without its line end is left for a later run, so a row being written
// reaches the chain once, whole (issue 12).
//
// Every chunk's meta records where it came from: the absolute path, the
// file's size, the hash of the file's bytes up to the end of the chunk
// ("prefix"; "hash" too when the chunk ends the file), its data rows,
// its byte offsets and its place in the batch, [i, n], n counted on a
// first pass (see counter). A later run reads that
// meta back through connectors.State to resume.
//
// It imports connectors and internal/records; no other connector.
package csv
