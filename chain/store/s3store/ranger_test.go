package s3store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

// TestAfter checks the height index the walker reads ahead with: blocks in
// height order, with their documents and nexts, a lost racer included.
func TestAfter(t *testing.T) {
	ctx := context.Background()
	b, err := store.OpenBlocks(ctx, under(t, testURL(t), "after"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r, ok := b.Driver().(driver.Ranger)
	if !ok {
		t.Fatal("the s3 block store is not a driver.Ranger")
	}
	root := storetest.Root(t, "after")
	if err := b.Create(ctx, root); err != nil {
		t.Fatal(err)
	}
	chainBlocks := []chain.Block{root}
	for i := range 12 {
		prev := chainBlocks[len(chainBlocks)-1]
		blk := storetest.Child(t, prev, fmt.Sprint(i))
		if err := b.Create(ctx, blk); err != nil {
			t.Fatal(err)
		}
		if err := b.SetNext(ctx, prev.ID, blk.ID); err != nil {
			t.Fatal(err)
		}
		chainBlocks = append(chainBlocks, blk)
	}
	loser := storetest.Child(t, chainBlocks[5], "lost the race")
	if err := b.Create(ctx, loser); err != nil {
		t.Fatal(err)
	}

	list, err := r.After(ctx, root.ID, 0, 256)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 13 {
		t.Fatalf("After(0) = %d blocks; want 12 and the loser", len(list))
	}
	for i, rb := range list {
		if i > 0 && rb.Height < list[i-1].Height {
			t.Fatalf("After(0) not in height order at %d", i)
		}
		if rb.ID == loser.ID {
			if rb.Next != "" || rb.Height != 6 {
				t.Fatalf("loser listed as %+v", rb)
			}
			continue
		}
		want := chainBlocks[rb.Height]
		if rb.ID != want.ID {
			t.Fatalf("height %d: %s; want %s", rb.Height, rb.ID, want.ID)
		}
		got, err := b.Decode(store.Raw{ID: rb.ID, Doc: rb.Doc, Next: rb.Next})
		if err != nil {
			t.Fatalf("height %d: %v", rb.Height, err)
		}
		if wantNext := ""; int(rb.Height)+1 < len(chainBlocks) {
			wantNext = chainBlocks[rb.Height+1].ID
			if got.Next != wantNext {
				t.Fatalf("height %d: next %s; want %s", rb.Height, got.Next, wantNext)
			}
		}
	}
	list, err = r.After(ctx, root.ID, 9, 2)
	if err != nil || len(list) != 2 || list[0].Height != 10 || list[1].Height != 11 {
		t.Fatalf("After(9, limit 2) = %+v, %v; want heights 10 and 11", list, err)
	}
	if list, err := r.After(ctx, root.ID, 12, 10); err != nil || len(list) != 0 {
		t.Fatalf("After(12) = %d blocks, %v; want none", len(list), err)
	}
}
