package driver

import "context"

// TileStore is implemented by block stores that keep, beside a chain's
// blocks, the tiles of its Merkle tree (chain/merkle): small binary
// objects named by a path such as "tile/8/0/x001/234" or "head". Tiles are
// derived from the chain and rebuilt from it when lost (bhctl index
// rebuild), so a driver need not make them durable at once (no fsync).
// Names reaching a driver are validated: lower-case letters, digits and
// "./_-", no "..", at most 200 bytes; chain is a validated chain id.
type TileStore interface {
	// GetTile returns the bytes stored under name for chain; an error
	// matching chain.ErrNotFound when there are none.
	GetTile(ctx context.Context, chain, name string) ([]byte, error)
	// PutTile stores data under name for chain, replacing what was
	// there. A reader sees the old bytes or the new ones, never a mix.
	PutTile(ctx context.Context, chain, name string, data []byte) error
}
