package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// BlockStore keeps blocks in the blocks table, tail hints in tails and
// name claims in names.
type BlockStore struct {
	db *sql.DB
	t  tables
}

var (
	_ driver.BlockStore = (*BlockStore)(nil)
	_ driver.TailHinter = (*BlockStore)(nil)
	_ driver.Ranger     = (*BlockStore)(nil)
)

// Create implements driver.BlockStore with a plain INSERT: the primary key
// refuses a taken id.
func (s *BlockStore) Create(ctx context.Context, info driver.BlockInfo, doc []byte) error {
	_, err := s.db.ExecContext(ctx, "INSERT INTO "+s.t.blocks+" (id, chain, height, prev, next, doc) VALUES (?, ?, ?, ?, NULL, ?)",
		info.ID, info.Chain, info.Height, info.Prev, doc)
	if isDup(err) {
		return chain.ErrExists
	}
	return err
}

// Get implements driver.BlockStore.
func (s *BlockStore) Get(ctx context.Context, id string) ([]byte, string, error) {
	var (
		doc  []byte
		next sql.NullString
	)
	err := s.db.QueryRowContext(ctx, "SELECT doc, next FROM "+s.t.blocks+" WHERE id = ?", id).Scan(&doc, &next)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", chain.ErrNotFound
	}
	if err != nil {
		return nil, "", err
	}
	return doc, next.String, nil
}

// SetNext implements driver.BlockStore with one conditional UPDATE; the
// row lock it takes makes racing writers queue, and only the first finds
// next still NULL. When no row changed, a read tells why.
func (s *BlockStore) SetNext(ctx context.Context, id, next string) error {
	res, err := s.db.ExecContext(ctx, "UPDATE "+s.t.blocks+" SET next = ? WHERE id = ? AND next IS NULL", next, id)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var cur sql.NullString
	err = s.db.QueryRowContext(ctx, "SELECT next FROM "+s.t.blocks+" WHERE id = ?", id).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return chain.ErrNotFound
	case err != nil:
		return err
	case cur.String == next:
		return nil
	case !cur.Valid:
		// Cannot happen: next is never unset once set.
		return fmt.Errorf("next of %s did not take; try again", id)
	}
	return fmt.Errorf("%w (to %s)", chain.ErrNextSet, cur.String)
}

// Roots implements driver.BlockStore.
func (s *BlockStore) Roots(ctx context.Context) iter.Seq2[string, error] {
	return keys(ctx, s.db, "SELECT id FROM "+s.t.blocks+" WHERE chain = '' AND height = 0 AND id > ? ORDER BY id LIMIT ?")
}

// ClaimName implements driver.BlockStore with a plain INSERT into names:
// the primary key on name_key lets exactly one racer's row in; the others
// read the winner.
func (s *BlockStore) ClaimName(ctx context.Context, key, name, root string) (string, error) {
	_, err := s.db.ExecContext(ctx, "INSERT INTO "+s.t.names+" (name_key, name, root) VALUES (?, ?, ?)", key, []byte(name), root)
	if err == nil {
		return root, nil
	}
	if !isDup(err) {
		return "", err
	}
	return s.NameClaim(ctx, key)
}

// NameClaim implements driver.BlockStore.
func (s *BlockStore) NameClaim(ctx context.Context, key string) (string, error) {
	var root string
	err := s.db.QueryRowContext(ctx, "SELECT root FROM "+s.t.names+" WHERE name_key = ?", key).Scan(&root)
	if errors.Is(err, sql.ErrNoRows) {
		return "", chain.ErrNotFound
	}
	return root, err
}

// After implements driver.Ranger with one query on the (chain, height)
// index.
func (s *BlockStore) After(ctx context.Context, chainID string, height uint64, limit int) ([]driver.RawBlock, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, height, doc, next FROM "+s.t.blocks+" WHERE chain = ? AND height > ? ORDER BY height, id LIMIT ?", chainID, height, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []driver.RawBlock
	for rows.Next() {
		var (
			b    driver.RawBlock
			next sql.NullString
		)
		if err := rows.Scan(&b.ID, &b.Height, &b.Doc, &next); err != nil {
			return nil, err
		}
		b.Next = next.String
		list = append(list, b)
	}
	return list, rows.Err()
}

// TailHint implements driver.TailHinter.
func (s *BlockStore) TailHint(ctx context.Context, chainID string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, "SELECT id FROM "+s.t.tails+" WHERE chain = ?", chainID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", chain.ErrNotFound
	}
	return id, err
}

// SetTailHint implements driver.TailHinter.
func (s *BlockStore) SetTailHint(ctx context.Context, chainID, id string) error {
	_, err := s.db.ExecContext(ctx, "INSERT INTO "+s.t.tails+" (chain, id) VALUES (?, ?) ON DUPLICATE KEY UPDATE id = ?", chainID, id, id)
	return err
}

// Close implements driver.BlockStore.
func (s *BlockStore) Close() error { return s.db.Close() }
