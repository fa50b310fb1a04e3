package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
	"github.com/blockhub/blockhub/chain/store"
)

// tiles returns the store's tile store, failing the test when the driver
// keeps none: every driver of this repository implements
// driver.TileStore (a third-party one that does not may skip these
// tests; chain/merkle then keeps tiles in the home folder).
func tiles(t *testing.T, b *store.Blocks) *store.Tiles {
	t.Helper()
	ts := b.Tiles()
	if ts == nil {
		t.Fatalf("block store %s keeps no tiles (driver.TileStore)", b.URL())
	}
	return ts
}

func testTiles(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	ts := tiles(t, b)
	one, two := Root(t, "tiles-one").ID, Root(t, "tiles-two").ID
	if _, err := ts.Get(c, one, "head"); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("get of a missing tile: %v, want ErrNotFound", err)
	}
	full := bytes.Repeat([]byte{0xab, 0x00, 0xff}, 256*32/3+1)[:256*32]
	for _, tc := range []struct {
		chain, name string
		data        []byte
	}{
		{one, "head", []byte(`{"size":1}`)},
		{one, "tile/8/0/000", full},
		{one, "tile/8/1/x001/234", []byte{0}},
		{one, "blocks/0", []byte{}},
		{two, "head", []byte(`{"size":2}`)},
	} {
		if err := ts.Put(c, tc.chain, tc.name, tc.data); err != nil {
			t.Fatalf("put %s: %v", tc.name, err)
		}
		got, err := ts.Get(c, tc.chain, tc.name)
		if err != nil || !bytes.Equal(got, tc.data) {
			t.Fatalf("get %s: %d bytes, %v; want %d bytes", tc.name, len(got), err, len(tc.data))
		}
	}
	// Chains are apart; a put replaces.
	if got, _ := ts.Get(c, one, "head"); string(got) != `{"size":1}` {
		t.Fatalf("chain one's head is %q", got)
	}
	if err := ts.Put(c, one, "head", []byte(`{"size":3}`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.Get(c, one, "head"); string(got) != `{"size":3}` {
		t.Fatalf("replaced head is %q", got)
	}
	for _, bad := range []string{"", "../x", "/abs", "Head", "a//b", "a b", ".hidden"} {
		if err := ts.Put(c, one, bad, []byte("x")); !errors.Is(err, chain.ErrInvalid) {
			t.Errorf("put of tile %q: %v, want ErrInvalid", bad, err)
		}
	}
	if err := ts.Put(c, "not-a-chain", "head", []byte("x")); !errors.Is(err, chain.ErrInvalid) {
		t.Errorf("put for a bad chain id: %v, want ErrInvalid", err)
	}
}

// testTree keeps a chain's Merkle tree in the store: built, proven,
// rebuilt to the same root.
func testTree(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	tiles(t, b)
	root := Root(t, "tree")
	if err := b.Create(c, root); err != nil {
		t.Fatal(err)
	}
	prev := root
	for i := range 12 {
		blk := Child(t, prev, fmt.Sprint("tree-", i))
		if err := b.Create(c, blk); err != nil {
			t.Fatal(err)
		}
		if err := b.SetNext(c, prev.ID, blk.ID); err != nil {
			t.Fatal(err)
		}
		prev = blk
	}
	tree, err := merkle.Open(b, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := tree.Update(c)
	if err != nil {
		t.Fatal(err)
	}
	if head.Size != 13 || head.Block != prev.ID {
		t.Fatalf("tree of %d leaves up to %s, want 13 up to %s", head.Size, head.Block, prev.ID)
	}
	pos, err := tree.Leaf(c, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tree.ProveInclusion(c, pos, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	again, _ := merkle.Open(b, root, nil)
	if h, err := again.Load(c); err != nil || h.Root != head.Root || h.Size != 13 {
		t.Fatalf("stored head: %+v %v", h, err)
	}
	if h, err := again.Rebuild(c); err != nil || h.Root != head.Root {
		t.Fatalf("rebuilt: %x %v, want %x", h.Root, err, head.Root)
	}
}
