package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// ChunkedHarness opens asset stores that keep large assets as pieces
// (MySQL rows, MongoDB documents) and counts the pieces stored.
type ChunkedHarness struct {
	// Open returns a fresh, empty asset store; the suite closes it.
	Open func(t *testing.T) *store.Assets
	// ChunkSize is the size of one piece.
	ChunkSize int
	// Pieces counts the pieces stored under hash.
	Pieces func(t *testing.T, a *store.Assets, hash string) int64
}

// RunChunked checks that a large asset is stored piece by piece with
// nothing left behind by a refused or a losing Put.
func RunChunked(t *testing.T, h ChunkedHarness) {
	open := func(t *testing.T) *store.Assets {
		a := h.Open(t)
		t.Cleanup(func() { a.Close() })
		return a
	}
	// A large asset whose bytes fail the hash check leaves no pieces behind.
	t.Run("TamperedLeavesNothing", func(t *testing.T) {
		a := open(t)
		data := make([]byte, 3*h.ChunkSize+5)
		rand.Read(data)
		hash := chain.SHA256.Sum(data)
		data[len(data)-1] ^= 1
		if _, err := a.Put(context.Background(), hash, bytes.NewReader(data), -1); !errors.Is(err, chain.ErrTampered) {
			t.Fatalf("Put(tampered) err = %v; want ErrTampered", err)
		}
		if n := h.Pieces(t, a, hash); n != 0 {
			t.Fatalf("%d pieces left after a refused Put; want 0", n)
		}
		data[len(data)-1] ^= 1
		if _, err := a.Put(context.Background(), hash, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		if n := h.Pieces(t, a, hash); n != 4 {
			t.Fatalf("%d pieces stored; want 4", n)
		}
	})
	// Racing Puts of one large asset: one creates it, the others find it,
	// and only the winner's pieces stay.
	t.Run("Race", func(t *testing.T) {
		a := open(t)
		data := make([]byte, 2*h.ChunkSize+1)
		rand.Read(data)
		hash := chain.SHA256.Sum(data)
		const racers = 4
		var (
			wg      sync.WaitGroup
			created [racers]bool
			errs    [racers]error
		)
		for i := range racers {
			wg.Go(func() {
				created[i], errs[i] = a.Put(context.Background(), hash, bytes.NewReader(data), -1)
			})
		}
		wg.Wait()
		wins := 0
		for i := range racers {
			if errs[i] != nil {
				t.Errorf("racer %d: %v", i, errs[i])
			}
			if created[i] {
				wins++
			}
		}
		if wins != 1 {
			t.Errorf("%d racers created the asset; want 1", wins)
		}
		if err := a.Verify(context.Background(), hash, int64(len(data))); err != nil {
			t.Fatal(err)
		}
		if n := h.Pieces(t, a, hash); n != 3 {
			t.Fatalf("%d pieces stored; want 3", n)
		}
	})
}
