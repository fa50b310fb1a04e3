package s3store

import (
	"context"
	"io"

	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.Replacer = (*AssetStore)(nil)

// Replace implements driver.Replacer: an unconditional PUT of the object,
// whose bytes are checked before the upload completes (as Put's are).
func (s *AssetStore) Replace(ctx context.Context, hash string, r io.Reader, size int64) error {
	return s.put(ctx, s.b.shardKey("assets", hash, ".blob"), r, size, false)
}
