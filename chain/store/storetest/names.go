package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

func testNameClaimOnce(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	first, second := Root(t, "claimed"), Root(t, "claimed")
	if first.ID == second.ID {
		second = Root(t, "claimed") // same nanosecond: try again
	}
	for _, r := range []chain.Block{first, second} {
		if err := b.Create(c, r); err != nil {
			t.Fatal(err)
		}
	}
	won, err := b.ClaimName(c, "claimed", first.ID)
	if err != nil || won != first.ID {
		t.Fatalf("first ClaimName = %s, %v; want %s", won, err, first.ID)
	}
	won, err = b.ClaimName(c, "claimed", second.ID)
	if err != nil || won != first.ID {
		t.Fatalf("second ClaimName = %s, %v; want the winner %s", won, err, first.ID)
	}
	won, err = b.ClaimName(c, "claimed", first.ID)
	if err != nil || won != first.ID {
		t.Fatalf("ClaimName again by the winner = %s, %v; want %s", won, err, first.ID)
	}
	got, err := b.NameClaim(c, "claimed")
	if err != nil || got != first.ID {
		t.Fatalf("NameClaim = %s, %v; want %s", got, err, first.ID)
	}
}

func testNameClaimNotFound(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	if got, err := b.NameClaim(c, "never-claimed"); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("NameClaim of an unclaimed name = %q, %v; want ErrNotFound", got, err)
	}
	if _, err := b.ClaimName(c, "", Root(t, "x").ID); !errors.Is(err, chain.ErrInvalid) {
		t.Fatalf("ClaimName of an empty name: err = %v; want ErrInvalid", err)
	}
	if _, err := b.ClaimName(c, "bad-root", "../not-an-id"); !errors.Is(err, chain.ErrInvalid) {
		t.Fatalf("ClaimName with a bad root id: err = %v; want ErrInvalid", err)
	}
	if _, err := b.NameClaim(c, "bad-root"); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("a refused claim was stored: NameClaim err = %v; want ErrNotFound", err)
	}
}

// testNameClaimKeys claims names a file system, an object key or a
// collation could confuse, each for its own root: each keeps its own.
func testNameClaimKeys(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	names := []string{"orders", "Orders", "ORDERS", "a/b", "../up", "a b", "ünïcode ✓", "x.y", strings.Repeat("n", 200)}
	roots := map[string]string{}
	for _, n := range names {
		r := Root(t, n)
		if err := b.Create(c, r); err != nil {
			t.Fatal(err)
		}
		won, err := b.ClaimName(c, n, r.ID)
		if err != nil || won != r.ID {
			t.Fatalf("ClaimName(%q) = %s, %v; want its own root %s (another name's claim?)", n, won, err, r.ID)
		}
		roots[n] = r.ID
	}
	for _, n := range names {
		if got, err := b.NameClaim(c, n); err != nil || got != roots[n] {
			t.Errorf("NameClaim(%q) = %s, %v; want %s", n, got, err, roots[n])
		}
	}
}

func testNameClaimRace(t *testing.T, _ *store.Assets, b *store.Blocks) {
	c := ctx(t)
	for trial := range 3 {
		name := fmt.Sprint("race-", trial)
		roots := make([]chain.Block, Racers)
		for i := range roots {
			roots[i] = Root(t, name)
			if err := b.Create(c, roots[i]); err != nil && !errors.Is(err, chain.ErrExists) {
				t.Fatal(err)
			}
		}
		won := make([]string, Racers)
		errs := make([]error, Racers)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range roots {
			wg.Go(func() {
				start.Wait()
				won[i], errs[i] = b.ClaimName(c, name, roots[i].ID)
			})
		}
		start.Done()
		wg.Wait()
		winners := map[string]bool{}
		for i := range won {
			if errs[i] != nil {
				t.Fatalf("racer %d: %v", i, errs[i])
			}
			winners[won[i]] = true
		}
		if len(winners) != 1 {
			t.Fatalf("racers were told %d different winners: %v; want 1", len(winners), winners)
		}
		got, err := b.NameClaim(c, name)
		if err != nil || !winners[got] {
			t.Fatalf("NameClaim = %s, %v; want the winner %v", got, err, winners)
		}
		mine := false
		for _, r := range roots {
			mine = mine || r.ID == got
		}
		if !mine {
			t.Fatalf("winner %s is none of the racers' roots", got)
		}
	}
}
