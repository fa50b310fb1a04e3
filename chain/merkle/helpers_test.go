package merkle_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/memstore"
)

// testChain is a chain built by hand in a store.
type testChain struct {
	blocks *store.Blocks
	chain  []chain.Block
}

func newTestChain(t testing.TB, blocks *store.Blocks, name string) *testChain {
	t.Helper()
	root, err := chain.NewRoot(chain.DefaultSettings(name), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := blocks.Create(context.Background(), root); err != nil {
		t.Fatal(err)
	}
	return &testChain{blocks: blocks, chain: []chain.Block{root}}
}

func memChain(t testing.TB, name string) *testChain {
	return newTestChain(t, store.NewBlocks(memstore.NewBlocks(), "mem://"+name), name)
}

// receipt makes a receipt for the bytes of tag.
func receipt(tag string) chain.Receipt {
	sum := sha256.Sum256([]byte(tag))
	return chain.Receipt{Hash: hex.EncodeToString(sum[:]), Crypt: chain.SHA256, Length: int64(len(tag)), Type: "text/plain",
		Meta: []byte(fmt.Sprintf(`{"source":"test","tag":%q}`, tag))}
}

// add links a block of receipts.
func (c *testChain) add(t testing.TB, rs ...chain.Receipt) chain.Block {
	t.Helper()
	ctx := context.Background()
	tail := c.chain[len(c.chain)-1]
	b := chain.Block{Chain: c.chain[0].ID, Prev: tail.ID, Height: tail.Height + 1,
		Time: chain.Stamp(time.Date(2026, 12, 1, 0, 0, len(c.chain), 0, time.UTC)), Crypt: chain.SHA256, Assets: rs}
	if err := b.Seal(); err != nil {
		t.Fatal(err)
	}
	if err := c.blocks.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := c.blocks.SetNext(ctx, tail.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	c.chain[len(c.chain)-1].Next = b.ID
	c.chain = append(c.chain, b)
	return b
}

// grow adds blocks of random sizes up to n receipts in all (the root's
// one included).
func (c *testChain) grow(t testing.TB, rng *rand.Rand, n int) {
	have := 0
	for _, b := range c.chain {
		have += len(b.Assets)
	}
	for have < n {
		k := min(1+rng.IntN(40), n-have)
		rs := make([]chain.Receipt, k)
		for i := range rs {
			rs[i] = receipt(fmt.Sprint("r", have+i, "-", rng.Int()))
		}
		c.add(t, rs...)
		have += k
	}
}

// leaves are the chain's receipts in order.
func (c *testChain) leaves() []chain.Receipt {
	var out []chain.Receipt
	for _, b := range c.chain {
		out = append(out, b.Assets...)
	}
	return out
}
