package walk_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/storetest"
	"github.com/blockhub/blockhub/chain/walk"
)

// A block that does not decode is a fault at its place in the chain; the
// blocks after it are checked against the last good one, and a height gap
// names that block's height (it said "after 0" once).
func TestUndecodableBlockKeepsHeights(t *testing.T) {
	f := newFixture(t, 5)
	os.WriteFile(blockPath(f, f.chain[3].ID, ".block"), []byte("{not json"), 0o644)
	var faults []*walk.Fault
	for _, err := range walk.New(f.blocks, f.chain[0].ID).All(context.Background(), &walk.Options{Mode: walk.Report}) {
		var fault *walk.Fault
		if errors.As(err, &fault) {
			faults = append(faults, fault)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if len(faults) != 1 || faults[0].Block != f.chain[3].ID || faults[0].Height != 3 || faults[0].Problem != "invalid" {
		t.Fatalf("faults %v; want block 3 invalid, at height 3, alone", faults)
	}
}

// A height gap after a faulty block names the last good height too.
func TestHeightGapNamesLastGood(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2)
	// Block 3 is built on block 2 but says height 9; block 4 on block 3
	// with the height that follows its place: a gap after a faulty block.
	link := func(prev chain.Block, tag string, height uint64) chain.Block {
		b := storetest.Child(t, prev, tag)
		b.Height = height
		if err := b.Seal(); err != nil {
			t.Fatal(err)
		}
		if err := f.blocks.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := f.blocks.SetNext(ctx, prev.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		return b
	}
	b3 := link(f.chain[2], "block-3", 9)
	link(b3, "block-4", 4)
	var msgs []string
	for _, err := range walk.New(f.blocks, f.chain[0].ID).All(ctx, &walk.Options{Mode: walk.Report}) {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "height 9 after 2") || !strings.Contains(all, "height 4 after a faulty block at height 9; the last good block is at height 2") {
		t.Fatalf("faults:\n%s\nwant the gap at 9, then one naming the last good height 2", all)
	}
}
