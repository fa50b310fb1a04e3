package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/internal/emitcli"
)

func init() {
	commandExamples["emit"] = "bhctl emit csv --kind orders --rows 1000 --out orders.csv"
}

func newEmitCommand() *cli.Command {
	return &cli.Command{
		Name:      "emit",
		Usage:     "write deterministic fake data: csv, json, excel, images, junk, live rows",
		ArgsUsage: "csv|json|excel|image|junk|shuffle|stream [FLAGS]",
		Description: "The emitter of examples/emitter, for trying connectors and writing tests:\n" +
			"CSV and JSON rows of stocks, contacts, orders and order updates, .xlsx\n" +
			"workbooks, PNG images (images), random bytes, shuffled CSV, and rows written\n" +
			"one at a time (stream, or live). csv --malformed bad-quotes,ragged,binary (or\n" +
			"all) breaks every --malformed-every Nth row, to see how a connector reports\n" +
			"bad input. The same flags give the same bytes (--seed N). bhctl emit -h lists\n" +
			"the commands, bhctl emit csv -h the flags of one.",
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			code := emitcli.Run(c.Context, "bhctl emit", c.Args().Slice(), c.App.Reader, c.App.Writer, c.App.ErrWriter)
			if code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
}

// exitCode ends bhctl with this code; the message was already printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit code %d", int(e)) }
