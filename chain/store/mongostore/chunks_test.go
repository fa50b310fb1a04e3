package mongostore

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

func TestChunked(t *testing.T) {
	storetest.RunChunked(t, storetest.ChunkedHarness{
		Open: func(t *testing.T) *store.Assets {
			a, err := store.OpenAssets(context.Background(), freshDB(t, serverURL(t)), nil)
			if err != nil {
				t.Fatal(err)
			}
			return a
		},
		ChunkSize: ChunkSize,
		Pieces: func(t *testing.T, a *store.Assets, hash string) int64 {
			n, err := a.Driver().(*AssetStore).chunks.CountDocuments(context.Background(), bson.D{{Key: "hash", Value: hash}})
			if err != nil {
				t.Fatal(err)
			}
			return n
		},
	})
}
