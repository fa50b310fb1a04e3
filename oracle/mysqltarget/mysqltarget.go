// Package mysqltarget is the oracle's MySQL/MariaDB target
// (mysql://user:pass@host:3306/db): records become rows of one table,
// written in one transaction per batch, together with the replay's
// position in the table bh_oracle_checkpoint. Inserts and upserts stream
// to the server as LOAD DATA LOCAL INFILE where that does what the
// statements would (load.go); otherwise, and for updates and deletes,
// multi-row INSERT ... ON DUPLICATE KEY UPDATE, UPDATE and DELETE.
package mysqltarget

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/oracle"
)

// Scheme is the URL scheme of the target.
const Scheme = "mysql"

// CheckpointTable holds every replay's position.
const CheckpointTable = "bh_oracle_checkpoint"

// PasswordEnv is read for the password when the URL has a user and none.
const PasswordEnv = mysqlconn.PasswordEnv

func init() { oracle.RegisterTarget(Scheme, opener{}) }

type opener struct{}

func (opener) OpenTarget(ctx context.Context, u *url.URL, opts *oracle.TargetOptions) (oracle.Target, error) {
	return Open(ctx, u, opts)
}

// Target writes records into one MySQL/MariaDB table.
type Target struct {
	db     *sql.DB
	table  string
	key    []string
	create bool
	cols   map[string]bool // the table's columns, once known
	// noBackslash: the session's sql_mode has NO_BACKSLASH_ESCAPES, so
	// literals double their quotes instead.
	noBackslash bool
	// maxStatement bounds the bytes of one multi-row statement.
	maxStatement int
	// infile: inserts and upserts may take LOAD DATA LOCAL INFILE (the
	// URL's local_infile, until the server refuses it).
	infile bool
	// shape is what the fast path knows of the table, once read.
	shape *shape
	// buf holds the lines of the row set being loaded.
	buf []byte
	log *slog.Logger
}

var _ oracle.Target = (*Target)(nil)
var _ oracle.DDLPrinter = (*Target)(nil)

// Config turns a mysql:// URL into a driver configuration. The URL may
// carry tls, socket and local_infile (read by Open).
func Config(u *url.URL, getenv func(string) string) (*mysql.Config, error) {
	m, err := mysqlconn.Config(u, getenv)
	if err != nil {
		return nil, err
	}
	if err := mysqlconn.Params(m, u.Query(), "tls, socket, local_infile", func(k, v string) (bool, error) {
		if k != "local_infile" {
			return false, nil
		}
		if _, err := strconv.ParseBool(v); err != nil {
			return true, fmt.Errorf("local_infile=%q: want true or false", v)
		}
		return true, nil
	}); err != nil {
		return nil, err
	}
	// A LOAD DATA ... IGNORE is checked warning by warning (load.go):
	// let the server keep one per row of a large row set, not 64.
	if m.Params == nil {
		m.Params = map[string]string{}
	}
	m.Params["max_error_count"] = "65535"
	m.ParseTime = false
	m.InterpolateParams = true
	m.MultiStatements = false
	m.Timeout = 10 * time.Second
	return m, nil
}

// Open connects to the database of u; the table is opts.Table.
func Open(ctx context.Context, u *url.URL, opts *oracle.TargetOptions) (*Target, error) {
	if opts == nil || opts.Table == "" {
		return nil, errors.New("mysql target: give --table")
	}
	cfg, err := Config(u, getenv)
	if err != nil {
		return nil, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect %s: %v", cfg.Addr, err)
	}
	t := &Target{db: db, table: opts.Table, key: opts.Key, create: opts.Create, infile: true, log: opts.Log()}
	if vs := u.Query()["local_infile"]; len(vs) > 0 {
		t.infile, _ = strconv.ParseBool(vs[len(vs)-1]) // checked by Config
	}
	var mode string
	var packet int
	if err := db.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode, @@max_allowed_packet").Scan(&mode, &packet); err != nil {
		db.Close()
		return nil, fmt.Errorf("read sql_mode: %w", err)
	}
	t.noBackslash = strings.Contains(mode, "NO_BACKSLASH_ESCAPES")
	// Half the server's packet limit leaves room for the last row; more
	// than 8 MiB per statement gains nothing.
	t.maxStatement = min(max(packet/2, 64<<10), maxStatement)
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+CheckpointTable+` (
  name VARCHAR(191) NOT NULL PRIMARY KEY,
  chain VARCHAR(128) NOT NULL,
  block VARCHAR(128) NOT NULL,
  height BIGINT UNSIGNED NOT NULL,
  asset_index INT NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) DEFAULT CHARSET=utf8mb4`); err != nil {
		db.Close()
		return nil, fmt.Errorf("create %s: %w", CheckpointTable, err)
	}
	return t, nil
}

// DB is the target's connection pool (for tests and tools).
func (t *Target) DB() *sql.DB { return t.db }

// Close closes the connections.
func (t *Target) Close() error { return t.db.Close() }

// Position reads the position stored under name.
func (t *Target) Position(ctx context.Context, name, chainID string) (oracle.Position, bool, error) {
	var p oracle.Position
	err := t.db.QueryRowContext(ctx, "SELECT chain, block, height, asset_index FROM "+CheckpointTable+" WHERE name = ?", name).
		Scan(&p.Chain, &p.Block, &p.Height, &p.Asset)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("read %s: %w", CheckpointTable, err)
	}
	if p.Chain != chainID {
		return p, false, fmt.Errorf("replay %q is at a position on chain %s, not %s: pick another --name", name, p.Chain, chainID)
	}
	return p, true, nil
}

// Apply writes the batch and its position in one transaction.
func (t *Target) Apply(ctx context.Context, b *oracle.Batch) error {
	if err := t.schema(ctx, b.Sets); err != nil {
		return err
	}
	tx, err := t.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if b.Name != "" {
		// First, so that a second replay of the name waits here for the
		// first one's commit, then finds the position moved, and applies
		// nothing.
		if err := claimPosition(ctx, tx, b); err != nil {
			return err
		}
	}
	for _, s := range b.Sets {
		if err := t.apply(ctx, tx, s); err != nil {
			return err
		}
	}
	if b.Name != "" {
		if _, err := tx.ExecContext(ctx, "UPDATE "+CheckpointTable+" SET chain = ?, block = ?, height = ?, asset_index = ? WHERE name = ?",
			b.Pos.Chain, b.Pos.Block, b.Pos.Height, b.Pos.Asset, b.Name); err != nil {
			return fmt.Errorf("write %s: %w", CheckpointTable, err)
		}
	}
	return tx.Commit()
}

// claimPosition locks the checkpoint row of b.Name in tx and checks that
// it still holds b.From, the position this replay started the batch from;
// on a first run (From zero) it inserts the row, which the primary key
// lets only one replay do. Another replay of the name that moved the
// position first makes it fail with oracle.ErrMoved: the check and the
// move are one transaction, so no two replays apply the same batch.
func claimPosition(ctx context.Context, tx *sql.Tx, b *oracle.Batch) error {
	var cur oracle.Position
	err := tx.QueryRowContext(ctx, "SELECT chain, block, height, asset_index FROM "+CheckpointTable+" WHERE name = ? FOR UPDATE", b.Name).
		Scan(&cur.Chain, &cur.Block, &cur.Height, &cur.Asset)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if b.From != (oracle.Position{}) {
			return fmt.Errorf("replay %q: %w (its checkpoint row was deleted)", b.Name, oracle.ErrMoved)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO "+CheckpointTable+" (name, chain, block, height, asset_index) VALUES (?, ?, ?, ?, ?)",
			b.Name, b.From.Chain, b.From.Block, b.From.Height, b.From.Asset)
		var me *mysql.MySQLError
		if errors.As(err, &me) && (me.Number == 1062 || me.Number == 1213) { // duplicate key; deadlock of two first inserts
			return fmt.Errorf("replay %q: %w (another one started at the same moment)", b.Name, oracle.ErrMoved)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", CheckpointTable, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", CheckpointTable, err)
	case cur != b.From:
		return fmt.Errorf("replay %q: %w (it is at height %d asset %d, this replay at height %d asset %d)", b.Name, oracle.ErrMoved, cur.Height, cur.Asset, b.From.Height, b.From.Asset)
	}
	return nil
}

// maxStatement is the most bytes of one multi-row statement.
const maxStatement = 8 << 20

func (t *Target) apply(ctx context.Context, tx *sql.Tx, s oracle.RowSet) error {
	switch s.Mode {
	case oracle.Upsert, oracle.Insert:
		return t.insert(ctx, tx, s)
	case oracle.Update:
		return t.update(ctx, tx, s)
	case oracle.Delete:
		return t.delete(ctx, tx, s)
	}
	return fmt.Errorf("mode %v", s.Mode)
}

func (t *Target) insert(ctx context.Context, tx *sql.Tx, s oracle.RowSet) error {
	if done, err := t.load(ctx, tx, s); done || err != nil {
		return err
	}
	var head strings.Builder
	head.WriteString("INSERT INTO " + mysqlconn.Quote(t.table) + " (")
	for i, c := range s.Columns {
		if i > 0 {
			head.WriteString(", ")
		}
		head.WriteString(mysqlconn.Quote(c))
	}
	head.WriteString(") VALUES ")
	tail := ""
	switch {
	case s.Mode == oracle.Upsert:
		var set []string
		for _, c := range s.Columns {
			if !slices.Contains(t.key, c) {
				set = append(set, mysqlconn.Quote(c)+" = VALUES("+mysqlconn.Quote(c)+")")
			}
		}
		if len(set) == 0 && len(t.key) > 0 {
			set = append(set, mysqlconn.Quote(t.key[0])+" = "+mysqlconn.Quote(t.key[0]))
		}
		tail = " ON DUPLICATE KEY UPDATE " + strings.Join(set, ", ")
	case len(t.key) > 0:
		// insert: the first record of a key wins; later ones leave it.
		tail = " ON DUPLICATE KEY UPDATE " + mysqlconn.Quote(t.key[0]) + " = " + mysqlconn.Quote(t.key[0])
	}
	full := func(q []byte, _ int) bool { return len(q) >= t.maxStatement }
	return t.execRows(ctx, tx, "insert into", head.String(), tail, s.Rows, nil, full)
}

func (t *Target) update(ctx context.Context, tx *sql.Tx, s oracle.RowSet) error {
	var set, where []string
	var setIdx, keyIdx []int
	for i, c := range s.Columns {
		if slices.Contains(t.key, c) {
			continue
		}
		set = append(set, mysqlconn.Quote(c)+" = ?")
		setIdx = append(setIdx, i)
	}
	for _, k := range t.key {
		where = append(where, mysqlconn.Quote(k)+" = ?")
		keyIdx = append(keyIdx, slices.Index(s.Columns, k))
	}
	if len(set) == 0 {
		return nil
	}
	q := "UPDATE " + mysqlconn.Quote(t.table) + " SET " + strings.Join(set, ", ") + " WHERE " + strings.Join(where, " AND ")
	args := make([]any, 0, len(setIdx)+len(keyIdx))
	for _, r := range s.Rows {
		args = args[:0]
		for _, i := range setIdx {
			args = append(args, arg(r[i]))
		}
		for _, i := range keyIdx {
			args = append(args, arg(r[i]))
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("update %s: %w", t.table, err)
		}
	}
	return nil
}

func (t *Target) delete(ctx context.Context, tx *sql.Tx, s oracle.RowSet) error {
	keyIdx := make([]int, 0, len(t.key)) // never nil: execRows reads nil as every value
	var cols []string
	for _, k := range t.key {
		keyIdx = append(keyIdx, slices.Index(s.Columns, k))
		cols = append(cols, mysqlconn.Quote(k))
	}
	head := "DELETE FROM " + mysqlconn.Quote(t.table) + " WHERE (" + strings.Join(cols, ", ") + ") IN ("
	full := func(_ []byte, rows int) bool { return rows >= 1000 }
	return t.execRows(ctx, tx, "delete from", head, ")", s.Rows, keyIdx, full)
}

// execRows runs head, a parenthesised tuple of each row's values at cols
// (nil: all of them), comma separated, and tail, as one statement per run
// of rows; a run ends when full says so of the statement so far and its
// rows. what and the table name the statement in errors.
func (t *Target) execRows(ctx context.Context, tx *sql.Tx, what, head, tail string, rows [][]any, cols []int, full func(q []byte, rows int) bool) error {
	var q []byte
	n := 0
	run := func() error {
		if n == 0 {
			return nil
		}
		q = append(q, tail...)
		if _, err := tx.ExecContext(ctx, string(q)); err != nil {
			return fmt.Errorf("%s %s: %w", what, t.table, err)
		}
		n = 0
		return nil
	}
	for _, r := range rows {
		if n == 0 {
			q = append(q[:0], head...)
		} else {
			q = append(q, ',')
		}
		q = append(q, '(')
		if cols == nil {
			for i, v := range r {
				if i > 0 {
					q = append(q, ',')
				}
				q = appendValue(q, v, t.noBackslash)
			}
		} else {
			for j, i := range cols {
				if j > 0 {
					q = append(q, ',')
				}
				q = appendValue(q, r[i], t.noBackslash)
			}
		}
		q = append(q, ')')
		n++
		if full(q, n) {
			if err := run(); err != nil {
				return err
			}
		}
	}
	return run()
}

// arg is a value as the driver takes it.
func arg(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int, int64, float64:
		return v
	case json.Number:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// appendValue appends v as a SQL literal. Strings are quoted with the
// escapes of MySQL's default sql_mode (backslash and quote).
func appendValue(q []byte, v any, noBackslash bool) []byte {
	switch x := arg(v).(type) {
	case nil:
		return append(q, "NULL"...)
	case bool:
		if x {
			return append(q, '1')
		}
		return append(q, '0')
	case int:
		return fmt.Appendf(q, "%d", x)
	case int64:
		return fmt.Appendf(q, "%d", x)
	case float64:
		return fmt.Appendf(q, "%v", x)
	case string:
		q = append(q, '\'')
		if noBackslash {
			q = append(q, strings.ReplaceAll(x, "'", "''")...)
			return append(q, '\'')
		}
		for i := 0; i < len(x); i++ {
			c := x[i]
			switch c {
			case 0:
				q = append(q, '\\', '0')
			case '\n':
				q = append(q, '\\', 'n')
			case '\r':
				q = append(q, '\\', 'r')
			case '\x1a':
				q = append(q, '\\', 'Z')
			case '\'':
				q = append(q, '\\', '\'')
			case '"':
				q = append(q, '\\', '"')
			case '\\':
				q = append(q, '\\', '\\')
			default:
				q = append(q, c)
			}
		}
		return append(q, '\'')
	}
	return q
}
