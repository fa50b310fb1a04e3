package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
	"github.com/blockhub/blockhub/index"
)

func newProveCommand() *cli.Command {
	return &cli.Command{
		Name:      "prove",
		Usage:     "print a Merkle proof: an asset is on the chain, or the chain only grew",
		ArgsUsage: "HASH | --from N [--to M]",
		Description: "bhctl prove HASH prints the inclusion proof of the asset's first receipt in\n" +
			"the chain's tree (at --size N, or the checkpoint's size with --checkpoint, or\n" +
			"now); bhctl prove --from N [--to M] the consistency proof between tree sizes\n" +
			"N and M (default: now). Save one with -o json: bhctl verify --proof FILE\n" +
			"checks it offline.",
		Flags: []cli.Flag{
			&cli.Int64Flag{Name: "size", Usage: "tree size to prove against (default: the current size)"},
			&cli.StringFlag{Name: "checkpoint", Usage: "prove against this checkpoint `FILE` (its size; its root must match)"},
			&cli.StringSliceFlag{Name: "verifier", Usage: "verifier `KEY` (or file) of the checkpoint's signer (default: keys/*.vkey in --home)"},
			&cli.Int64Flag{Name: "from", Usage: "consistency proof from tree size N"},
			&cli.Int64Flag{Name: "to", Usage: "consistency proof to tree size M (default: the current size)"},
		},
		Action:      withEnv(runProve),
		Subcommands: []*cli.Command{newProveRowCommand()},
	}
}

// checkProveArgs checks that the command asks for one kind of proof.
func checkProveArgs(nargs int, from, to, size int64, checkpoint bool) error {
	switch {
	case from != 0 && nargs != 0:
		return usagef("prove: give a HASH or --from, not both")
	case from == 0 && to != 0:
		return usagef("prove: --to needs --from")
	case from == 0 && nargs != 1:
		return usagef("prove: want one asset HASH, or --from N")
	case from < 0 || to < 0 || size < 0:
		return usagef("prove: sizes are positive")
	case from != 0 && (size != 0 || checkpoint):
		return usagef("prove --from: takes --to, not --size or --checkpoint")
	case size != 0 && checkpoint:
		return usagef("prove: --size or --checkpoint, not both")
	}
	return nil
}

func runProve(c *cli.Context, e *env) error {
	from, to, size := c.Int64("from"), c.Int64("to"), c.Int64("size")
	if err := checkProveArgs(c.NArg(), from, to, size, c.String("checkpoint") != ""); err != nil {
		return err
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	tree, err := h.Tree(root)
	if err != nil {
		return err
	}
	if _, err := tree.Update(e.ctx); err != nil {
		return err
	}
	if from != 0 {
		p, err := tree.ProveConsistency(e.ctx, from, to)
		if err != nil {
			return err
		}
		if e.json {
			return e.printJSON(p)
		}
		e.printf("from %d %s\nto %d %s\n", p.From, p.FromRoot, p.To, p.ToRoot)
		printPath(e, p.Proof)
		return nil
	}
	hash := c.Args().First()
	if err := chain.CheckHex("asset hash", hash); err != nil {
		return usageError{err}
	}
	var cp *merkle.Checkpoint
	if f := c.String("checkpoint"); f != "" {
		got, err := openCheckpointFile(f, c.StringSlice("verifier"), h.Home, root)
		if err != nil {
			return err
		}
		cp, size = &got, got.Size
	}
	p, err := proveAsset(e, h, root, tree, hash, size)
	if err != nil {
		return err
	}
	if cp != nil && p.Root != merkle.HexHash(cp.Root) {
		return fmt.Errorf("prove: the chain's tree at size %d has root %s, the checkpoint %s: the chain departs from it (bhctl verify --checkpoint)", cp.Size, p.Root, merkle.HexHash(cp.Root))
	}
	return printInclusion(e, p)
}

// proveAsset proves the first receipt of asset hash at tree size (0: now).
func proveAsset(e *env, h *blockhub.Hub, root chain.Block, tree *merkle.Tree, hash string, size int64) (merkle.Inclusion, error) {
	idx, err := index.Open(e.ctx, h.Home, h.Blocks, root)
	if err != nil {
		return merkle.Inclusion{}, err
	}
	height, i, ok := idx.Position(hash)
	idx.Close()
	if !ok {
		return merkle.Inclusion{}, fmt.Errorf("prove: asset %s: %w on chain %s", hash, chain.ErrNotFound, e.chain)
	}
	pos, err := tree.Leaf(e.ctx, height, i)
	if err != nil {
		return merkle.Inclusion{}, err
	}
	return tree.ProveInclusion(e.ctx, pos, size)
}

func printInclusion(e *env, p merkle.Inclusion) error {
	if e.json {
		return e.printJSON(p)
	}
	e.printf("asset %s\nleaf %d of %d (block %s height %d index %d)\nroot %s\n", p.Hash, p.LeafIndex, p.TreeSize, p.Block, p.Height, p.Index, p.Root)
	printPath(e, p.Proof)
	return nil
}

func printPath(e *env, path []string) {
	for _, h := range path {
		e.printf("  %s\n", h)
	}
}

// readCheckpointFile returns the signed note of a checkpoint file: the
// note itself, or the JSON object bhctl checkpoint -o json prints.
func readCheckpointFile(file string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var j checkpointJSON
		if err := json.Unmarshal(t, &j); err != nil || j.Note == "" {
			return nil, fmt.Errorf("checkpoint %s: a JSON object without its note", file)
		}
		return []byte(j.Note), nil
	}
	return b, nil
}

// openCheckpointFile reads and checks a checkpoint of the chain root.
func openCheckpointFile(file string, given []string, home string, root chain.Block) (merkle.Checkpoint, error) {
	msg, err := readCheckpointFile(file)
	if err != nil {
		return merkle.Checkpoint{}, err
	}
	vs, err := verifiers(given, home)
	if err != nil {
		return merkle.Checkpoint{}, err
	}
	cp, _, err := merkle.OpenCheckpoint(msg, vs)
	if err != nil {
		return merkle.Checkpoint{}, fmt.Errorf("%s: %w", file, err)
	}
	if root.ID != "" && cp.Origin != merkle.Origin(root.ID) {
		return cp, fmt.Errorf("checkpoint %s: origin %s is not chain %s (%s)", file, cp.Origin, strings.TrimPrefix(merkle.Origin(root.ID), "blockhub/"), root.ID)
	}
	return cp, nil
}
