package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/contract"
)

func newContractCommand() *cli.Command {
	return &cli.Command{
		Name:  "contract",
		Usage: "turn matched assets into events handed to commands, URLs or chains",
		Subcommands: []*cli.Command{{
			Name:      "run",
			Usage:     "run a contract file over the chain",
			ArgsUsage: "FILE",
			Description: "Walks the chain, matches records against the contract's filters and hands\n" +
				"each event out once, in chain order, to its handlers. The position is kept\n" +
				"in --checkpoint (default HOME/contracts/NAME-CHAIN.json), so a second run hands\n" +
				"out only new events. A handler failing after its retries ends the run (exit 1).",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "live", Usage: "after the tail, follow the chain for new assets"},
				&cli.StringFlag{Name: "checkpoint", Usage: "file of the run's position"},
				&cli.UintFlag{Name: "tries", Value: 5, Usage: "times a handler is tried before the run fails"},
			},
			Action: withEnv(runContract),
		}},
	}
}

func runContract(c *cli.Context, e *env) error {
	if c.NArg() != 1 {
		return usagef("contract run takes one contract file (got %d arguments)", c.NArg())
	}
	if c.Uint("tries") == 0 {
		return usagef("--tries 0: want at least 1")
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	appendChain := func(ctx context.Context, name string, data []byte) error {
		r, _, err := h.Chain(ctx, name, nil)
		if err != nil {
			return err
		}
		w, err := h.Writer(ctx, r)
		if err != nil {
			return err
		}
		if _, err := w.Append(ctx, appender.Chunk{Data: data, Type: "application/x-ndjson", Meta: metaJSON(nil, "source", "contract")}); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	}
	k, err := contract.Load(c.Args().First(), &contract.LoadOptions{AppendChain: appendChain, Stderr: e.stderr})
	if err != nil {
		return usageError{err}
	}
	cp := c.String("checkpoint")
	if cp == "" {
		cp = filepath.Join(h.Home, "contracts", fmt.Sprintf("%s-%.16s.json", k.Name, root.ID))
	}
	if c.Bool("live") {
		e.notef("contract %s: following chain %q live (interrupt to stop)", k.Name, e.chain)
	}
	sum, err := k.Run(e.ctx, oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}, &contract.RunOptions{
		Live: c.Bool("live"), Checkpoint: cp, MaxTries: c.Uint("tries"), Logger: e.log,
		OnEvent: func(ev contract.Event) {
			if e.json {
				e.printJSON(map[string]any{"event": ev.Name, "id": ev.ID, "key": ev.Key, "height": ev.Height, "index": ev.Index})
				return
			}
			fmt.Fprintf(e.stdout, "%s %s key=%s height=%d asset=%d\n", ev.Name, ev.ID, ev.Key, ev.Height, ev.Index)
		},
	})
	if err != nil && !(c.Bool("live") && errors.Is(err, context.Canceled) && e.ctx.Err() != nil) {
		return err
	}
	// An interrupt is how a live run stops: events handed out so far are
	// checkpointed, and the next run goes on after them.
	if sum.Skipped > 0 {
		// Met again after a restart or a change of the contract.
		e.notef("contract %s: %d events handed out (%d met again, handed out before)", k.Name, sum.Events, sum.Skipped)
	} else {
		e.notef("contract %s: %d events handed out", k.Name, sum.Events)
	}
	return nil
}
