package mysqlstore

import (
	"context"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

// After lists a chain's blocks above a height in height order, racers
// that lost included, with the next of those linked.
func TestAfter(t *testing.T) {
	ctx := context.Background()
	b, err := store.OpenBlocks(ctx, freshTables(t, serverURL(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	root := storetest.Root(t, "after")
	blocks := []chain.Block{root}
	for i := range 4 {
		blocks = append(blocks, storetest.Child(t, blocks[i], "linked"))
	}
	loser := storetest.Child(t, blocks[1], "lost the race")
	for i, blk := range append(blocks, loser) {
		if err := b.Create(ctx, blk); err != nil {
			t.Fatal(err)
		}
		if i > 0 && i < len(blocks) {
			if err := b.SetNext(ctx, blocks[i-1].ID, blk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := b.Driver().(driver.Ranger)

	list, err := r.After(ctx, root.ID, 0, 256)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 {
		t.Fatalf("After(0) = %d blocks; want 5", len(list))
	}
	nexts := map[string]string{}
	for i, rb := range list {
		if i > 0 && rb.Height < list[i-1].Height {
			t.Errorf("block %d has height %d after height %d", i, rb.Height, list[i-1].Height)
		}
		got, err := b.Decode(store.Raw{ID: rb.ID, Doc: rb.Doc, Next: rb.Next})
		if err != nil || got.Height != rb.Height {
			t.Errorf("block %s: decoded height %d, %v; listed height %d", rb.ID, got.Height, err, rb.Height)
		}
		nexts[rb.ID] = rb.Next
	}
	for i := 1; i < len(blocks); i++ {
		want := ""
		if i+1 < len(blocks) {
			want = blocks[i+1].ID
		}
		if nexts[blocks[i].ID] != want {
			t.Errorf("height %d: next %q; want %q", i, nexts[blocks[i].ID], want)
		}
	}
	if n, ok := nexts[loser.ID]; !ok || n != "" {
		t.Errorf("loser: listed %v, next %q; want listed without next", ok, n)
	}

	list, err = r.After(ctx, root.ID, 2, 2)
	if err != nil || len(list) != 2 || list[0].ID != blocks[3].ID || list[1].ID != blocks[4].ID {
		t.Fatalf("After(2, limit 2) = %d blocks, %v; want heights 3 and 4", len(list), err)
	}
	if list, err := r.After(ctx, loser.ID, 0, 10); err != nil || len(list) != 0 {
		t.Fatalf("After(not a chain) = %d blocks, %v; want none", len(list), err)
	}
}
