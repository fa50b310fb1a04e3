package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
)

func newWalkCommand() *cli.Command {
	return &cli.Command{
		Name:  "walk",
		Usage: "print the chain's blocks, root to tail, checking each",
		Description: "Text output is one line per block (height, id, time, assets); -o json prints\n" +
			"each block as its stored JSON document. --live keeps following the chain.\n" +
			"A --from past the tail is an error (exit 1), as is --from after --to.\n\n" +
			"--on-fault says what a block that fails its checks does: fail stops the walk\n" +
			"there (exit 1); report prints the fault on stderr, goes on where it can and\n" +
			"exits 1 at the end; skip checks nothing beyond following the links.\n\n" +
			"Example:\n  bhctl --chain orders walk --from 100 --to 120 --assets -o json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "first block: id or height"},
			&cli.StringFlag{Name: "to", Usage: "last block: id or height"},
			&cli.BoolFlag{Name: "live", Usage: "after the tail, wait for new blocks (until interrupted)"},
			&cli.BoolFlag{Name: "assets", Usage: "print the assets of each block too"},
			&cli.StringFlag{Name: "on-fault", Value: "fail", Usage: "what a faulty block does: fail, report or skip"},
		},
		Action: withEnv(runWalk),
	}
}

// walkOptions checks walk's flags and turns them into the walker's options.
func walkOptions(from, to, onFault string, live bool) (*walk.Options, error) {
	opts := &walk.Options{From: from, To: to, Live: live}
	switch onFault {
	case "fail":
		opts.Mode = walk.Stop
	case "report":
		opts.Mode = walk.Report
	case "skip":
		opts.Mode = walk.Skip
	default:
		return nil, usagef("walk: --on-fault %q: want fail, report or skip", onFault)
	}
	fh, fromHeight := walkHeight(from)
	th, toHeight := walkHeight(to)
	if from != "" && !fromHeight && !chain.IsHex(from) {
		return nil, usagef("walk: --from %q: want a block id or a height", from)
	}
	if to != "" && !toHeight && !chain.IsHex(to) {
		return nil, usagef("walk: --to %q: want a block id or a height", to)
	}
	if fromHeight && toHeight && fh > th {
		return nil, usagef("walk: --from %d is after --to %d", fh, th)
	}
	return opts, nil
}

func walkHeight(s string) (uint64, bool) {
	h, err := strconv.ParseUint(s, 10, 64)
	return h, err == nil
}

func runWalk(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("walk takes no arguments (got %q); use --chain, --from, --to", c.Args().First())
	}
	opts, err := walkOptions(c.String("from"), c.String("to"), c.String("on-fault"), c.Bool("live"))
	if err != nil {
		return err
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	n, faults := 0, 0
	for b, err := range h.Walker(root).All(e.ctx, opts) {
		var fault *walk.Fault
		if errors.As(err, &fault) && opts.Mode == walk.Report {
			faults++
			fmt.Fprintf(e.stderr, "bhctl: fault: %s\n", oneLine(fault.Error()))
			if b.ID == "" {
				continue
			}
			err = nil
		}
		if err != nil {
			if opts.Live && errors.Is(err, e.ctx.Err()) {
				return nil
			}
			return err
		}
		n++
		if err := printBlock(e, b, c.Bool("assets")); err != nil {
			return err
		}
	}
	if opts.Live && e.ctx.Err() != nil {
		return nil // interrupted: a normal end for a live walk
	}
	if faults > 0 {
		return faultsFound{faults}
	}
	if n == 0 && opts.From != "" && !opts.Live {
		return pastTail(e, h, root, "--from "+opts.From)
	}
	return nil
}

// pastTail is the error of a walk whose --from or --to is not on the chain.
func pastTail(e *env, h *blockhub.Hub, root chain.Block, what string) error {
	tail, err := h.Blocks.Tail(e.ctx, root.ID)
	if err != nil {
		return err
	}
	return fmt.Errorf("walk: %s: past the tail of chain %q (height %d)", what, e.chain, tail.Height)
}

type assetLine struct {
	Block  string `json:"block"`
	Height uint64 `json:"height"`
	Index  int    `json:"index"`
	chain.Receipt
}

func printBlock(e *env, b chain.Block, assets bool) error {
	if e.json {
		if assets {
			for i, r := range b.Assets {
				if err := e.printJSON(assetLine{b.ID, b.Height, i, r}); err != nil {
					return err
				}
			}
			return nil
		}
		doc, err := b.Encode()
		if err != nil {
			return err
		}
		return e.printRaw(doc)
	}
	e.printf("%d %s %s %d asset(s)\n", b.Height, b.ID, b.Time, len(b.Assets))
	if assets {
		for _, r := range b.Assets {
			e.printf("  %s %d %s %s\n", r.Hash, r.Length, r.Type, r.Meta)
		}
	}
	return nil
}

func newTailCommand() *cli.Command {
	return &cli.Command{
		Name:   "tail",
		Usage:  "print the chain's last block",
		Action: withEnv(runTail),
	}
}

func runTail(c *cli.Context, e *env) error {
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	tail, err := h.Blocks.Tail(e.ctx, root.ID)
	if err != nil {
		return err
	}
	return printBlock(e, tail, false)
}

func newBlockCommand() *cli.Command {
	return &cli.Command{
		Name:      "block",
		Usage:     "print one block as JSON, checked against its id",
		ArgsUsage: "ID|PREFIX|HEIGHT",
		Description: "A number is a height on --chain (past the tail, the prefix of an id it\n" +
			"matches); a unique prefix of an id (4 hex digits or more) is looked up in\n" +
			"--chain's index.\n\n" +
			"Example:\n  bhctl --chain orders block 120",
		Action: withEnv(runBlock),
	}
}

func runBlock(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one block ID, a prefix of one, or a HEIGHT"); err != nil {
		return err
	}
	arg, err := parseHashArg("block", c.Args().First(), true)
	if err != nil {
		return err
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	var b chain.Block
	if arg.full != "" {
		b, err = h.Blocks.Get(e.ctx, arg.full)
	} else {
		var root chain.Block
		root, err = h.Resolve(e.ctx, e.chain)
		if err != nil {
			return err
		}
		if arg.height >= 0 {
			b, err = blockAt(e.ctx, h, root, arg.height)
			if s := c.Args().First(); errors.Is(err, chain.ErrNotFound) && len(s) >= minPrefix {
				// No block so high: digits can be an id's prefix too.
				if id, perr := resolvePrefix(e.ctx, h, root, e.chain, "block", s, true); !errors.Is(perr, errNoMatch) {
					if err = perr; err == nil {
						b, err = h.Blocks.Get(e.ctx, id)
					}
				}
			}
		} else {
			var id string
			if id, err = resolvePrefix(e.ctx, h, root, e.chain, "block", arg.prefix, true); err == nil {
				b, err = h.Blocks.Get(e.ctx, id)
			}
		}
	}
	if err != nil {
		return err
	}
	doc, err := b.Encode()
	if err != nil {
		return err
	}
	return e.printRaw(doc)
}
