package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Tiles is the tile store of a block store (driver.TileStore): where the
// Merkle trees of its chains are kept. It validates names and wraps
// errors with the store's redacted URL.
type Tiles struct {
	d   driver.TileStore
	url string
}

// Tiles returns the block store's tile store, or nil when its driver keeps
// no tiles (chain/merkle then keeps them in the home folder).
func (s *Blocks) Tiles() *Tiles {
	d, ok := s.d.(driver.TileStore)
	if !ok {
		return nil
	}
	return &Tiles{d: d, url: s.url}
}

// NewTiles wraps a tile store driver; rawURL names it in errors.
func NewTiles(d driver.TileStore, rawURL string) *Tiles {
	return &Tiles{d: d, url: Redact(rawURL)}
}

// URL is the store's URL with secrets redacted.
func (t *Tiles) URL() string { return t.url }

// Get returns the tile name of chain chainID; an error matching
// chain.ErrNotFound when it is absent.
func (t *Tiles) Get(ctx context.Context, chainID, name string) ([]byte, error) {
	if err := checkTile(chainID, name); err != nil {
		return nil, fmt.Errorf("tile store %s: %w", t.url, err)
	}
	b, err := t.d.GetTile(ctx, chainID, name)
	if err != nil {
		return nil, fmt.Errorf("tile store %s: chain %.16s tile %s: %w", t.url, chainID, name, err)
	}
	return b, nil
}

// Put stores the tile name of chain chainID, replacing it.
func (t *Tiles) Put(ctx context.Context, chainID, name string, data []byte) error {
	if err := checkTile(chainID, name); err != nil {
		return fmt.Errorf("tile store %s: %w", t.url, err)
	}
	if err := t.d.PutTile(ctx, chainID, name, data); err != nil {
		return fmt.Errorf("tile store %s: chain %.16s tile %s: put: %w", t.url, chainID, name, err)
	}
	return nil
}

// CheckTileName reports whether name may name a tile: 1 to 200 bytes of
// lower-case letters, digits and "./_-", not starting with "." or "/",
// with no ".." and no empty path element.
func CheckTileName(name string) error {
	if name == "" || len(name) > 200 || name[0] == '.' || name[0] == '/' || name[len(name)-1] == '/' ||
		strings.Contains(name, "..") || strings.Contains(name, "//") {
		return fmt.Errorf("%w tile name %q", chain.ErrInvalid, name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '/' || c == '_' || c == '-') {
			return fmt.Errorf("%w tile name %q", chain.ErrInvalid, name)
		}
	}
	return nil
}

func checkTile(chainID, name string) error {
	if err := chain.CheckHex("chain id", chainID); err != nil {
		return err
	}
	return CheckTileName(name)
}
