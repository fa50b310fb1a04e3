package mongostore

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

// The link in nexts has the last word: when its copy on the block's
// document is lost (a crash between the two writes), reads and later
// SetNext calls still see it.
func TestNextCopyLost(t *testing.T) {
	ctx := context.Background()
	b, err := store.OpenBlocks(ctx, freshDB(t, serverURL(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	root := storetest.Root(t, "copy lost")
	one, other := storetest.Child(t, root, "one"), storetest.Child(t, root, "other")
	for _, blk := range []chain.Block{root, one, other} {
		if err := b.Create(ctx, blk); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SetNext(ctx, root.ID, one.ID); err != nil {
		t.Fatal(err)
	}
	d := b.Driver().(*BlockStore)
	if _, err := d.blocks.UpdateOne(ctx, byID(root.ID), bson.D{{Key: "$unset", Value: bson.D{{Key: "next", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(ctx, root.ID); err != nil || got.Next != one.ID {
		t.Fatalf("Get(root).Next = %q, %v; want %s", got.Next, err, one.ID)
	}
	if list, err := d.After(ctx, root.ID, 0, 10); err != nil || len(list) != 2 {
		t.Fatalf("After = %d blocks, %v; want 2", len(list), err)
	}
	if err := b.SetNext(ctx, root.ID, other.ID); !errors.Is(err, chain.ErrNextSet) {
		t.Fatalf("SetNext(other) err = %v; want ErrNextSet", err)
	}
	if err := b.SetNext(ctx, root.ID, one.ID); err != nil {
		t.Fatalf("SetNext(same) = %v; want nil", err)
	}
	// That retry restored the copy.
	var doc blockDoc
	if err := d.blocks.FindOne(ctx, byID(root.ID)).Decode(&doc); err != nil || doc.Next != one.ID {
		t.Fatalf("block document's next = %q, %v; want %s", doc.Next, err, one.ID)
	}
}
