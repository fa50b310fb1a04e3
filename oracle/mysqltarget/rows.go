package mysqltarget

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/oracle"
)

var _ oracle.RowReader = (*Target)(nil)

// ReadRow implements oracle.RowReader: SELECT * of the row with the key.
func (t *Target) ReadRow(ctx context.Context, key map[string]string) (map[string]any, error) {
	if len(t.key) == 0 {
		return nil, fmt.Errorf("table %s: reading a row needs the key fields", t.table)
	}
	var where []string
	var args []any
	for _, k := range t.key {
		v, ok := key[k]
		if !ok {
			return nil, fmt.Errorf("table %s: want the key field %s", t.table, k)
		}
		where = append(where, mysqlconn.Quote(k)+" = ?")
		args = append(args, v)
	}
	rows, err := t.db.QueryContext(ctx, "SELECT * FROM "+mysqlconn.Quote(t.table)+" WHERE "+strings.Join(where, " AND ")+" LIMIT 1", args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", t.table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("table %s: %w: no row with key %v", t.table, chain.ErrNotFound, key)
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("read %s: %w", t.table, err)
	}
	out := make(map[string]any, len(cols))
	for i, c := range cols {
		if vals[i] == nil {
			out[c] = nil
		} else {
			out[c] = string(vals[i])
		}
	}
	return out, errors.Join(rows.Err())
}
