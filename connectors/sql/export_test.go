package sql

import (
	"context"
	dbsql "database/sql"
	"database/sql/driver"
)

// StreamRows reads q as fetch does (below database/sql), each value as
// its text, nil for NULL.
func StreamRows(ctx context.Context, db *dbsql.DB, q string, args ...any) ([][][]byte, error) {
	var out [][][]byte
	var conv *rawRow
	var raw []dbsql.RawBytes
	err := stream(ctx, db, q, args, func(vals []driver.Value) error {
		if conv == nil {
			conv, raw = newRawRow(len(vals)), make([]dbsql.RawBytes, len(vals))
		}
		if err := conv.row(raw, vals); err != nil {
			return err
		}
		out = append(out, CopyRow(raw))
		return nil
	})
	return out, err
}

// CopyRow copies a row of RawBytes, which are valid only until the next
// row is read; NULL stays nil, an empty value empty.
func CopyRow(raw []dbsql.RawBytes) [][]byte {
	row := make([][]byte, len(raw))
	for i, v := range raw {
		if v != nil {
			row[i] = append([]byte{}, v...)
		}
	}
	return row
}
