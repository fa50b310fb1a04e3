package main

import (
	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain/merkle"
	"github.com/blockhub/blockhub/index"
)

func newIndexCommand() *cli.Command {
	return &cli.Command{
		Name:  "index",
		Usage: "manage the derived index (--prevent-dups) and Merkle tree (checkpoint, prove)",
		Subcommands: []*cli.Command{{
			Name:  "rebuild",
			Usage: "delete the chain's index and Merkle tree and make them anew from the chain",
			Description: "The index (in --home, index/<chain id>.db) only speeds up --prevent-dups and\n" +
				"bhctl prove; the Merkle tree's tiles (in the block store) are what checkpoint\n" +
				"and prove read. The chain is the source of truth, so rebuilding them changes\n" +
				"no result (a tree rebuilt from a tampered chain no longer matches the\n" +
				"checkpoints taken before).",
			Action: withEnv(runIndexRebuild),
		}},
	}
}

func runIndexRebuild(c *cli.Context, e *env) error {
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	n, err := index.Rebuild(e.ctx, h.Home, h.Blocks, root)
	if err != nil {
		return err
	}
	tree, err := h.Tree(root)
	if err != nil {
		return err
	}
	head, err := tree.Rebuild(e.ctx)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"chain": root.ID, "blocks": n, "receipts": head.Size, "root": merkle.HexHash(head.Root)})
	}
	e.notef("index and Merkle tree of chain %s rebuilt from %d block(s), %d receipt(s)", e.chain, n, head.Size)
	return nil
}
