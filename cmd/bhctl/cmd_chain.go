package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain"
)

func newChainCommand() *cli.Command {
	return &cli.Command{
		Name:  "chain",
		Usage: "create and list chains",
		Subcommands: []*cli.Command{
			{
				Name:      "create",
				Usage:     "create a chain",
				ArgsUsage: "NAME",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "hash", Value: "sha256", Usage: "hash function: sha256 or md5"},
					&cli.IntFlag{Name: "min", Value: 1, Usage: "receipts a long-running builder waits for before linking a block"},
					&cli.IntFlag{Name: "max", Value: 1000, Usage: "most receipts in one block"},
					&cli.DurationFlag{Name: "ttl", Value: time.Second, Usage: "longest a receipt waits to be linked"},
				},
				Action: withEnv(runChainCreate),
			},
			{
				Name:   "list",
				Usage:  "list the chains of the block store",
				Action: withEnv(runChainList),
			},
		},
	}
}

// chainSettings builds and checks the settings that chain create asks for.
func chainSettings(name, hash string, min, max int, ttl time.Duration) (chain.Settings, error) {
	c, err := chain.ParseCrypt(hash)
	if err != nil {
		return chain.Settings{}, usagef("--hash: %v", err)
	}
	s := chain.Settings{Name: name, Crypt: c, MinAssets: min, MaxAssets: max, TTL: chain.Duration(ttl)}
	if err := s.Validate(); err != nil {
		return chain.Settings{}, usageError{err}
	}
	return s, nil
}

func runChainCreate(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one chain NAME"); err != nil {
		return err
	}
	s, err := chainSettings(c.Args().First(), c.String("hash"), c.Int("min"), c.Int("max"), c.Duration("ttl"))
	if err != nil {
		return err
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	root, err := h.Create(e.ctx, s)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(chainJSON(root, s, 0))
	}
	e.printf("%s\n", root.ID)
	return nil
}

type chainInfo struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Created string         `json:"created"`
	Height  uint64         `json:"height"`
	Tail    string         `json:"tail,omitempty"`
	Set     chain.Settings `json:"settings"`
}

func chainJSON(root chain.Block, s chain.Settings, height uint64) chainInfo {
	return chainInfo{ID: root.ID, Name: s.Name, Created: root.Time, Height: height, Set: s}
}

func runChainList(c *cli.Context, e *env) error {
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	for root, err := range h.Chains(e.ctx) {
		if err != nil {
			e.log.Warn("unreadable root", "err", err)
			continue
		}
		s, err := chain.RootSettings(root)
		if err != nil {
			e.log.Warn("root without settings", "id", root.ID, "err", err)
			continue
		}
		tail, err := h.Blocks.Tail(e.ctx, root.ID)
		if err != nil {
			return err
		}
		info := chainJSON(root, s, tail.Height)
		info.Tail = tail.ID
		if e.json {
			if err := e.printJSON(info); err != nil {
				return err
			}
			continue
		}
		e.printf("%s  %-20s height %-8d %s  created %s\n", root.ID, s.Name, tail.Height, s.Crypt, root.Time)
	}
	return nil
}
