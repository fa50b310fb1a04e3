package mysqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/chain/store/internal/pieces"
)

// ChunkSize is the size of the pieces a large asset is stored in; an asset
// of less than ChunkSize bytes is one row of the assets table.
const ChunkSize = pieces.Size

// AssetStore keeps assets in the assets and asset_chunks tables.
type AssetStore struct {
	db *sql.DB
	t  tables
}

var _ driver.AssetStore = (*AssetStore)(nil)

// Put implements driver.AssetStore. An asset that fits in one piece is one
// INSERT; a larger one is written a piece at a time in a transaction that
// commits only once r has reached io.EOF without error, so bytes that fail
// their hash check leave nothing behind.
func (s *AssetStore) Put(ctx context.Context, hash string, r io.Reader, _ int64) error {
	var one int
	err := s.db.QueryRowContext(ctx, "SELECT 1 FROM "+s.t.assets+" WHERE hash = ?", hash).Scan(&one)
	if err == nil {
		return chain.ErrExists
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	bp := pieces.Buffer()
	defer pieces.Release(bp)
	buf := *bp
	n, eof, err := pieces.Fill(r, buf)
	if err != nil {
		return err
	}
	if !eof {
		return s.putChunks(ctx, hash, r, buf, n)
	}
	_, err = s.db.ExecContext(ctx, "INSERT INTO "+s.t.assets+" (hash, length, chunks, data) VALUES (?, ?, 0, ?)", hash, n, buf[:n])
	if isDup(err) {
		return chain.ErrExists
	}
	return err
}

// putChunks stores an asset whose first n bytes are in buf and the rest
// in r.
func (s *AssetStore) putChunks(ctx context.Context, hash string, r io.Reader, buf []byte, n int) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	ins, err := tx.PrepareContext(ctx, "INSERT INTO "+s.t.chunk+" (hash, seq, data) VALUES (?, ?, ?)")
	if err != nil {
		return err
	}
	defer ins.Close()
	var total int64
	seq := 0
	for eof := false; ; {
		if n > 0 {
			// A duplicate piece means another Put of the same asset got
			// there first and committed (InnoDB made us wait for it).
			if _, err := ins.ExecContext(ctx, hash, seq, buf[:n]); err != nil {
				if isDup(err) {
					return chain.ErrExists
				}
				return fmt.Errorf("piece %d: %w", seq, err)
			}
			seq++
			total += int64(n)
		}
		if eof {
			break
		}
		if n, eof, err = pieces.Fill(r, buf); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO "+s.t.assets+" (hash, length, chunks, data) VALUES (?, ?, ?, NULL)", hash, total, seq)
	if isDup(err) {
		return chain.ErrExists
	}
	if err != nil {
		return err
	}
	return tx.Commit()
}

// Get implements driver.AssetStore. A chunked asset is read a piece at a
// time, one query each, as the caller reads.
func (s *AssetStore) Get(ctx context.Context, hash string) (io.ReadCloser, error) {
	var (
		chunks int
		data   []byte
	)
	err := s.db.QueryRowContext(ctx, "SELECT chunks, data FROM "+s.t.assets+" WHERE hash = ?", hash).Scan(&chunks, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if chunks == 0 {
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	return &chunkReader{ctx: ctx, s: s, hash: hash, chunks: chunks}, nil
}

// chunkReader reads a chunked asset's pieces in order.
type chunkReader struct {
	ctx    context.Context
	s      *AssetStore
	hash   string
	chunks int
	seq    int    // next piece to fetch
	cur    []byte // unread bytes of the current piece
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.seq >= c.chunks {
			return 0, io.EOF
		}
		err := c.s.db.QueryRowContext(c.ctx, "SELECT data FROM "+c.s.t.chunk+" WHERE hash = ? AND seq = ?", c.hash, c.seq).Scan(&c.cur)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("%w: piece %d of %d is missing", chain.ErrTampered, c.seq, c.chunks)
		}
		if err != nil {
			return 0, fmt.Errorf("piece %d: %w", c.seq, err)
		}
		c.seq++
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

func (c *chunkReader) Close() error {
	c.cur, c.seq = nil, c.chunks
	return nil
}

// Stat implements driver.AssetStore.
func (s *AssetStore) Stat(ctx context.Context, hash string) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT length FROM "+s.t.assets+" WHERE hash = ?", hash).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, chain.ErrNotFound
	}
	return n, err
}

// All implements driver.AssetStore.
func (s *AssetStore) All(ctx context.Context) iter.Seq2[string, error] {
	return keys(ctx, s.db, "SELECT hash FROM "+s.t.assets+" WHERE hash > ? ORDER BY hash LIMIT ?")
}

// Close implements driver.AssetStore.
func (s *AssetStore) Close() error { return s.db.Close() }
