package mysqlstore

import (
	"context"
	"database/sql"
	"iter"
)

// pageSize is how many keys one listing query returns.
const pageSize = 1000

// keys yields the keys query selects, a page at a time: query takes the
// last key seen and a limit, and orders by key. No connection is held
// while the caller handles a key, so it may use the store meanwhile.
func keys(ctx context.Context, db *sql.DB, query string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		after := ""
		for {
			page, err := keyPage(ctx, db, query, after)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range page {
				if !yield(k, nil) {
					return
				}
			}
			if len(page) < pageSize {
				return
			}
			after = page[len(page)-1]
		}
	}
}

func keyPage(ctx context.Context, db *sql.DB, query, after string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, after, pageSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		page = append(page, k)
	}
	return page, rows.Err()
}
