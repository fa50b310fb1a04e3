package cluster_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/cluster"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
)

// Three stores as one, a write succeeding when two took it; later, Repair
// copies to members that missed writes. With real servers the URLs would
// be s3://... or mysql://...
func Example() {
	ctx := context.Background()
	urls := []string{"mem://example-a", "mem://example-b", "mem://example-c"}
	assets, err := cluster.OpenAssets(ctx, urls, "quorum=2", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer assets.Close()
	hash, created, err := assets.PutBytes(ctx, chain.SHA256, []byte("hello, cluster\n"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(hash[:12], created)

	// Every member holds it on its own.
	for _, u := range urls {
		m, err := store.OpenAssets(ctx, u, nil)
		if err != nil {
			log.Fatal(err)
		}
		ok, _ := m.Has(ctx, hash)
		fmt.Println(u, ok)
	}

	rep, err := cluster.Repair(ctx, assets, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep)
	// Output:
	// 63888e0e33a5 true
	// mem://example-a true
	// mem://example-b true
	// mem://example-c true
	// copied 0 assets, 0 blocks, 0 nexts, 0 root markers, 0 name claims; replaced 0 damaged asset copies; 0 split nexts, 0 damaged copies left
}
