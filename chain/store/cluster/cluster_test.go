package cluster_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/cluster"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
	"github.com/blockhub/blockhub/chain/store/storetest"
)

var n atomic.Int64

// policies are the ones every conformance run covers.
var policies = []string{"mirror", "quorum=2", "shard=2"}

// conformance runs the store suite over clusters of the member URLs that
// urls returns, fresh for each sub-test.
func conformance(t *testing.T, urls func(t *testing.T) []string) {
	for _, policy := range policies {
		t.Run(policy, func(t *testing.T) { conformanceWith(t, policy, urls) })
	}
}

// conformanceWith runs the store suite over clusters of urls under one
// policy.
func conformanceWith(t *testing.T, policy string, urls func(t *testing.T) []string) {
	storetest.Run(t, storetest.Harness{Open: func(t *testing.T) (*store.Assets, *store.Blocks) {
		us := urls(t)
		a, err := cluster.OpenAssets(context.Background(), us, policy, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := cluster.OpenBlocks(context.Background(), us, policy, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}})
}

func TestConformanceMem(t *testing.T) {
	conformance(t, func(t *testing.T) []string {
		i := n.Add(1)
		return []string{fmt.Sprintf("mem://c%d-a", i), fmt.Sprintf("mem://c%d-b", i), fmt.Sprintf("mem://c%d-c", i)}
	})
}
