package mysqltarget

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/oracle"
)

// The fast path. A row set of insert or upsert records (minLoadRows or
// more) goes to the server as one LOAD DATA LOCAL INFILE of tab-separated
// lines, in the batch's transaction (so still with its checkpoint row),
// instead of multi-row INSERT statements: the server parses far fewer
// bytes and applies the rows in bulk (bench/results-oracle.md has the
// figures). It is used only where it does what the statements do, on a
// plain table (a base table without triggers that no other table's
// foreign key points at: none of them sees a difference between the two):
//
//   - insert with a key: LOAD DATA ... IGNORE keeps the first record of a
//     key, as ON DUPLICATE KEY UPDATE k = k does;
//   - insert without a key: a plain LOAD DATA;
//   - upsert: LOAD DATA ... REPLACE, whose delete-then-insert of each
//     record leaves the row the update would, when the records carry
//     every column of the table and the key is its only unique key. Other
//     upserts take the statements.
//
// What the statements would report as an error or a conversion (a bad
// number, a NULL in a NOT NULL column, a duplicate without a key, text
// that does not fit), LOAD DATA LOCAL reports as a warning or an error:
// then the load is rolled back to a savepoint and the statements run
// instead, so errors and stored values are always theirs. A server that
// refuses LOCAL INFILE (local_infile=OFF) gets the statements from then
// on, after one warning in the log.

// minLoadRows is the smallest row set loaded: LOAD DATA costs three round
// trips more than a statement (savepoint, the file request, the warning
// count), which about a hundred rows pay for. Smaller sets (a live
// block's few records, the short runs of one operation that --op-field
// gives) take the statements.
const minLoadRows = 100

// loadSeq names each load's reader uniquely in the driver's registry.
var loadSeq atomic.Int64

// load writes s with LOAD DATA LOCAL INFILE when that does what the
// statements would. It reports false, with the table as it was, when the
// statements must write s instead.
func (t *Target) load(ctx context.Context, tx *sql.Tx, s oracle.RowSet) (bool, error) {
	if !t.infile || len(s.Rows) < minLoadRows {
		return false, nil
	}
	if t.shape == nil {
		sh, err := t.readShape(ctx)
		if err != nil {
			return false, err
		}
		t.shape = &sh
	}
	if !t.shape.plain {
		return false, nil
	}
	var verb string
	switch {
	case s.Mode == oracle.Insert && len(t.key) > 0:
		verb = "IGNORE "
	case s.Mode == oracle.Insert:
	case s.Mode == oracle.Upsert && t.shape.keyOnlyUnique && t.allColumns(s.Columns):
		verb = "REPLACE "
	default:
		return false, nil
	}
	data, ok := appendLines(t.buf[:0], s.Rows)
	t.buf = data
	if !ok {
		return false, nil
	}
	name := "bh-oracle-" + strconv.FormatInt(loadSeq.Add(1), 10)
	mysql.RegisterReaderHandler(name, func() io.Reader { return bytes.NewReader(data) })
	defer mysql.DeregisterReaderHandler(name)

	if _, err := tx.ExecContext(ctx, "SAVEPOINT bh_oracle_load"); err != nil {
		return false, fmt.Errorf("insert into %s: %w", t.table, err)
	}
	cols := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		cols[i] = mysqlconn.Quote(c)
	}
	// Hex literals: the same bytes whatever the session's sql_mode.
	q := "LOAD DATA LOCAL INFILE 'Reader::" + name + "' " + verb + "INTO TABLE " + mysqlconn.Quote(t.table) +
		" CHARACTER SET utf8mb4 FIELDS TERMINATED BY X'09' ESCAPED BY X'5C' LINES TERMINATED BY X'0A' (" + strings.Join(cols, ", ") + ")"
	res, err := tx.ExecContext(ctx, q)
	var warnings int64
	if err == nil {
		err = tx.QueryRowContext(ctx, "SELECT @@warning_count").Scan(&warnings)
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err == nil {
		// IGNORE skips a duplicate with a warning each; any other
		// warning is something the statements would do otherwise.
		var skipped int64
		if verb == "IGNORE " {
			n, _ := res.RowsAffected()
			skipped = int64(len(s.Rows)) - n
		}
		ok := warnings == 0
		if !ok && warnings <= skipped {
			// IGNORE also skips, with one warning, a row the statements
			// refuse (a CHECK or foreign key failed, no partition for
			// the value): the count alone cannot tell them from
			// duplicates.
			ok, err = onlyDuplicates(ctx, tx, warnings)
		}
		if ok {
			t.log.Debug("loaded", "table", t.table, "rows", len(s.Rows))
			return true, nil
		}
	}
	if refused(err) {
		t.infile = false
		t.log.Warn("the server refuses LOAD DATA LOCAL INFILE (local_infile=OFF): replaying with INSERT statements, which is slower", "table", t.table)
	} else {
		t.log.Debug("LOAD DATA gave way to INSERT statements", "table", t.table, "err", err, "warnings", warnings)
	}
	if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT bh_oracle_load"); rerr != nil {
		if err == nil {
			err = rerr
		}
		return false, fmt.Errorf("insert into %s: %w", t.table, err)
	}
	return false, nil
}

// onlyDuplicates reports whether the last statement's warnings, all n of
// them, are duplicate keys (ER_DUP_ENTRY). The server lists at most
// max_error_count warnings (Config raises it): beyond that it cannot
// tell, and says no.
func onlyDuplicates(ctx context.Context, tx *sql.Tx, n int64) (bool, error) {
	rows, err := tx.QueryContext(ctx, "SHOW WARNINGS")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var listed int64
	for rows.Next() {
		var level, msg string
		var code int
		if err := rows.Scan(&level, &code, &msg); err != nil {
			return false, err
		}
		if code != 1062 {
			return false, nil
		}
		listed++
	}
	return listed == n, rows.Err()
}

// refused reports whether err is the server refusing LOAD DATA LOCAL.
func refused(err error) bool {
	var me *mysql.MySQLError
	// 1148: not allowed with this version (MySQL 5, older MariaDB); 3948:
	// local data disabled on the client or server side (MySQL 8); 4166:
	// local infile capability disabled (MariaDB 10.5 on).
	return errors.As(err, &me) && (me.Number == 1148 || me.Number == 3948 || me.Number == 4166)
}

// appendLines appends rows as LOAD DATA's default text format: fields
// separated by tabs, rows ended by newlines, NULL as \N, and backslash,
// tab, newline, carriage return and NUL escaped with a backslash. Values
// are written as appendValue writes them in a statement. It reports false
// for a value a statement would not send as plain digits or text (a float
// in exponent form, NaN): the statements take those.
func appendLines(q []byte, rows [][]any) ([]byte, bool) {
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				q = append(q, '\t')
			}
			switch x := arg(v).(type) {
			case nil:
				q = append(q, '\\', 'N')
			case bool:
				if x {
					q = append(q, '1')
				} else {
					q = append(q, '0')
				}
			case int:
				q = strconv.AppendInt(q, int64(x), 10)
			case int64:
				q = strconv.AppendInt(q, x, 10)
			case float64:
				n := len(q)
				q = fmt.Appendf(q, "%v", x)
				if strings.Trim(string(q[n:]), "-.0123456789") != "" {
					return q, false
				}
			case string:
				for j := 0; j < len(x); j++ {
					switch c := x[j]; c {
					case '\\':
						q = append(q, '\\', '\\')
					case '\t':
						q = append(q, '\\', 't')
					case '\n':
						q = append(q, '\\', 'n')
					case '\r':
						q = append(q, '\\', 'r')
					case 0:
						q = append(q, '\\', '0')
					default:
						q = append(q, c)
					}
				}
			}
		}
		q = append(q, '\n')
	}
	return q, true
}

// shape is what the fast path needs to know of the table, read once.
type shape struct {
	// plain: a base table (not a view, not system-versioned) without
	// triggers, that no foreign key of another table points at.
	plain bool
	// keyOnlyUnique: the key is the table's only unique key.
	keyOnlyUnique bool
}

func (t *Target) readShape(ctx context.Context) (shape, error) {
	var sh shape
	var kind string
	var triggers, references int
	err := t.db.QueryRowContext(ctx, `SELECT table_type,
  (SELECT COUNT(*) FROM information_schema.triggers WHERE event_object_schema = DATABASE() AND event_object_table = ?),
  (SELECT COUNT(*) FROM information_schema.referential_constraints WHERE unique_constraint_schema = DATABASE() AND referenced_table_name = ?)
FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`, t.table, t.table, t.table).Scan(&kind, &triggers, &references)
	if err != nil {
		return sh, fmt.Errorf("read the shape of %s: %w", t.table, err)
	}
	sh.plain = kind == "BASE TABLE" && triggers == 0 && references == 0
	rows, err := t.db.QueryContext(ctx, "SELECT index_name, column_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND non_unique = 0", t.table)
	if err != nil {
		return sh, fmt.Errorf("read the keys of %s: %w", t.table, err)
	}
	defer rows.Close()
	unique := map[string][]string{}
	for rows.Next() {
		var index, col string
		if err := rows.Scan(&index, &col); err != nil {
			return sh, err
		}
		unique[index] = append(unique[index], col)
	}
	if err := rows.Err(); err != nil {
		return sh, err
	}
	if len(unique) != 1 || len(t.key) == 0 {
		return sh, nil
	}
	for _, cols := range unique {
		sh.keyOnlyUnique = len(cols) == len(t.key)
		for _, k := range t.key {
			sh.keyOnlyUnique = sh.keyOnlyUnique && slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, k) })
		}
	}
	return sh, nil
}

// allColumns reports whether cols are all the table's columns, each once.
func (t *Target) allColumns(cols []string) bool {
	if len(cols) != len(t.cols) {
		return false
	}
	seen := map[string]bool{}
	for _, c := range cols {
		c = strings.ToLower(c)
		if !t.cols[c] || seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}
