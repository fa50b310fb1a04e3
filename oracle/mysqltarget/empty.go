package mysqltarget

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/oracle"
)

var _ oracle.Emptier = (*Target)(nil)

// errNoTable is MariaDB's and MySQL's ER_NO_SUCH_TABLE.
const errNoTable = 1146

// Empty reports whether the table is missing or has no rows.
func (t *Target) Empty(ctx context.Context) (bool, error) {
	var one int
	err := t.db.QueryRowContext(ctx, "SELECT 1 FROM "+mysqlconn.Quote(t.table)+" LIMIT 1").Scan(&one)
	var me *mysql.MySQLError
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, nil
	case errors.As(err, &me) && me.Number == errNoTable:
		return true, nil
	case err != nil:
		return false, fmt.Errorf("read %s: %w", t.table, err)
	}
	return false, nil
}
