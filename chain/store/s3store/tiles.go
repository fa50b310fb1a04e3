package s3store

import (
	"context"

	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.TileStore = (*BlockStore)(nil)

// GetTile implements driver.TileStore: the object blocks/tiles/<chain>/<name>.
func (s *BlockStore) GetTile(ctx context.Context, chainID, name string) ([]byte, error) {
	return s.read(ctx, "get tile", s.key("blocks", "tiles", chainID, name))
}

// PutTile implements driver.TileStore; a tile is overwritten freely (an S3
// put replaces the object whole).
func (s *BlockStore) PutTile(ctx context.Context, chainID, name string, data []byte) error {
	return s.err("put tile", s.put(ctx, s.key("blocks", "tiles", chainID, name), data, false))
}
