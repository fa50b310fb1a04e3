package index_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/index"
)

func appendN(t *testing.T, h *blockhub.Hub, root chain.Block, from, n int) []string {
	t.Helper()
	ctx := context.Background()
	w, err := h.Writer(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	var hashes []string
	for i := from; i < from+n; i++ {
		meta := fmt.Sprintf(`{"key":"test:file","rows":[%d,%d]}`, i, i)
		a, err := w.Append(ctx, appender.Chunk{Data: []byte(fmt.Sprint("row ", i)), Type: "text/plain", Meta: []byte(meta)})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, a.Receipt.Hash)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return hashes
}

func TestCatchUpAndRebuild(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	root, _, err := h.Chain(ctx, "idx", nil)
	if err != nil {
		t.Fatal(err)
	}
	first := appendN(t, h, root, 0, 30)

	x, err := index.Open(ctx, home, h.Blocks, root)
	if err != nil {
		t.Fatal(err)
	}
	if x.Added == 0 || !x.Has(first[0]) || !x.Has(first[29]) || x.Has(chain.SHA256.Sum([]byte("nope"))) {
		t.Fatalf("after the first catch-up: added %d, Has wrong", x.Added)
	}
	last, ok := x.Last("test:file")
	if !ok || string(last) != `{"key":"test:file","rows":[29,29]}` {
		t.Fatalf("Last = %s, %v", last, ok)
	}
	x.Close()

	// Only the blocks linked since are walked.
	second := appendN(t, h, root, 30, 5)
	x, err = index.Open(ctx, home, h.Blocks, root)
	if err != nil {
		t.Fatal(err)
	}
	if x.Added < 1 || x.Added > 5 || !x.Has(second[4]) {
		t.Fatalf("second catch-up added %d block(s); want 1 to 5, and the new assets", x.Added)
	}
	count := x.Count()
	x.Close()

	// Nothing new: nothing walked.
	x, err = index.Open(ctx, home, h.Blocks, root)
	if err != nil {
		t.Fatal(err)
	}
	if x.Added != 0 {
		t.Fatalf("idle catch-up added %d block(s)", x.Added)
	}
	x.Close()

	// Deleting the index changes no answer.
	if err := os.Remove(index.Path(home, root.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := index.Rebuild(ctx, home, h.Blocks, root); err != nil {
		t.Fatal(err)
	}
	x, err = index.Open(ctx, home, h.Blocks, root)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Count() != count || !x.Has(first[3]) || !x.Has(second[2]) {
		t.Fatalf("rebuilt index: %d assets; want %d", x.Count(), count)
	}
	if height, _, ok := x.Position(second[4]); !ok || height == 0 {
		t.Fatalf("Position = %d, %v", height, ok)
	}
}
