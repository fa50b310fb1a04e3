package emitcli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blockhub/blockhub/internal/emit"
)

// flagSet is the flags of one command, and how to print them for -h.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlagSet returns a flag set for command NAME that prints nothing by
// itself (the flag package would print the whole usage on every mistake):
// run reports a parse error as one line, and -h prints the flags to stdout.
func newFlagSet(name, synopsis string, s streams) *flagSet {
	fs := flag.NewFlagSet(s.prog+" "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{fs, func() {
		fmt.Fprintf(s.stdout, "Usage: %s %s %s\n\nFlags:\n", s.prog, name, synopsis)
		fs.SetOutput(s.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}}
}

// parse parses args, turning a parse error into a usage error and refusing
// arguments that are not flags.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// isSet reports whether the flag name was given on the command line.
func (fs *flagSet) isSet(name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// sizeValue is a flag holding a size such as 10M or 1G.
type sizeValue int64

func (v *sizeValue) String() string { return fmt.Sprint(int64(*v)) }

func (v *sizeValue) Set(s string) error {
	n, err := emit.ParseSize(s)
	if err != nil {
		return err
	}
	*v = sizeValue(n)
	return nil
}

// kindValue is a flag holding a kind of data.
type kindValue emit.Kind

func (v *kindValue) String() string { return string(*v) }

func (v *kindValue) Set(s string) error {
	k, err := emit.ParseKind(s)
	if err != nil {
		return err
	}
	*v = kindValue(k)
	return nil
}

func kindNames() string {
	var names []string
	for _, k := range emit.Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, "|")
}

// dataFlags are the flags that say which rows to generate.
type dataFlags struct {
	kind              kindValue
	seed              uint64
	tricky, oddTimes  bool
	contacts, orders  int
	withKind, withOut bool
	out               string
}

func (d *dataFlags) register(fs *flagSet) {
	d.kind = kindValue(emit.Orders)
	if d.withKind {
		fs.Var(&d.kind, "kind", "write rows of `KIND`: "+kindNames())
	}
	fs.Uint64Var(&d.seed, "seed", 1, "selects the data; the same seed gives the same bytes")
	fs.BoolVar(&d.tricky, "tricky", false, "put commas, double quotes and newlines into some text fields")
	fs.BoolVar(&d.oddTimes, "odd-times", false, "write timestamps in varied formats (epoch seconds and millis, naive, odd offsets)")
	fs.IntVar(&d.contacts, "contacts", emit.DefaultContacts, "orders point at contact ids 1..`N`")
	fs.IntVar(&d.orders, "orders", emit.DefaultOrders, "order updates point at order ids 1..`N`")
	if d.withOut {
		fs.StringVar(&d.out, "out", "", "write to `FILE` instead of stdout")
	}
}

func (d *dataFlags) options() (emit.Options, error) {
	if d.contacts < 1 {
		return emit.Options{}, usagef("--contacts %d: want at least 1", d.contacts)
	}
	if d.orders < 1 {
		return emit.Options{}, usagef("--orders %d: want at least 1", d.orders)
	}
	return emit.Options{
		Kind: emit.Kind(d.kind), Seed: d.seed, Tricky: d.tricky, OddTimes: d.oddTimes,
		Contacts: d.contacts, Orders: d.orders,
	}, nil
}

// writeOutput calls write with the file path, created, or with stdout when
// path is empty or "-". A file is removed again when write fails, so that
// no half-written fixture is left behind.
func writeOutput(path string, stdout io.Writer, write func(w io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

var (
	_ flag.Value = (*sizeValue)(nil)
	_ flag.Value = (*kindValue)(nil)
)
