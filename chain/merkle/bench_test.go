package merkle_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
)

// benchTree is a mem-store chain of n receipts in blocks of 1,000, its
// tree built.
func benchTree(b *testing.B, n int) (*testChain, *merkle.Tree, merkle.Head) {
	c := memChain(b, "bench")
	for have := 1; have < n; {
		k := min(1000, n-have)
		rs := make([]chain.Receipt, k)
		for i := range rs {
			rs[i] = receipt(fmt.Sprint("r", have+i))
		}
		c.add(b, rs...)
		have += k
	}
	tree, err := merkle.Open(c.blocks, c.chain[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	head, err := tree.Update(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return c, tree, head
}

var benchSizes = []int{10_000, 100_000, 1_000_000}

// BenchmarkProve makes an inclusion proof of a receipt in the middle of
// chains of 10k, 100k and 1M receipts (from the stored tiles).
func BenchmarkProve(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			_, tree, head := benchTree(b, n)
			pos, err := tree.Locate(ctx, head.Size/2)
			if err != nil {
				b.Fatal(err)
			}
			var p merkle.Inclusion
			for b.Loop() {
				if p, err = tree.ProveInclusion(ctx, pos, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.Proof)), "hashes")
		})
	}
}

// BenchmarkCheckInclusion checks a saved inclusion proof offline.
func BenchmarkCheckInclusion(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			_, tree, head := benchTree(b, n)
			pos, _ := tree.Locate(ctx, head.Size/2)
			p, err := tree.ProveInclusion(ctx, pos, 0)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := p.Check(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.Proof)), "hashes")
		})
	}
}

// BenchmarkCheck is verify --checkpoint's work: the whole chain walked and
// its tree recomputed.
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	_, tree, head := benchTree(b, 100_000)
	cp := merkle.Checkpoint{Origin: tree.Origin(), Size: head.Size, Root: head.Root}
	for b.Loop() {
		res, err := merkle.Check(ctx, tree, cp)
		if err != nil || res.Departure != nil {
			b.Fatal(err, res.Departure)
		}
	}
}
