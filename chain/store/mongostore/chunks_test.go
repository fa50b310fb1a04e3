package mongostore

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// openAssets opens a fresh asset store and returns it with its driver.
func openAssets(t *testing.T) (*store.Assets, *AssetStore) {
	t.Helper()
	a, err := store.OpenAssets(context.Background(), freshDB(t, serverURL(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, a.Driver().(*AssetStore)
}

func pieces(t *testing.T, d *AssetStore, hash string) int64 {
	t.Helper()
	n, err := d.chunks.CountDocuments(context.Background(), bson.D{{Key: "hash", Value: hash}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A large asset whose bytes fail the hash check leaves no pieces behind.
func TestChunkedTamperedLeavesNothing(t *testing.T) {
	a, d := openAssets(t)
	data := make([]byte, 3*ChunkSize+5)
	rand.Read(data)
	hash := chain.SHA256.Sum(data)
	data[len(data)-1] ^= 1
	if _, err := a.Put(context.Background(), hash, bytes.NewReader(data), -1); !errors.Is(err, chain.ErrTampered) {
		t.Fatalf("Put(tampered) err = %v; want ErrTampered", err)
	}
	if n := pieces(t, d, hash); n != 0 {
		t.Fatalf("%d pieces left after a refused Put; want 0", n)
	}
	data[len(data)-1] ^= 1
	if _, err := a.Put(context.Background(), hash, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if n := pieces(t, d, hash); n != 4 {
		t.Fatalf("%d pieces stored; want 4", n)
	}
}

// Racing Puts of one large asset: one creates it, the others find it, and
// only the winner's pieces stay.
func TestChunkedRace(t *testing.T) {
	a, d := openAssets(t)
	data := make([]byte, 2*ChunkSize+1)
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
	if n := pieces(t, d, hash); n != 3 {
		t.Fatalf("%d pieces stored; want 3", n)
	}
}
