package blockhub

import (
	"context"
	"fmt"

	"github.com/blockhub/blockhub/chain/store"
)

func openBlocks(ctx context.Context, urls []string, policy string, opts *store.Options) (*store.Blocks, error) {
	if len(urls) == 1 {
		return store.OpenBlocks(ctx, urls[0], opts)
	}
	return nil, fmt.Errorf("block store: clusters of %d URLs are not wired yet", len(urls))
}

func openAssets(ctx context.Context, urls []string, policy string, opts *store.Options) (*store.Assets, error) {
	if len(urls) == 1 {
		return store.OpenAssets(ctx, urls[0], opts)
	}
	return nil, fmt.Errorf("asset store: clusters of %d URLs are not wired yet", len(urls))
}
