// Package mysqlstore keeps assets and blocks in MySQL or MariaDB tables,
// under the mysql:// scheme, through github.com/go-sql-driver/mysql.
//
//	mysql://user:pass@host:3306/db[?table_prefix=bh_][&create=false][&tls=true]
//
// Tables (names start with table_prefix; DDL prints their definitions):
//
//	blocks        id PK, chain, height, prev, next NULL, doc: one row a block
//	assets        hash PK, length, chunks, data: one row an asset
//	asset_chunks  (hash, seq) PK, data: the 1 MiB pieces of larger assets
//	tails         chain PK, id: the last tail seen (a hint)
//	names         name_key PK, name, root: which root a chain name belongs to
//
// Block creation is an INSERT, so a taken id fails on the primary key; a
// block's next is set with one conditional UPDATE (... WHERE next IS NULL),
// never a read followed by a write; a chain name is claimed by an INSERT
// into names, whose primary key lets the first claim in. An asset up to 1 MiB is one row; a
// larger one is streamed into asset_chunks a piece at a time inside a
// transaction that commits only when its bytes checked out, so a Put holds
// at most one piece in memory and a refused Put leaves nothing behind.
//
// Tables are created on first use (CREATE TABLE IF NOT EXISTS) unless the
// URL says create=false, for users whose DBA creates them from DDL.
//
// It imports chain, chain/store and chain/store/driver.
package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
	"github.com/blockhub/blockhub/internal/mysqlconn"
)

// Scheme is the URL scheme of this driver.
const Scheme = "mysql"

// DefaultPort is the port used when the URL names none.
const DefaultPort = mysqlconn.DefaultPort

// ConnectTimeout bounds dialling the server and the first round trip at
// open, so an unreachable or silent server fails promptly.
const ConnectTimeout = 5 * time.Second

// PasswordEnv is read for the password when the URL names a user without
// one, so the password need not appear in a URL or a process list.
const PasswordEnv = mysqlconn.PasswordEnv

func init() { store.Register(Scheme, opener{}) }

type opener struct{}

func (opener) OpenAssets(ctx context.Context, u *url.URL, opts *store.Options) (driver.AssetStore, error) {
	db, cfg, err := open(ctx, u, opts, assetTables)
	if err != nil {
		return nil, err
	}
	return &AssetStore{db: db, t: newTables(cfg.prefix)}, nil
}

func (opener) OpenBlocks(ctx context.Context, u *url.URL, opts *store.Options) (driver.BlockStore, error) {
	db, cfg, err := open(ctx, u, opts, blockTables)
	if err != nil {
		return nil, err
	}
	return &BlockStore{db: db, t: newTables(cfg.prefix)}, nil
}

// config is what a mysql:// URL says.
type config struct {
	mysql  *mysql.Config
	prefix string
	create bool
}

var prefixRE = regexp.MustCompile(`^[A-Za-z0-9_]{0,40}$`)

// parseURL turns a mysql:// URL into a driver configuration (through
// internal/mysqlconn) with the store's own parameters. It never puts the
// password in an error.
func parseURL(u *url.URL, getenv func(string) string) (config, error) {
	c := config{create: true}
	m, err := mysqlconn.Config(u, getenv)
	if err != nil {
		return c, err
	}
	c.mysql = m
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return c, fmt.Errorf("bad URL parameters: %v", err)
	}
	err = mysqlconn.Params(m, q, "table_prefix, create, tls, socket", func(k, v string) (bool, error) {
		switch k {
		case "table_prefix":
			if !prefixRE.MatchString(v) {
				return true, fmt.Errorf("table_prefix %q: want up to 40 letters, digits and underscores", v)
			}
			c.prefix = v
		case "create":
			switch v {
			case "true", "1", "":
				c.create = true
			case "false", "0":
				c.create = false
			default:
				return true, fmt.Errorf("create=%q: want true or false", v)
			}
		default:
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return c, err
	}
	m.ParseTime = true
	m.Timeout = ConnectTimeout
	// Big assets go in 1 MiB pieces; leave room for the statement around one.
	m.MaxAllowedPacket = 4 << 20
	return c, nil
}

// open connects, checks the server answers and makes (or checks) the
// tables kinds names.
func open(ctx context.Context, u *url.URL, opts *store.Options, kinds []string) (*sql.DB, config, error) {
	cfg, err := parseURL(u, os.Getenv)
	if err != nil {
		return nil, cfg, err
	}
	log := opts.Log().With("store", "mysql", "addr", cfg.mysql.Addr, "db", cfg.mysql.DBName)
	cfg.mysql.Logger = slogLogger{log}
	conn, err := mysql.NewConnector(cfg.mysql)
	if err != nil {
		return nil, cfg, err
	}
	db := sql.OpenDB(conn)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, cfg, connectError(ctx, cfg, err)
	}
	t := newTables(cfg.prefix)
	if cfg.create {
		err = t.create(ctx, db, kinds)
	} else {
		err = t.check(ctx, db, kinds)
	}
	if err != nil {
		db.Close()
		return nil, cfg, err
	}
	log.Debug("opened", "prefix", cfg.prefix, "create", cfg.create)
	return db, cfg, nil
}

// connectError says in one line why the server could not be reached.
func connectError(ctx context.Context, cfg config, err error) error {
	m := cfg.mysql
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &me) && me.Number == 1049:
		return fmt.Errorf("database %q does not exist on %s: create it (CREATE DATABASE %s) or fix the URL", m.DBName, m.Addr, m.DBName)
	case errors.As(err, &me) && (me.Number == 1045 || me.Number == 1044):
		return fmt.Errorf("%s refused user %q: %w", m.Addr, m.User, err)
	case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s did not answer within %s", m.Addr, ConnectTimeout)
	}
	return fmt.Errorf("cannot reach %s: %w", m.Addr, err)
}

// slogLogger sends the mysql driver's own complaints to the store's logger
// instead of stderr.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Print(v ...any) { s.l.Debug(strings.TrimSpace(fmt.Sprint(v...))) }

// isDup reports a duplicate-key error (1062): a create-only write found
// its key taken.
func isDup(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1062
}
