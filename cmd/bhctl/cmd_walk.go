package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
)

func newWalkCommand() *cli.Command {
	return &cli.Command{
		Name:  "walk",
		Usage: "print the chain's blocks, root to tail, checking each",
		Description: "Text output is one line per block (height, id, time, assets); -o json prints\n" +
			"each block as its stored JSON document. --live keeps following the chain.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "first block: id or height"},
			&cli.StringFlag{Name: "to", Usage: "last block: id or height"},
			&cli.BoolFlag{Name: "live", Usage: "after the tail, wait for new blocks (until interrupted)"},
			&cli.BoolFlag{Name: "assets", Usage: "print the assets of each block too"},
		},
		Action: withEnv(runWalk),
	}
}

func runWalk(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("walk takes no arguments (got %q); use --chain, --from, --to", c.Args().First())
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	opts := &walk.Options{From: c.String("from"), To: c.String("to"), Live: c.Bool("live")}
	for b, err := range h.Walker(root).All(e.ctx, opts) {
		if err != nil {
			if opts.Live && errors.Is(err, e.ctx.Err()) {
				return nil
			}
			return err
		}
		if err := printBlock(e, b, c.Bool("assets")); err != nil {
			return err
		}
	}
	if opts.Live && e.ctx.Err() != nil {
		return nil // interrupted: a normal end for a live walk
	}
	return nil
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
		Description: "A number is a height on --chain; a unique prefix of an id (4 hex digits or\n" +
			"more) is looked up in --chain's index.\n\n" +
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
