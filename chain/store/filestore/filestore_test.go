package filestore_test

import (
	"context"
	"testing"

	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/filestore"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{Open: func(t *testing.T) (*store.Assets, *store.Blocks) {
		dir := t.TempDir()
		a, err := store.OpenAssets(context.Background(), dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := store.OpenBlocks(context.Background(), "file://"+dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}})
}
