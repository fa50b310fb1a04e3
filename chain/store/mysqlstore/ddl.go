package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/blockhub/blockhub/internal/mysqlconn"

	"github.com/go-sql-driver/mysql"
)

// The store's tables, without their prefix, in DDL order.
const (
	tBlocks = "blocks"
	tTails  = "tails"
	tNames  = "names"
	tAssets = "assets"
	tChunks = "asset_chunks"
	tTiles  = "tiles"
)

var (
	blockTables = []string{tBlocks, tTails, tNames, tTiles}
	assetTables = []string{tAssets, tChunks}
	allTables   = []string{tBlocks, tTails, tNames, tTiles, tAssets, tChunks}
)

// Ids and hashes are lower-case hex: ascii with a binary collation compares
// them byte for byte and keeps keys short.
//
// columns holds each table's CREATE TABLE; %s is the quoted table name.
var columns = map[string]string{
	tBlocks: `CREATE TABLE IF NOT EXISTS %s (
  id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  chain  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- '' for a root
  height BIGINT UNSIGNED NOT NULL,
  prev   VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- '' for a root
  next   VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,      -- set once, by a conditional UPDATE
  doc    LONGBLOB NOT NULL,                                            -- canonical JSON without next
  PRIMARY KEY (id),
  KEY chain_height (chain, height)                                     -- roots: chain = '' AND height = 0
) ENGINE=InnoDB`,
	tTails: `CREATE TABLE IF NOT EXISTS %s (
  chain VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  id    VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- last tail seen: a hint only
  PRIMARY KEY (chain)
) ENGINE=InnoDB`,
	tNames: `CREATE TABLE IF NOT EXISTS %s (
  name_key CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,    -- hex SHA-256 of the chain name
  name     VARBINARY(1024) NOT NULL,                                   -- the name itself, for people
  root     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, -- the root that claimed it first
  PRIMARY KEY (name_key)
) ENGINE=InnoDB`,
	tTiles: `CREATE TABLE IF NOT EXISTS %s (
  chain VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name  VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- Merkle tree tile (chain/merkle): derived, rebuilt when lost
  data  MEDIUMBLOB NOT NULL,
  PRIMARY KEY (chain, name)
) ENGINE=InnoDB`,
	tAssets: `CREATE TABLE IF NOT EXISTS %s (
  hash   VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  length BIGINT UNSIGNED NOT NULL,
  chunks INT UNSIGNED NOT NULL,                                        -- 0: bytes in data; n: in n asset_chunks rows
  data   MEDIUMBLOB NULL,
  PRIMARY KEY (hash)
) ENGINE=InnoDB`,
	tChunks: `CREATE TABLE IF NOT EXISTS %s (
  hash VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  seq  INT UNSIGNED NOT NULL,                                        -- 0, 1, ...: 1 MiB pieces in order
  data MEDIUMBLOB NOT NULL,
  PRIMARY KEY (hash, seq)
) ENGINE=InnoDB`,
}

// DDL returns the CREATE TABLE statements of a store whose tables start
// with prefix, for a DBA to run before opening it with create=false.
func DDL(prefix string) string {
	t := newTables(prefix)
	var b strings.Builder
	for _, k := range allTables {
		b.WriteString(t.ddl(k))
		b.WriteString(";\n\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// URLDDL returns the DDL of the store a mysql:// URL names (its
// table_prefix), checking the URL on the way.
func URLDDL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != Scheme {
		return "", errors.New("want a mysql://user:pass@host:3306/db URL")
	}
	c, err := parseURL(u, func(string) string { return "" })
	if err != nil {
		return "", err
	}
	return DDL(c.prefix), nil
}

// tables holds the quoted names of one store's tables.
type tables struct {
	prefix                              string
	blocks, tails, names, assets, chunk string
}

func newTables(prefix string) tables {
	return tables{
		prefix: prefix,
		blocks: mysqlconn.Quote(prefix + tBlocks),
		tails:  mysqlconn.Quote(prefix + tTails),
		names:  mysqlconn.Quote(prefix + tNames),
		assets: mysqlconn.Quote(prefix + tAssets),
		chunk:  mysqlconn.Quote(prefix + tChunks),
	}
}

func (t tables) ddl(kind string) string {
	return fmt.Sprintf(columns[kind], mysqlconn.Quote(t.prefix+kind))
}

// create makes the tables named by kinds when missing.
func (t tables) create(ctx context.Context, db *sql.DB, kinds []string) error {
	for _, k := range kinds {
		if _, err := db.ExecContext(ctx, t.ddl(k)); err != nil {
			return fmt.Errorf("create table %s: %w", t.prefix+k, err)
		}
	}
	return nil
}

// check makes sure the tables named by kinds exist, for create=false.
func (t tables) check(ctx context.Context, db *sql.DB, kinds []string) error {
	for _, k := range kinds {
		_, err := db.ExecContext(ctx, "SELECT 1 FROM "+mysqlconn.Quote(t.prefix+k)+" LIMIT 0")
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1146 {
			return fmt.Errorf("table %s is missing and the URL says create=false: create the tables (bhctl store ddl URL prints them) or drop create=false", t.prefix+k)
		}
		if err != nil {
			return fmt.Errorf("table %s: %w", t.prefix+k, err)
		}
	}
	return nil
}
