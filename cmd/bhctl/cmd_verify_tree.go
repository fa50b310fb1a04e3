package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
)

// runVerifyCheckpoint is bhctl verify --checkpoint FILE.
func runVerifyCheckpoint(c *cli.Context, e *env) error {
	if c.Bool("assets") || c.Bool("orphans") {
		return usagef("verify --checkpoint: takes no --assets or --orphans (run them apart)")
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	file := c.String("checkpoint")
	cp, err := openCheckpointFile(file, c.StringSlice("verifier"), h.Home, root)
	if err != nil {
		return err
	}
	tree, err := h.Tree(root)
	if err != nil {
		return err
	}
	res, err := merkle.Check(e.ctx, tree, cp)
	if err != nil {
		return err
	}
	faults := 0
	for _, f := range res.Faults {
		faults++
		if e.json {
			if err := e.printJSON(faultJSON{f.Block, f.Height, f.Asset, f.Problem, oneLine(f.Error())}); err != nil {
				return err
			}
			continue
		}
		e.printf("%s\n", oneLine(f.Error()))
	}
	if d := res.Departure; d != nil {
		faults++
		if e.json {
			out := map[string]any{"checkpoint": file, "problem": "departs: " + d.Problem, "error": oneLine(d.Error())}
			if d.Known {
				out["height"], out["leaf"] = d.Height, d.Leaf
			}
			if err := e.printJSON(out); err != nil {
				return err
			}
		} else {
			e.printf("checkpoint %s: %s\n", file, oneLine(d.Error()))
		}
	}
	if faults > 0 {
		return faultsFound{faults}
	}
	e.notef("chain %s holds the checkpoint's %d receipts (root %s) as a prefix; %d block(s) read", e.chain, cp.Size, merkle.HexHash(cp.Root), res.Blocks)
	return nil
}

// runVerifyProof is bhctl verify --proof FILE: no store is opened.
func runVerifyProof(c *cli.Context, e *env) error {
	if c.Bool("assets") || c.Bool("orphans") {
		return usagef("verify --proof: takes no --assets or --orphans")
	}
	file := c.String("proof")
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("proof: %w", err)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return fmt.Errorf("proof %s: not a JSON object: %v", file, err)
	}
	var cp *merkle.Checkpoint
	if f := c.String("checkpoint"); f != "" {
		got, err := openCheckpointFile(f, c.StringSlice("verifier"), e.cfg.Home, chain.Block{}) // no store: any chain's
		if err != nil {
			return err
		}
		cp = &got
	}
	var size int64
	var root, what string
	var perr error
	if _, ok := probe["leaf_index"]; ok {
		var p merkle.Inclusion
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("proof %s: %v", file, err)
		}
		perr, size, root = p.Check(), p.TreeSize, p.Root
		what = fmt.Sprintf("asset %s is leaf %d of the tree of %d (root %s)", p.Hash, p.LeafIndex, p.TreeSize, p.Root)
	} else {
		var p merkle.Consistency
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("proof %s: %v", file, err)
		}
		if _, ok := probe["from"]; !ok {
			return fmt.Errorf("proof %s: neither an inclusion proof (leaf_index) nor a consistency proof (from)", file)
		}
		perr, size, root = p.Check(), p.To, p.ToRoot
		what = fmt.Sprintf("the tree of %d (root %s) is a prefix of the tree of %d (root %s)", p.From, p.FromRoot, p.To, p.ToRoot)
	}
	if perr == nil && cp != nil && (cp.Size != size || merkle.HexHash(cp.Root) != root) {
		perr = fmt.Errorf("proof: its tree (size %d, root %s) is not the checkpoint's (size %d, root %s)", size, root, cp.Size, merkle.HexHash(cp.Root))
	}
	if perr != nil {
		if e.json {
			if err := e.printJSON(map[string]string{"proof": file, "problem": "does not verify", "error": oneLine(perr.Error())}); err != nil {
				return err
			}
		} else {
			e.printf("proof %s: %s\n", file, oneLine(perr.Error()))
		}
		return faultsFound{1}
	}
	if e.json {
		return e.printJSON(map[string]any{"proof": file, "ok": true, "tree_size": size, "root": root})
	}
	e.notef("proof %s verifies: %s", file, what)
	return nil
}
