package mysqlstore

import (
	"context"
	"testing"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

func TestChunked(t *testing.T) {
	storetest.RunChunked(t, storetest.ChunkedHarness{
		Open: func(t *testing.T) *store.Assets {
			a, err := store.OpenAssets(context.Background(), freshTables(t, serverURL(t)), nil)
			if err != nil {
				t.Fatal(err)
			}
			return a
		},
		ChunkSize: ChunkSize,
		Pieces: func(t *testing.T, a *store.Assets, hash string) int64 {
			d := a.Driver().(*AssetStore)
			var n int64
			if err := d.db.QueryRow("SELECT COUNT(*) FROM "+d.t.chunk+" WHERE hash = ?", hash).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		},
	})
}
