package main

import (
	"errors"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

func init() {
	commandExamples["info"] = "bhctl --chain orders info -o json"
}

func newInfoCommand() *cli.Command {
	return &cli.Command{
		Name:  "info",
		Usage: "print the home, the store URLs, the chain and its height",
		Description: "The home is --home or BH_HOME when given, else the nearest .bh in this folder\n" +
			"or above it (as git finds .git), else ./.bh (made on first write). Store URLs\n" +
			"are printed with their secrets masked. A chain not created yet has no id.",
		Action: withEnv(runInfo),
	}
}

// info is what bhctl info prints.
type info struct {
	Home        string   `json:"home"`
	BlockStores []string `json:"block_stores"`
	AssetStores []string `json:"asset_stores"`
	Cluster     string   `json:"cluster,omitempty"`
	Chain       string   `json:"chain"`
	ChainID     string   `json:"chain_id,omitempty"`
	Height      *uint64  `json:"height,omitempty"`
	Tail        string   `json:"tail,omitempty"`
}

func runInfo(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("info takes no arguments (got %q)", c.Args().First())
	}
	home, err := filepath.Abs(e.cfg.Home)
	if err != nil {
		return err
	}
	in := info{
		Home:        home,
		BlockStores: redactAll(e.cfg.BlockStore, home),
		AssetStores: redactAll(e.cfg.AssetStore, home),
		Chain:       e.chain,
	}
	if len(e.cfg.BlockStore) > 1 || len(e.cfg.AssetStore) > 1 {
		in.Cluster = e.cfg.ClusterPolicy
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	root, err := h.Resolve(e.ctx, e.chain)
	switch {
	case errors.Is(err, chain.ErrNotFound):
	case err != nil:
		return err
	default:
		tail, err := h.Blocks.Tail(e.ctx, root.ID)
		if err != nil {
			return err
		}
		in.ChainID, in.Height, in.Tail = root.ID, &tail.Height, tail.ID
	}
	if e.json {
		return e.printJSON(in)
	}
	e.printf("home         %s\n", in.Home)
	for _, u := range in.BlockStores {
		e.printf("block store  %s\n", u)
	}
	for _, u := range in.AssetStores {
		e.printf("asset store  %s\n", u)
	}
	if in.Cluster != "" {
		e.printf("cluster      %s\n", in.Cluster)
	}
	if in.Height == nil {
		e.printf("chain        %s (not created yet: made on first write)\n", in.Chain)
		return nil
	}
	e.printf("chain        %s (%s)\n", in.Chain, in.ChainID)
	e.printf("height       %d (tail %s)\n", *in.Height, in.Tail)
	return nil
}

// redactAll masks the secrets of store URLs; none means the home.
func redactAll(urls []string, home string) []string {
	if len(urls) == 0 {
		return []string{home}
	}
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = store.Redact(u)
	}
	return out
}
