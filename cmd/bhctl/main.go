// Command bhctl captures data into BlockHub chains, walks and verifies
// them. It is a thin layer over the blockhub library: every command parses
// its flags, calls the library and prints results to stdout (one JSON
// object per line with -o json); everything else goes to stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/connectors"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A capture allocates many short-lived values (a MiB chunk, a
		// database row's boxed columns) over a small live heap, which the
		// default (100) collects again and again: 400 spends about a
		// tenth less CPU on an import (docs/BENCHMARKS.md) for a heap
		// that stays small and flat. GOGC in the environment still rules.
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// gcPercent is bhctl's garbage collection target (see main).
const gcPercent = 400

// run executes bhctl with args and returns the exit code: 0 success, 1
// failure or faults found, 2 usage error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, normalizeArgs(app, args))
	if err == nil {
		return 0
	}
	var sig signalled
	if errors.As(err, &sig) || errors.Is(err, context.Canceled) && errors.As(context.Cause(ctx), &sig) {
		fmt.Fprintf(stderr, "bhctl: interrupted by %s\n", sig)
		return 128 + int(sig.sig)
	}
	var ue usageError
	var ff faultsFound
	var ec exitCode
	switch {
	case errors.As(err, &ec):
		return int(ec)
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "bhctl: %v (see bhctl help)\n", err)
		return 2
	case errors.As(err, &ff):
		fmt.Fprintf(stderr, "bhctl: %v\n", err)
		return 1
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "bhctl: interrupted")
		return 1
	}
	fmt.Fprintf(stderr, "bhctl: %s\n", oneLine(err.Error()))
	return 1
}

// signalled is the cause of a context that SIGINT or SIGTERM ended: a
// command it stops exits 128+n (130, 143), as shells report it.
type signalled struct{ sig syscall.Signal }

func (s signalled) Error() string {
	if s.sig == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}

// signalContext is a context that the first SIGINT or SIGTERM cancels,
// with a signalled cause.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancel(signalled{s.(syscall.Signal)})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// usageError marks a mistake in how bhctl was called (exit code 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// faultsFound is returned by verify when the chain has faults (exit 1,
// faults already printed).
type faultsFound struct{ n int }

func (f faultsFound) Error() string { return fmt.Sprintf("%d fault(s) found", f.n) }

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "bhctl",
		Usage: "capture data into tamper-evident chains, walk and verify them",
		Description: "BlockHub keeps data as assets (chunks named by their content hash) listed in\n" +
			"hash-linked blocks. bhctl writes and reads chains in the store chosen by\n" +
			"--home (the embedded folder store: the nearest .bh here or above, else ./.bh)\n" +
			"or by store URLs.",
		Version:                buildVersion().Version,
		Flags:                  globalFlags(),
		Reader:                 stdin,
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideHelpCommand:        false,
		UseShortOptionHandling: true,
		EnableBashCompletion:   true,
		Suggest:                true,
		ExitErrHandler:         func(*cli.Context, error) {}, // run() reports errors
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Commands: []*cli.Command{
			newChainCommand(),
			newPipeCommand(),
			newWalkCommand(),
			newTailCommand(),
			newBlockCommand(),
			newAssetCommand(),
			newVerifyCommand(),
			newImportCommand(),
			newIndexCommand(),
			newStoreCommand(),
			newOracleCommand(),
			newContractCommand(),
			newServeCommand(),
			newHelpCommand(),
			newVersionCommand(),
			newInfoCommand(),
			newEmitCommand(),
			newCompletionCommand(),
			newChainsCommand(),
			newCheckpointCommand(),
			newKeyCommand(),
			newProveCommand(),
			newStatusCommand(),
			newDLQCommand(),
			newQueryCommand(),
			newSearchCommand(),
			newAssetsCommand(),
		},
	}
	// `bhctl stream` is `bhctl import stream`, as the mission's CLI names it.
	if spec, err := connectors.Lookup("stream"); err == nil {
		app.Commands = append(app.Commands, connectorCommand(spec))
	}
	app.Action = appAction
	for _, c := range app.Commands {
		setUsageErrors(c)
		addExample(c, c.Name)
	}
	app.CustomAppHelpTemplate = appHelpTemplate()
	return app
}

func setUsageErrors(c *cli.Command) {
	c.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
	for _, s := range c.Subcommands {
		setUsageErrors(s)
	}
}
