package emitcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// streams are where a command reads and writes, and the program's name
// for its messages (emitter, or bhctl emit).
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	prog           string
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, s streams, args []string) error
	aliases       []string
}

func commands() []command {
	return []command{
		{"csv", "CSV rows of stocks, contacts, orders or order_updates", runCSV, nil},
		{"json", "the same rows as JSON lines", runJSON, nil},
		{"excel", "an .xlsx workbook, orders with a formula column first", runExcel, nil},
		{"junk", "random bytes", runJunk, nil},
		{"image", "a PNG picture", runImage, []string{"images"}},
		{"shuffle", "CSV from stdin with its rows shuffled, header first", runShuffle, nil},
		{"stream", "rows written one at a time with a delay", runStream, []string{"live"}},
	}
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// Run runs the command line args (after the program's name prog) and
// returns the exit code: 0 success, 1 failure, 2 usage error. Errors are
// one line on stderr.
func Run(ctx context.Context, prog string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := streams{stdin, stdout, stderr, prog}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "%s: missing command (%s); see %s -h\n", prog, commandNames(), prog)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout, prog)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] && !slices.Contains(c.aliases, args[0]) {
			continue
		}
		err := c.run(ctx, s, args[1:])
		var uerr usageError
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &uerr):
			fmt.Fprintf(stderr, "%s %s: %v; see %s %s -h\n", prog, c.name, err, prog, c.name)
			return 2
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "%s %s: interrupted\n", prog, c.name)
			return 1
		default:
			fmt.Fprintf(stderr, "%s %s: %v\n", prog, c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "%s: unknown command %q (want one of %s)\n", prog, args[0], commandNames())
	return 2
}

func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func printUsage(w io.Writer, prog string) {
	fmt.Fprintf(w, "%s writes deterministic test data for BlockHub.\n\nUsage: %s COMMAND [flags]\n\nCommands:\n", prog, prog)
	for _, c := range commands() {
		also := ""
		if len(c.aliases) > 0 {
			also = " (also: " + strings.Join(c.aliases, ", ") + ")"
		}
		fmt.Fprintf(w, "  %-8s %s%s\n", c.name, c.summary, also)
	}
	fmt.Fprintf(w, "\nEvery command takes --seed N (default 1) and writes to stdout unless --out FILE;\nshuffle reads CSV from stdin. Run %s COMMAND -h for a command's flags.\n", prog)
}
