package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// streams are where a command reads and writes.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand of emitter.
type command struct {
	name, summary string
	run           func(ctx context.Context, s streams, args []string) error
}

func commands() []command {
	return []command{
		{"csv", "CSV rows of stocks, contacts, orders or order_updates", runCSV},
		{"json", "the same rows as JSON lines", runJSON},
		{"excel", "an .xlsx workbook, orders with a formula column first", runExcel},
		{"junk", "random bytes", runJunk},
		{"image", "a PNG picture", runImage},
		{"shuffle", "CSV from stdin with its rows shuffled, header first", runShuffle},
		{"stream", "rows written one at a time with a delay", runStream},
	}
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := streams{stdin, stdout, stderr}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "emitter: missing command (%s); see emitter -h\n", commandNames())
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, s, args[1:])
		var uerr usageError
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &uerr):
			fmt.Fprintf(stderr, "emitter %s: %v; see emitter %s -h\n", c.name, err, c.name)
			return 2
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "emitter %s: interrupted\n", c.name)
			return 1
		default:
			fmt.Fprintf(stderr, "emitter %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "emitter: unknown command %q (want one of %s)\n", args[0], commandNames())
	return 2
}

func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "emitter writes deterministic test data for BlockHub.\n\nUsage: emitter COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nEvery command takes --seed N (default 1) and writes to stdout unless --out FILE;\nshuffle reads CSV from stdin. Run emitter COMMAND -h for a command's flags.\n")
}
