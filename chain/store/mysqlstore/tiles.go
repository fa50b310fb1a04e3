package mysqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/internal/mysqlconn"
)

var _ driver.TileStore = (*BlockStore)(nil)

// GetTile implements driver.TileStore.
func (s *BlockStore) GetTile(ctx context.Context, chainID, name string) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, "SELECT data FROM "+mysqlconn.Quote(s.t.prefix+tTiles)+" WHERE chain = ? AND name = ?", chainID, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chain.ErrNotFound
	}
	if data == nil && err == nil {
		data = []byte{}
	}
	return data, err
}

// PutTile implements driver.TileStore: one row, replaced.
func (s *BlockStore) PutTile(ctx context.Context, chainID, name string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	_, err := s.db.ExecContext(ctx, "INSERT INTO "+mysqlconn.Quote(s.t.prefix+tTiles)+" (chain, name, data) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE data = VALUES(data)", chainID, name, data)
	return err
}
