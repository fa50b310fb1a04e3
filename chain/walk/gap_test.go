package walk_test

import (
	"context"
	"errors"
	"os"
	"testing"

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
