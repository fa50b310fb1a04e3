// Command emitter writes deterministic test data for BlockHub: CSV, JSON
// lines and Excel workbooks of stocks and linked CRM data, random bytes, PNG
// images, shuffled CSV, and slow row streams for "walk to live" tests.
//
//	emitter csv --kind contacts --rows 100 --out contacts.csv
//	emitter csv --kind orders --rows 1000 --tricky --odd-times
//	emitter csv --rows 100 --malformed all --malformed-every 10
//	emitter csv --bytes 1G --out orders-1g.csv
//	emitter excel --rows 500 --sheets 2 --out crm.xlsx
//	emitter stream --kind orders --delay 100ms --count 50 | bhctl pipe
//
// Every command takes --seed N (default 1): the same flags give the same
// bytes. Output goes to stdout unless --out names a file. Errors are one
// line on stderr; the exit code is 2 for a usage error and 1 for a failure.
//
// The generators live in internal/emit, which Go tests use directly; the
// command line (standard-library flags over them) is internal/emitcli,
// which bhctl also runs as bhctl emit. This command imports nothing else
// of BlockHub.
package main
