package builder_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
	"github.com/blockhub/blockhub/chain/walk"
)

var n int

func newChain(t *testing.T, s chain.Settings) (*store.Blocks, chain.Block) {
	n++
	blocks, err := store.OpenBlocks(context.Background(), fmt.Sprintf("mem://builder-%s-%d", t.Name(), n), nil)
	if err != nil {
		t.Fatal(err)
	}
	root, err := chain.NewRoot(s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := blocks.Create(context.Background(), root); err != nil {
		t.Fatal(err)
	}
	return blocks, root
}

func receipt(i int) chain.Receipt {
	data := []byte(fmt.Sprint("asset ", i))
	return chain.Receipt{Hash: chain.SHA256.Sum(data), Crypt: chain.SHA256, Length: int64(len(data)), Type: "text/plain"}
}

// walkAll returns every receipt on the chain in order, failing on faults.
func walkAll(t *testing.T, blocks *store.Blocks, root chain.Block) (receipts []chain.Receipt, nblocks int) {
	t.Helper()
	for b, err := range walk.New(blocks, root.ID).All(context.Background(), nil) {
		if err != nil {
			t.Fatalf("walk: %v", err)
		}
		nblocks++
		if b.IsRoot() {
			continue
		}
		receipts = append(receipts, b.Assets...)
	}
	return receipts, nblocks
}

// 16 builders race to extend one chain; every receipt lands exactly once,
// and the chain verifies (no fork).
func TestConcurrentBuilders(t *testing.T) {
	s := chain.DefaultSettings("race")
	s.MaxAssets = 3
	blocks, root := newChain(t, s)
	const builders, each = 16, 20
	var wg sync.WaitGroup
	for g := range builders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := builder.Start(context.Background(), blocks, root, nil)
			if err != nil {
				t.Error(err)
				return
			}
			var chans []<-chan builder.Linked
			for i := range each {
				ch, err := b.Add(receipt(g*1000 + i))
				if err != nil {
					t.Error(err)
					return
				}
				chans = append(chans, ch)
			}
			if err := b.Close(); err != nil {
				t.Error(err)
			}
			for _, ch := range chans {
				if l := <-ch; l.Err != nil || l.Block == "" {
					t.Errorf("receipt not linked: %+v", l)
				}
			}
		}()
	}
	wg.Wait()
	got, _ := walkAll(t, blocks, root)
	if len(got) != builders*each {
		t.Fatalf("chain holds %d receipts; want %d", len(got), builders*each)
	}
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.Hash] {
			t.Fatalf("receipt %s linked twice", r.Hash)
		}
		seen[r.Hash] = true
	}
}

func TestMaxAssetsPerBlock(t *testing.T) {
	s := chain.DefaultSettings("max")
	s.MinAssets, s.MaxAssets = 10, 10
	s.TTL = chain.Duration(time.Hour)
	blocks, root := newChain(t, s)
	b, err := builder.Start(context.Background(), blocks, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if _, err := b.Add(receipt(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	got, nblocks := walkAll(t, blocks, root)
	if len(got) != 25 || nblocks != 1+3 {
		t.Fatalf("%d receipts in %d blocks; want 25 in root + 3 (10, 10, 5)", len(got), nblocks)
	}
	for i, r := range got {
		if r.Hash != receipt(i).Hash {
			t.Fatalf("receipt %d out of order", i)
		}
	}
}

// With min 5 and a short ttl, a lone receipt is linked once the ttl
// passes, without Close.
func TestTTLLinksLoneReceipt(t *testing.T) {
	s := chain.DefaultSettings("ttl")
	s.MinAssets, s.MaxAssets = 5, 10
	s.TTL = chain.Duration(50 * time.Millisecond)
	blocks, root := newChain(t, s)
	b, err := builder.Start(context.Background(), blocks, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ch, err := b.Add(receipt(1))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case l := <-ch:
		if l.Err != nil || l.Height != 1 {
			t.Fatalf("linked %+v; want height 1", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("receipt not linked 5s after a 50ms ttl")
	}
}

func TestBatcher(t *testing.T) {
	b := builder.NewBatcher[int](builder.BatchPolicy{Count: 3, Period: time.Hour})
	if b.Add(1, 1) || b.Add(2, 1) {
		t.Fatal("ready before Count")
	}
	if !b.Add(3, 1) {
		t.Fatal("not ready at Count")
	}
	if got := b.Flush(2); len(got) != 2 || got[0] != 1 || b.Len() != 1 {
		t.Fatalf("Flush(2) = %v, left %d", got, b.Len())
	}
	if d := b.UntilNext(); d <= 0 || d > time.Hour {
		t.Fatalf("UntilNext = %v", d)
	}
	if got := b.Flush(0); len(got) != 1 || got[0] != 3 {
		t.Fatalf("Flush(0) = %v", got)
	}
	if b.UntilNext() != -1 {
		t.Fatal("UntilNext of an empty batch")
	}
}

// In bulk, receipts fill blocks up to MaxAssets instead of being linked
// as soon as MinAssets wait.
func TestBulkFillsBlocks(t *testing.T) {
	s := chain.DefaultSettings("bulk")
	s.MaxAssets = 100
	blocks, root := newChain(t, s)
	b, err := builder.Start(context.Background(), blocks, root, &builder.Options{Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 250 {
		if _, err := b.Add(receipt(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	got, nblocks := walkAll(t, blocks, root)
	if len(got) != 250 || nblocks != 1+3 {
		t.Fatalf("%d receipts in %d blocks; want 250 in root + 3", len(got), nblocks)
	}
}
