package mysqltarget

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/oracle"
)

var getenv = os.Getenv

// schema makes sure the table has the columns of the row sets: it reads
// them the first time, and with Create makes the table or adds columns.
func (t *Target) schema(ctx context.Context, sets []oracle.RowSet) error {
	if len(sets) == 0 {
		return nil
	}
	if t.cols == nil {
		cols, err := t.columns(ctx)
		if err != nil {
			return err
		}
		if len(cols) == 0 {
			if !t.create {
				return fmt.Errorf("table %s does not exist (add --create to make it from the records)", t.table)
			}
			ddl := t.DDL(oracle.InferColumns(sets, t.key))
			if _, err := t.db.ExecContext(ctx, ddl); err != nil {
				return fmt.Errorf("create table %s: %w", t.table, err)
			}
			t.log.Info("created table", "table", t.table)
			if cols, err = t.columns(ctx); err != nil {
				return err
			}
		}
		t.cols = cols
	}
	var missing []oracle.RowSet
	for _, s := range sets {
		for _, c := range s.Columns {
			if !t.cols[strings.ToLower(c)] {
				missing = append(missing, s)
				break
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for _, c := range oracle.InferColumns(missing, t.key) {
		if t.cols[strings.ToLower(c.Name)] {
			continue
		}
		if !t.create {
			return fmt.Errorf("field %s is not a column of table %s (drop it with --hide, or add --create to add the column)", c.Name, t.table)
		}
		_, err := t.db.ExecContext(ctx, "ALTER TABLE "+mysqlconn.Quote(t.table)+" ADD COLUMN "+mysqlconn.Quote(c.Name)+" "+sqlType(c))
		// 1060, duplicate column: another replay into the table added it
		// since this one read the columns, which is what was wanted.
		if me := (*mysql.MySQLError)(nil); err != nil && !(errors.As(err, &me) && me.Number == 1060) {
			return fmt.Errorf("add column %s to %s: %w", c.Name, t.table, err)
		}
		t.cols[strings.ToLower(c.Name)] = true
	}
	return nil
}

// columns returns the table's column names, lower case; none when there
// is no such table.
func (t *Target) columns(ctx context.Context) (map[string]bool, error) {
	rows, err := t.db.QueryContext(ctx, "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?", t.table)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", t.table, err)
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols[strings.ToLower(c)] = true
	}
	return cols, rows.Err()
}

// DDL is the CREATE TABLE statement for records with cols: integers as
// BIGINT, decimals as DOUBLE, booleans as BOOLEAN, text as VARCHAR or TEXT
// by length, the key (if any) as the primary key.
func (t *Target) DDL(cols []oracle.Column) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS " + mysqlconn.Quote(t.table) + " (\n")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  " + mysqlconn.Quote(c.Name) + " " + sqlType(c))
		if c.Key {
			b.WriteString(" NOT NULL")
		}
	}
	var pk []string
	for _, k := range t.key {
		pk = append(pk, mysqlconn.Quote(k))
	}
	if len(pk) > 0 {
		b.WriteString(",\n  PRIMARY KEY (" + strings.Join(pk, ", ") + ")")
	}
	b.WriteString("\n) DEFAULT CHARSET=utf8mb4")
	return b.String()
}

func sqlType(c oracle.Column) string {
	switch c.Kind {
	case oracle.Int:
		return "BIGINT"
	case oracle.Float:
		return "DOUBLE"
	case oracle.Bool:
		return "BOOLEAN"
	}
	if c.Key {
		return "VARCHAR(191)"
	}
	if c.MaxLen <= 255 {
		return "VARCHAR(255)"
	}
	return "TEXT"
}
