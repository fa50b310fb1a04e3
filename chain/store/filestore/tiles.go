package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.TileStore = (*BlockStore)(nil)

// tilePath is where tile name of chainID lives: blocks/tiles/<chain>/<name>.
func (s *BlockStore) tilePath(chainID, name string) string {
	return filepath.Join(s.d.dir, "tiles", chainID, filepath.FromSlash(name))
}

// GetTile implements driver.TileStore.
func (s *BlockStore) GetTile(_ context.Context, chainID, name string) ([]byte, error) {
	b, err := os.ReadFile(s.tilePath(chainID, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, chain.ErrNotFound
	}
	return b, err
}

// PutTile implements driver.TileStore: a temporary file renamed over the
// tile, so readers see whole tiles. Tiles are derived data: no fsync.
func (s *BlockStore) PutTile(_ context.Context, chainID, name string, data []byte) error {
	path := s.tilePath(chainID, name)
	f, err := os.CreateTemp(s.d.tmp, "tile-"+tempOwner+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	err = os.Rename(f.Name(), path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return permHint(err)
		}
		err = os.Rename(f.Name(), path)
	}
	return err
}
