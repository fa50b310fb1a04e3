package emitcli

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

// malformedFlags are csv's flags for a file of broken rows.
type malformedFlags struct {
	flaws string
	every int
}

func (m *malformedFlags) register(fs *flagSet) {
	fs.StringVar(&m.flaws, "malformed", "", "break rows, for testing connectors: `LIST` of bad-quotes, ragged, binary, or all")
	fs.IntVar(&m.every, "malformed-every", 10, "with --malformed, break every `N`th row")
}

// writer returns how csv writes with these flags: emit.CSV, or
// emit.MalformedCSV with the flaws asked for.
func (m *malformedFlags) writer() (func(io.Writer, emit.Options) error, error) {
	if m.flaws == "" {
		return emit.CSV, nil
	}
	flaws, err := emit.ParseFlaws(m.flaws)
	if err != nil {
		return nil, usagef("--malformed: %v", err)
	}
	if m.every <= 0 {
		return nil, usagef("--malformed-every %d: want 1 or more", m.every)
	}
	return func(w io.Writer, o emit.Options) error { return emit.MalformedCSV(w, o, flaws, m.every) }, nil
}

func runJSON(_ context.Context, s streams, args []string) error {
	return runLines("json", emit.JSON, s, args)
}

// runLines runs csv or json, which take the same flags.
func runLines(name string, plain func(io.Writer, emit.Options) error, s streams, args []string) error {
	fs := newFlagSet(name, "[--kind KIND] [--rows N | --bytes SIZE] [flags]", s)
	d := dataFlags{withKind: true, withOut: true}
	d.register(fs)
	rows := fs.Int64("rows", defaultRows, "write `N` rows after the header")
	var bytes sizeValue
	fs.Var(&bytes, "bytes", "instead of --rows, write rows up to `SIZE` bytes (K, M, G: powers of 1024), e.g. 1G")
	var bad malformedFlags
	if name == "csv" {
		bad.register(fs)
	}
	if err := fs.parse(args); err != nil {
		return err
	}
	write, err := bad.writer()
	if err != nil {
		return err
	}
	if name != "csv" {
		write = plain
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
