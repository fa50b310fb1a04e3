package sql

import (
	"errors"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/internal/records"
)

// Name is the connector's registered name.
const Name = "sql"

// DefaultRows is how many rows go in one asset without --rows.
const DefaultRows = 1000

// PasswordEnv is read for the password when the --source URL names a user
// without one (the same variable as the mysql store's), so the password
// need not appear in a URL or a process list.
const PasswordEnv = mysqlconn.PasswordEnv

// ConnectTimeout bounds dialling the server, so an unreachable host fails
// promptly.
const ConnectTimeout = 5 * time.Second

func init() { connectors.Register(Spec) }

// Spec is the sql connector's spec.
var Spec = connectors.Spec{
	Name:  Name,
	Usage: "capture MySQL or MariaDB tables, in primary-key chunks",
	Help: "Reads each table in primary-key order, --rows rows (default 1000) an asset, with\n" +
		"keyset pagination, so chunks are the same on every run and --prevent-dups skips\n" +
		"those already captured. Without --table, every table of the database.\n" +
		"Rows are json lines by default (--format csv, yaml or xml): integers as numbers,\n" +
		"decimals as exact strings, NULL as null, binary as base64, DATETIME and\n" +
		"TIMESTAMP as RFC 3339 UTC. --where is SQL of your own, run as typed (trusted\n" +
		"input) inside parentheses. --incremental COLUMN captures only rows whose COLUMN\n" +
		"is past the cursor the last capture left on the chain, so runs from cron take\n" +
		"only what changed (no --prevent-dups needed); a run started while another is\n" +
		"capturing the same tables into the chain captures nothing, says so and exits 0.",
	Options: []connectors.Option{
		{Name: "source", Kind: connectors.String, Required: true, Secret: true,
			Help: "the database: mysql://user:pass@host:3306/db (password also from " + PasswordEnv + ")"},
		{Name: "table", Kind: connectors.List, Help: "tables to capture (repeatable; default: every table)"},
		{Name: "where", Kind: connectors.String, Help: "SQL condition rows must meet (trusted input, run as typed)"},
		{Name: "limit", Kind: connectors.Int, Help: "at most this many rows per table (0: all)"},
		{Name: "incremental", Kind: connectors.String, Help: "COLUMN: capture only rows whose COLUMN passed the last capture's cursor on the chain"},
	},
	Examples: []string{
		"bhctl import sql --source mysql://app@db:3306/shop --table orders --prevent-dups",
		"bhctl import sql --source mysql://app@db:3306/shop --table orders --where \"status = 'paid'\" --format csv",
		"bhctl import sql --source mysql://app@db:3306/shop --table orders --incremental updated_at",
	},
	New: newSource,
}

// Config is what a sql source reads.
type Config struct {
	// URL is the --source URL, password included; Redact it to print it.
	URL    string
	Tables []string
	Where  string
	Limit  int
	// Incremental is the --incremental column: a run reads only the rows
	// past the cursor the latest capture of each table left on the chain
	// (the Source is then a connectors.Resumer).
	Incremental string
	Common      connectors.Common
}

func newSource(args []string, v connectors.Values, c connectors.Common) (connectors.Source, error) {
	if len(args) > 0 {
		return nil, connectors.Usagef("import sql takes no arguments (got %q): name the database with --source", args[0])
	}
	limit, err := v.Int("limit")
	if err != nil {
		return nil, connectors.Usagef("%v", err)
	}
	return New(Config{
		URL:         v.String("source"),
		Tables:      v.Strings("table"),
		Where:       v.String("where"),
		Limit:       limit,
		Incremental: v.String("incremental"),
		Common:      c,
	})
}

// New checks cfg and returns a source; it does not connect yet (Chunks
// does, and checks everything before its first chunk).
func New(cfg Config) (*Source, error) {
	if err := cfg.Common.Check(); err != nil {
		return nil, connectors.Usagef("%v", err)
	}
	if cfg.Limit < 0 {
		return nil, connectors.Usagef("--limit %d: want a positive number", cfg.Limit)
	}
	mc, err := parseURL(cfg.URL, os.Getenv)
	if err != nil {
		return nil, connectors.Usagef("sql: --source %s: %v", store.Redact(cfg.URL), err)
	}
	for _, t := range cfg.Tables {
		if t == "" || strings.ContainsRune(t, 0) {
			return nil, connectors.Usagef("sql: --table %q: want a table name", t)
		}
	}
	rows := cfg.Common.Rows
	if rows == 0 {
		rows = DefaultRows
	}
	format := cfg.Common.Format
	if format == "" {
		format = records.JSON
	}
	return &Source{cfg: cfg, mysql: mc, rows: rows, format: format}, nil
}

// parseURL turns a mysql:// URL into a driver configuration (through
// internal/mysqlconn). It never puts the password in an error.
func parseURL(raw string, getenv func(string) string) (*mysql.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "mysql" {
		return nil, errors.New("want mysql://user:pass@host:3306/db")
	}
	m, err := mysqlconn.Config(u, getenv)
	if err != nil {
		return nil, err
	}
	if err := mysqlconn.Params(m, u.Query(), "tls, socket", nil); err != nil {
		return nil, err
	}
	m.Timeout = ConnectTimeout
	// Text protocol throughout (placeholders are interpolated client side),
	// so every value arrives as the server's own text: exact decimals, and
	// times converted by us, not by the driver.
	m.InterpolateParams = true
	m.ParseTime = false
	// TIMESTAMP values arrive in UTC. A table is read as one stream
	// (see fetch): the server waits up to net_write_timeout for a capture
	// that lags (a slow asset store) before it drops the connection, and
	// the stream is then opened again after the last row read; ten
	// minutes rather than the default minute spares those re-reads.
	m.Params = map[string]string{"time_zone": "'+00:00'", "net_write_timeout": "600"}
	return m, nil
}
