package walk

import (
	"context"
	"iter"

	"github.com/blockhub/blockhub/chain/store"
)

// Orphans yields the hashes of stored assets that no block of any chain in
// blocks names: assets stored by a run that was killed before it linked
// them. They are harmless; a re-run that captures the same bytes links
// them. It holds the set of linked hashes in memory.
func Orphans(ctx context.Context, blocks *store.Blocks, assets *store.Assets) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		linked := map[string]struct{}{}
		for root, err := range blocks.Roots(ctx) {
			if err != nil {
				yield("", err)
				return
			}
			for b, err := range New(blocks, root.ID).All(ctx, &Options{Mode: Skip}) {
				if err != nil {
					yield("", err)
					return
				}
				for _, r := range b.Assets {
					linked[r.Hash] = struct{}{}
				}
			}
		}
		for h, err := range assets.All(ctx) {
			if err != nil {
				yield("", err)
				return
			}
			if _, ok := linked[h]; ok {
				continue
			}
			if !yield(h, nil) {
				return
			}
		}
	}
}
