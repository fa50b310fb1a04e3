package blockhub

import (
	"context"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/cluster"
)

// openBlocks opens one block store, or a cluster of several under policy.
func openBlocks(ctx context.Context, urls []string, policy string, opts *store.Options) (*store.Blocks, error) {
	if len(urls) == 1 { // a policy only means something for several stores
		return store.OpenBlocks(ctx, urls[0], opts)
	}
	return cluster.OpenBlocks(ctx, urls, policy, opts)
}

// openAssets opens one asset store, or a cluster of several under policy.
func openAssets(ctx context.Context, urls []string, policy string, opts *store.Options) (*store.Assets, error) {
	if len(urls) == 1 {
		return store.OpenAssets(ctx, urls[0], opts)
	}
	return cluster.OpenAssets(ctx, urls, policy, opts)
}
