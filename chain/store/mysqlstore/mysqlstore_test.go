package mysqlstore

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/chain/store/storetest"
	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/internal/testenv"
)

func TestConformance(t *testing.T) {
	base := serverURL(t)
	storetest.Run(t, storetest.URLHarness(func(t *testing.T) string {
		return freshTables(t, base)
	}))
}

// serverURL is the test server's URL from BH_TEST_MYSQL, which
// scripts/testservers.sh exports.
func serverURL(t *testing.T) string {
	t.Helper()
	return testenv.URL(t, testenv.MySQL)
}

var tableSeq atomic.Int64

// freshTables returns base with a table prefix no other test uses; the
// tables are dropped when t ends.
func freshTables(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("bht%d_%d_", os.Getpid(), tableSeq.Add(1))
	q := u.Query()
	q.Set("table_prefix", prefix)
	u.RawQuery = q.Encode()
	t.Cleanup(func() { dropTables(t, u) })
	return u.String()
}

func dropTables(t *testing.T, u *url.URL) {
	c, err := parseURL(u, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(must(mysql.NewConnector(c.mysql)))
	defer db.Close()
	for _, k := range allTables {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + mysqlconn.Quote(c.prefix+k)); err != nil {
			t.Errorf("drop %s%s: %v", c.prefix, k, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
