package blockhub_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
)

func openHub(t *testing.T) *blockhub.Hub {
	t.Helper()
	h, err := blockhub.Open(context.Background(), blockhub.Config{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// legacyRoot stores a root of name made at, with no name claim: a chain
// created before names were claimed.
func legacyRoot(t *testing.T, h *blockhub.Hub, name string, at time.Time) chain.Block {
	t.Helper()
	ctx := context.Background()
	s := chain.DefaultSettings(name)
	r, err := chain.NewRoot(s, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Assets.PutBytes(ctx, s.Crypt, s.Encode()); err != nil {
		t.Fatal(err)
	}
	if err := h.Blocks.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// A name with no claim (two roots written by racers before claims
// existed) resolves to its oldest root, as it always did, and Resolve
// claims it for that root: a root of the name that shows up later, even
// one with an older time, does not change the answer.
func TestResolveUnclaimedName(t *testing.T) {
	ctx := context.Background()
	h := openHub(t)
	now := time.Now()
	newer := legacyRoot(t, h, "old", now)
	oldest := legacyRoot(t, h, "old", now.Add(-time.Hour))
	if _, err := h.Blocks.NameClaim(ctx, "old"); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("NameClaim before Resolve: %v; want ErrNotFound", err)
	}
	got, err := h.Resolve(ctx, "old")
	if err != nil || got.ID != oldest.ID {
		t.Fatalf("Resolve = %s, %v; want the oldest root %s (not %s)", got.ID, err, oldest.ID, newer.ID)
	}
	if claim, err := h.Blocks.NameClaim(ctx, "old"); err != nil || claim != oldest.ID {
		t.Fatalf("claim after Resolve = %s, %v; want %s", claim, err, oldest.ID)
	}
	legacyRoot(t, h, "old", now.Add(-2*time.Hour))
	if got, err := h.Resolve(ctx, "old"); err != nil || got.ID != oldest.ID {
		t.Fatalf("Resolve after an older root appeared = %s, %v; want still %s", got.ID, err, oldest.ID)
	}
	if root, created, err := h.Chain(ctx, "old", nil); err != nil || created || root.ID != oldest.ID {
		t.Fatalf("Chain = %s, %v, %v; want %s, not created", root.ID, created, err, oldest.ID)
	}
	if _, err := h.Create(ctx, chain.DefaultSettings("old")); !errors.Is(err, chain.ErrExists) {
		t.Fatalf("Create of the name: %v; want ErrExists", err)
	}
}

// Goroutines that each create the same chain at once and append to it:
// one root wins, every append lands on it, and Chains lists one chain of
// that name though every racer stored a root.
func TestRacingCreators(t *testing.T) {
	ctx := context.Background()
	h := openHub(t)
	const racers = 8
	roots := make([]chain.Block, racers)
	hashes := make([]string, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			root, _, err := h.Chain(ctx, "raced", nil)
			if err != nil {
				errs[i] = err
				return
			}
			roots[i] = root
			w, err := h.Writer(ctx, root)
			if err != nil {
				errs[i] = err
				return
			}
			a, err := w.Append(ctx, appender.Chunk{Data: []byte(fmt.Sprint("racer ", i)), Type: "text/plain"})
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			hashes[i], errs[i] = a.Receipt.Hash, err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v", i, err)
		}
		if roots[i].ID != roots[0].ID {
			t.Fatalf("racer %d got root %s, racer 0 %s", i, roots[i].ID, roots[0].ID)
		}
	}
	resolved, err := h.Resolve(ctx, "raced")
	if err != nil || resolved.ID != roots[0].ID {
		t.Fatalf("Resolve = %s, %v; want %s", resolved.ID, err, roots[0].ID)
	}
	on := map[string]int{}
	for b, err := range h.Walker(resolved).All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Assets {
			on[r.Hash]++
		}
	}
	for i, hash := range hashes {
		if on[hash] != 1 {
			t.Errorf("racer %d's asset is on the chain %d times; want 1", i, on[hash])
		}
	}
	named := 0
	for r, err := range h.Chains(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := chain.RootSettings(r); s.Name == "raced" {
			named++
		}
	}
	if named != 1 {
		t.Errorf("Chains lists %d chains named raced; want 1", named)
	}
}

// Chains leaves out a root that lost its name while it holds no block,
// and lists one that holds blocks (written before names were claimed).
func TestChainsListsLostRootsWithBlocks(t *testing.T) {
	ctx := context.Background()
	h := openHub(t)
	now := time.Now()
	won := legacyRoot(t, h, "n", now.Add(-time.Minute))
	withBlocks := legacyRoot(t, h, "n", now)
	legacyRoot(t, h, "n", now.Add(time.Minute)) // empty
	w, err := h.Writer(ctx, withBlocks)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append(ctx, appender.Chunk{Data: []byte("kept"), Type: "text/plain"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if r, err := h.Resolve(ctx, "n"); err != nil || r.ID != won.ID {
		t.Fatalf("Resolve = %s, %v; want %s", r.ID, err, won.ID)
	}
	var listed []string
	for r, err := range h.Chains(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, r.ID)
	}
	if len(listed) != 2 || listed[0] != won.ID || listed[1] != withBlocks.ID {
		t.Fatalf("Chains = %v; want %s and %s", listed, won.ID, withBlocks.ID)
	}
}
