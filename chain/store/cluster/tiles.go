package cluster

import (
	"context"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.TileStore = (*BlockStore)(nil)

// GetTile implements driver.TileStore: the first member that keeps tiles
// and has it.
func (c *BlockStore) GetTile(ctx context.Context, chainID, name string) ([]byte, error) {
	var data []byte
	err := c.first(ctx, c.members, func(ctx context.Context, d driver.BlockStore) (err error) {
		ts, ok := d.(driver.TileStore)
		if !ok {
			return chain.ErrNotFound
		}
		data, err = ts.GetTile(ctx, chainID, name)
		return err
	})
	return data, err
}

// PutTile implements driver.TileStore on every member that keeps tiles;
// it succeeds when one took it. Tiles are derived: a member that missed a
// full tile answers not found and the next member is read; one that
// missed a head answers an older one, from which the tree catches up.
func (c *BlockStore) PutTile(ctx context.Context, chainID, name string, data []byte) error {
	errs := c.each(ctx, func(ctx context.Context, d driver.BlockStore) error {
		if ts, ok := d.(driver.TileStore); ok {
			return ts.PutTile(ctx, chainID, name, data)
		}
		return chain.ErrNotFound
	})
	for _, err := range errs {
		if err == nil {
			return nil
		}
	}
	return joined(errs)
}
