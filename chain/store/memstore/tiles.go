package memstore

import (
	"context"
	"sync"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.TileStore = (*BlockStore)(nil)

// tiles is kept apart from the block maps (and their lock) of BlockStore.
type tiles struct {
	mu sync.Mutex
	m  map[string][]byte // chain + "/" + name
}

// GetTile implements driver.TileStore.
func (s *BlockStore) GetTile(_ context.Context, chainID, name string) ([]byte, error) {
	s.tiles.mu.Lock()
	defer s.tiles.mu.Unlock()
	b, ok := s.tiles.m[chainID+"/"+name]
	if !ok {
		return nil, chain.ErrNotFound
	}
	return append([]byte(nil), b...), nil
}

// PutTile implements driver.TileStore.
func (s *BlockStore) PutTile(_ context.Context, chainID, name string, data []byte) error {
	s.tiles.mu.Lock()
	defer s.tiles.mu.Unlock()
	if s.tiles.m == nil {
		s.tiles.m = map[string][]byte{}
	}
	s.tiles.m[chainID+"/"+name] = append([]byte(nil), data...)
	return nil
}
