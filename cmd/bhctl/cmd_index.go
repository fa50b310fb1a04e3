package main

import (
	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/index"
)

func newIndexCommand() *cli.Command {
	return &cli.Command{
		Name:  "index",
		Usage: "manage the derived index that --prevent-dups reads",
		Subcommands: []*cli.Command{{
			Name:  "rebuild",
			Usage: "delete the chain's index and make it anew from the chain",
			Description: "The index (in --home, index/<chain id>.db) only speeds up --prevent-dups;\n" +
				"the chain is the source of truth, so rebuilding it changes no result.",
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
	if e.json {
		return e.printJSON(map[string]any{"chain": root.ID, "blocks": n})
	}
	e.notef("index of chain %s rebuilt from %d block(s)", e.chain, n)
	return nil
}
