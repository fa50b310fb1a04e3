package merkle_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
)

func decodeAll(t *testing.T, ss []string) [][]byte {
	t.Helper()
	out := make([][]byte, len(ss))
	for i, s := range ss {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProofsProperty builds random chains of 1 to 2,000 receipts and
// checks that every inclusion proof (at the full size and at random
// smaller ones) and random consistency proofs check with the library's
// verifier and with the independent one of independent_test.go, and that
// the stored root is RFC 6962's MTH of the receipts.
func TestProofsProperty(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(15, 2026))
	sizes := []int{1, 2, 3, 5, 8, 255, 256, 257, 511, 513, 1000, 2000}
	for range 4 {
		sizes = append(sizes, 1+rng.IntN(2000))
	}
	for _, n := range sizes {
		c := memChain(t, "prop")
		c.grow(t, rng, n)
		tree, err := merkle.Open(c.blocks, c.chain[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		head, err := tree.Update(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rs := c.leaves()
		if head.Size != int64(n) || len(rs) != n {
			t.Fatalf("n=%d: tree size %d, chain %d receipts", n, head.Size, len(rs))
		}
		lh := make([][]byte, n)
		for i, r := range rs {
			b, err := r.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			lh[i] = leafHash(b)
		}
		if got, want := merkle.HexHash(head.Root), hex.EncodeToString(mth(lh)); got != want {
			t.Fatalf("n=%d: root %s, MTH %s", n, got, want)
		}
		roots := map[int64][]byte{}
		rootAt := func(size int64) []byte {
			if roots[size] == nil {
				roots[size] = mth(lh[:size])
			}
			return roots[size]
		}
		checkIncl := func(leaf, size int64) {
			pos, err := tree.Locate(ctx, leaf)
			if err != nil {
				t.Fatal(err)
			}
			p, err := tree.ProveInclusion(ctx, pos, size)
			if err != nil {
				t.Fatalf("n=%d leaf %d size %d: %v", n, leaf, size, err)
			}
			if err := p.Check(); err != nil {
				t.Fatalf("n=%d: library: %v", n, err)
			}
			if len(p.Proof) > 64 {
				t.Fatalf("proof of %d hashes", len(p.Proof))
			}
			if err := verifyInclusion(uint64(leaf), uint64(size), lh[leaf], decodeAll(t, p.Proof), rootAt(size)); err != nil {
				t.Fatalf("n=%d leaf %d size %d: independent: %v", n, leaf, size, err)
			}
			if p.Hash != rs[leaf].Hash {
				t.Fatalf("leaf %d names %s, want %s", leaf, p.Hash, rs[leaf].Hash)
			}
		}
		for leaf := range int64(n) {
			checkIncl(leaf, int64(n))
		}
		for range 100 {
			size := 1 + rng.Int64N(int64(n))
			checkIncl(rng.Int64N(size), size)
			from := 1 + rng.Int64N(size)
			p, err := tree.ProveConsistency(ctx, from, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Check(); err != nil {
				t.Fatalf("n=%d: library: %v", n, err)
			}
			if err := verifyConsistency(uint64(from), uint64(size), unhex(t, p.FromRoot), unhex(t, p.ToRoot), decodeAll(t, p.Proof)); err != nil {
				t.Fatalf("n=%d %d->%d: independent: %v", n, from, size, err)
			}
			if p.FromRoot != hex.EncodeToString(rootAt(from)) {
				t.Fatalf("n=%d: root at %d is not MTH", n, from)
			}
		}
	}
}

// TestGrowthPaths checks that a tree kept by Appended block by block, one
// caught up by Update now and then, and one rebuilt, are the same.
func TestGrowthPaths(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	c := memChain(t, "grow")
	hooked, err := merkle.Open(c.blocks, c.chain[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hooked.Update(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 120 {
		k := 1 + rng.IntN(30)
		rs := make([]chain.Receipt, 0, k)
		for j := range k {
			rs = append(rs, receipt(fmt.Sprint(i, "-", j)))
		}
		b := c.add(t, rs...)
		if err := hooked.Appended(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	other, _ := merkle.Open(c.blocks, c.chain[0], nil)
	h1, err := other.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := other.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h1.Size != h2.Size || h1.Root != h2.Root || h1.Block != h2.Block || h1.Block != c.chain[len(c.chain)-1].ID {
		t.Fatalf("appended %d %x %s, rebuilt %d %x %s", h1.Size, h1.Root, h1.Block, h2.Size, h2.Root, h2.Block)
	}
	// Every block's entry is where the chain has it.
	leaf := int64(0)
	for _, b := range c.chain {
		id, end, err := other.BlockAt(ctx, b.Height)
		if err != nil || id != b.ID || end != leaf+int64(len(b.Assets)) {
			t.Fatalf("height %d: %s %d %v, want %s %d", b.Height, id, end, err, b.ID, leaf+int64(len(b.Assets)))
		}
		pos, err := other.Locate(ctx, leaf)
		if err != nil || pos.Height != b.Height || pos.Index != 0 {
			t.Fatalf("leaf %d at %+v %v, want height %d", leaf, pos, err, b.Height)
		}
		leaf += int64(len(b.Assets))
	}
}
