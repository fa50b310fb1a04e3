package memstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

var n atomic.Int64

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{Open: func(t *testing.T) (*store.Assets, *store.Blocks) {
		u := fmt.Sprintf("mem://conformance-%d", n.Add(1))
		a, err := store.OpenAssets(context.Background(), u, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := store.OpenBlocks(context.Background(), u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}})
}
