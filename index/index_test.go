package index_test

import (
	"context"
	"fmt"
	"os"
	"sync"
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

// Captures with --prevent-dups on one chain at once, each opening the
// index, asking whether a chunk is on the chain and appending it when it
// is not, then closing the index: the chunk ends up on the chain once.
// The index stays locked from its catch-up to Close, so a capture catches
// up only after the one before it linked what it captured.
func TestConcurrentCapturesSkipEachOther(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	root, _, err := h.Chain(ctx, "dups", nil)
	if err != nil {
		t.Fatal(err)
	}
	const captures, trials = 4, 20
	for trial := range trials {
		data := []byte(fmt.Sprint("chunk of trial ", trial))
		hash := chain.SHA256.Sum(data)
		errs := make([]error, captures)
		var wg sync.WaitGroup
		for c := range captures {
			wg.Go(func() { errs[c] = captureOnce(ctx, h, home, root, data) })
		}
		wg.Wait()
		for c, err := range errs {
			if err != nil {
				t.Fatalf("trial %d: capture %d: %v", trial, c, err)
			}
		}
		n := 0
		for b, err := range h.Walker(root).All(ctx, nil) {
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range b.Assets {
				if r.Hash == hash {
					n++
				}
			}
		}
		if n != 1 {
			t.Fatalf("trial %d: the chunk is on the chain %d times; want 1", trial, n)
		}
	}
}

// captureOnce is what a --prevent-dups capture of one chunk does.
func captureOnce(ctx context.Context, h *blockhub.Hub, home string, root chain.Block, data []byte) error {
	x, err := index.Open(ctx, home, h.Blocks, root)
	if err != nil {
		return err
	}
	defer x.Close()
	if x.Has(chain.SHA256.Sum(data)) {
		return nil
	}
	w, err := h.Writer(ctx, root)
	if err != nil {
		return err
	}
	if _, err := w.Append(ctx, appender.Chunk{Data: data, Type: "text/plain"}); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
