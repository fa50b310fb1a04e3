// Package emit generates deterministic test data for BlockHub's tests,
// examples and benchmarks: stock quotes, linked CRM data (contacts, orders
// and order updates) as CSV, JSON lines or Excel workbooks, plus random
// bytes, PNG images, shuffled CSV and slow row streams for "walk to live".
//
// Every generator is seeded: the same options give the same bytes, on every
// platform (only integer arithmetic and a PCG generator are used). Rows are
// generated one at a time, so output of any size needs constant memory.
//
//	var buf bytes.Buffer
//	err := emit.CSV(&buf, emit.Options{Kind: emit.Orders, Rows: 100, Seed: 1})
//
// The CRM kinds are linked: contacts have ids 1..n, orders point at contact
// ids 1..Options.Contacts and order updates point at order ids
// 1..Options.Orders, so generating each with the same Contacts and Orders
// settings gives files whose keys join.
//
// Options.Tricky puts commas, double quotes and newlines into text fields;
// Options.OddTimes writes each timestamp in one of several formats (RFC 3339
// with odd offsets, epoch seconds, epoch milliseconds, naive wall-clock
// times) and, in JSON, at different places in the document. Neither changes
// the other values: a row's numbers and instants are the same with or
// without them, so a test can compare what an oracle parsed against a plain
// run with the same seed.
//
// The package imports only the standard library and
// github.com/xuri/excelize/v2; it must not import any BlockHub package, so
// that every package's tests can use it.
package emit
