package faults

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/internal/testenv"
)

// driver is a store driver the scenarios run on: it gives a fresh store
// URL of its own for each rig ("" is the folder store in the rig's home).
type driver struct {
	name  string
	store func(t *testing.T, tag string) string
}

var drivers = []driver{
	{"folder", func(*testing.T, string) string { return "" }},
	{"mysql", mysqlStore},
	{"s3", s3Store},
	{"mongodb", mongoStore},
}

// rig makes a rig on the driver's stores.
func (d driver) rig(t *testing.T, tag string) *rig {
	t.Helper()
	r := newRig(t)
	if u := d.store(t, tag); u != "" {
		r.withStores(u)
	}
	return r
}

// mysqlStore is the shared MariaDB's database with a table prefix of the
// test's own; the tables are dropped when the test ends.
func mysqlStore(t *testing.T, tag string) string {
	t.Helper()
	base := testenv.URL(t, testenv.MySQL)
	prefix := "fx_" + tag + "_"
	t.Cleanup(func() { dropTables(t, base, prefix) })
	return withQuery(base, "table_prefix", prefix)
}

// s3Store is the test MinIO's bucket under a prefix of the test's own.
func s3Store(t *testing.T, tag string) string {
	t.Helper()
	u, err := url.Parse(testenv.URL(t, testenv.S3))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/faults-" + strings.ReplaceAll(tag, "_", "-")
	return u.String()
}

// mongoStore is a database of the test's own on the test FerretDB.
func mongoStore(t *testing.T, tag string) string {
	t.Helper()
	u, err := url.Parse(testenv.URL(t, testenv.Mongo))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/fx_" + tag
	return u.String()
}

func withQuery(raw, k, v string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// openMySQL opens the database of a mysql:// URL (no password, as the
// test server has).
func openMySQL(t *testing.T, raw string) *sql.DB {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// dropTables drops the tables of the database whose names start with
// prefix.
func dropTables(t *testing.T, raw, prefix string) {
	db := openMySQL(t, raw)
	defer db.Close()
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?",
		strings.ReplaceAll(prefix, "_", `\_`)+"%")
	if err != nil {
		t.Logf("drop %s*: %v", prefix, err)
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		if _, err := db.Exec(fmt.Sprintf("DROP TABLE IF EXISTS `%s`", n)); err != nil {
			t.Logf("drop %s: %v", n, err)
		}
	}
}
