package merkle

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
)

// Departure says where a chain stops holding a checkpoint's tree.
type Departure struct {
	// Height is the first height where the chain departs from the
	// checkpoint, when Known.
	Height uint64
	Known  bool
	// Leaf is the first leaf that differs or is missing (when Known).
	Leaf int64
	// Problem is one of: cut (the chain holds fewer receipts than the
	// checkpoint), changed (a receipt differs: rewritten, reordered,
	// removed or inserted), split (the checkpoint's size falls inside a
	// block: receipts were added to a block it covers).
	Problem string
	Detail  string
}

func (d *Departure) Error() string {
	if d.Known {
		return fmt.Sprintf("chain departs from the checkpoint at height %d (leaf %d): %s: %s", d.Height, d.Leaf, d.Problem, d.Detail)
	}
	return fmt.Sprintf("chain departs from the checkpoint: %s: %s", d.Problem, d.Detail)
}

// CheckResult is what Check found.
type CheckResult struct {
	// Departure is nil when the chain holds the checkpoint's tree as a
	// prefix.
	Departure *Departure
	// Faults are the chain's own faults the walk met (hash mismatch,
	// broken link, ...).
	Faults []*walk.Fault
	// Blocks and Leaves read from the chain.
	Blocks int
	Leaves int64
}

// Check tells whether the chain rooted at t's root holds, as it is now,
// exactly the tree of cp as a prefix. It walks the chain from its root
// (trusting no stored tile) up to the checkpoint's size and recomputes
// the tree. When the chain departs, the stored leaf hashes, if they hash
// to the checkpoint's root (and so are the leaves it signed), tell the
// first leaf, and so the first height, that differs.
func Check(ctx context.Context, t *Tree, cp Checkpoint) (CheckResult, error) {
	var res CheckResult
	if cp.Origin != t.Origin() {
		return res, fmt.Errorf("checkpoint: origin %q is not this chain's (%s)", cp.Origin, t.Origin())
	}
	if cp.Size < 1 {
		return res, fmt.Errorf("checkpoint: size %d", cp.Size)
	}
	var (
		leaves  = make([]Hash, 0, min(cp.Size, 1<<20))
		heights []uint64 // height of each block read
		starts  []int64  // its first leaf
		last    chain.Block
	)
	for b, err := range walk.New(t.blocks, t.root.ID).All(ctx, &walk.Options{Mode: walk.Report}) {
		if f, ok := err.(*walk.Fault); ok {
			res.Faults = append(res.Faults, f)
			if b.ID == "" {
				break
			}
		} else if err != nil {
			return res, fmt.Errorf("checkpoint: %w", err)
		}
		heights = append(heights, b.Height)
		starts = append(starts, int64(len(leaves)))
		last = b
		res.Blocks++
		for i, rc := range b.Assets {
			h, err := LeafHash(rc)
			if err != nil {
				return res, fmt.Errorf("checkpoint: block %s receipt %d: %w", b.ID, i, err)
			}
			leaves = append(leaves, h)
		}
		if int64(len(leaves)) >= cp.Size {
			break
		}
	}
	res.Leaves = int64(len(leaves))
	heightOf := func(leaf int64) uint64 {
		i := len(starts) - 1
		for i > 0 && starts[i] > leaf {
			i--
		}
		return heights[i]
	}
	var d *Departure
	switch {
	case res.Leaves < cp.Size:
		d = &Departure{Problem: "cut", Detail: fmt.Sprintf("the chain holds %d receipts up to height %d, the checkpoint %d", res.Leaves, last.Height, cp.Size)}
	default:
		root, err := rootOf(leaves[:cp.Size])
		if err != nil {
			return res, err
		}
		if root != cp.Root {
			d = &Departure{Problem: "changed", Detail: fmt.Sprintf("the chain's first %d receipts hash to %s, the checkpoint's root is %s", cp.Size, HexHash(root), HexHash(cp.Root))}
		} else if res.Leaves > cp.Size {
			h := heightOf(cp.Size)
			d = &Departure{Problem: "split", Known: true, Height: h, Leaf: cp.Size, Detail: fmt.Sprintf("block at height %d holds receipts past the checkpoint's size %d: receipts were added to a block it covers", h, cp.Size)}
		}
	}
	if d == nil || d.Known {
		res.Departure = d
		return res, nil
	}
	// Where? The stored leaves tell, if they are the checkpoint's.
	if _, err := t.Load(ctx); err == nil && t.Head().Size >= cp.Size {
		if stored, err := t.LeafHashes(ctx, cp.Size); err == nil {
			if root, err := rootOf(stored); err == nil && root == cp.Root {
				i := int64(0)
				for i < res.Leaves && i < cp.Size && leaves[i] == stored[i] {
					i++
				}
				d.Known, d.Leaf = true, i
				if i < res.Leaves {
					d.Height = heightOf(i)
					d.Problem = "changed"
					d.Detail = fmt.Sprintf("receipt %d of block at height %d is not the checkpoint's leaf %d", i-starts[indexOf(heights, d.Height)], d.Height, i)
				} else {
					d.Height = last.Height + 1
					if res.Blocks == 0 {
						d.Height = 0
					}
				}
				// The checkpoint's own block of that leaf may come first (a
				// receipt removed from the end of a block).
				if pos, err := t.Locate(ctx, i); err == nil && pos.Height < d.Height {
					d.Height = pos.Height
				}
			}
		}
	}
	if !d.Known {
		d.Detail += " (the stored tree does not hash to the checkpoint either, so the first height that differs cannot be told)"
	}
	res.Departure = d
	return res, nil
}

func indexOf(hs []uint64, h uint64) int {
	for i, x := range hs {
		if x == h {
			return i
		}
	}
	return 0
}

// rootOf computes the tree hash of leaves in memory, with tlog.
func rootOf(leaves []Hash) (Hash, error) {
	var stored []Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]Hash, error) {
		out := make([]Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(stored)) {
				return nil, fmt.Errorf("merkle: hash %d not computed yet", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, l := range leaves {
		hs, err := tlog.StoredHashesForRecordHash(int64(i), l, r)
		if err != nil {
			return Hash{}, err
		}
		stored = append(stored, hs...)
	}
	return tlog.TreeHash(int64(len(leaves)), r)
}
