package main

import (
	"context"
	"io"

	"github.com/blockhub/blockhub/internal/emit"
)

// defaultRows is the number of rows csv and json write when given neither
// --rows nor --bytes.
const defaultRows = 100

func runCSV(_ context.Context, s streams, args []string) error {
	return runLines("csv", emit.CSV, s, args)
}

func runJSON(_ context.Context, s streams, args []string) error {
	return runLines("json", emit.JSON, s, args)
}

// runLines runs csv or json, which take the same flags.
func runLines(name string, write func(io.Writer, emit.Options) error, s streams, args []string) error {
	fs := newFlagSet(name, "[--kind KIND] [--rows N | --bytes SIZE] [flags]", s)
	d := dataFlags{withKind: true, withOut: true}
	d.register(fs)
	rows := fs.Int64("rows", defaultRows, "write `N` rows after the header")
	var bytes sizeValue
	fs.Var(&bytes, "bytes", "instead of --rows, write rows up to `SIZE` bytes (K, M, G: powers of 1024), e.g. 1G")
	if err := fs.parse(args); err != nil {
		return err
	}
	o, err := d.options()
	if err != nil {
		return err
	}
	if o.Rows, o.Bytes, err = rowsOrBytes(*rows, fs.isSet("rows"), int64(bytes), fs.isSet("bytes")); err != nil {
		return err
	}
	return writeOutput(d.out, s.stdout, func(w io.Writer) error { return write(w, o) })
}

// rowsOrBytes checks --rows and --bytes, which exclude each other, and
// returns the Rows and Bytes options they make.
func rowsOrBytes(rows int64, rowsSet bool, bytes int64, bytesSet bool) (int64, int64, error) {
	switch {
	case rowsSet && bytesSet:
		return 0, 0, usagef("--rows and --bytes exclude each other")
	case bytesSet && bytes <= 0:
		return 0, 0, usagef("--bytes %d: want a positive size", bytes)
	case bytesSet:
		return 0, bytes, nil
	case rows < 0:
		return 0, 0, usagef("--rows %d: want 0 or more", rows)
	}
	return rows, 0, nil
}
