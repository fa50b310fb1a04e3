package cluster_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/cluster"
	_ "github.com/blockhub/blockhub/chain/store/mongostore"
	_ "github.com/blockhub/blockhub/chain/store/mysqlstore"
	"github.com/blockhub/blockhub/chain/store/storetest"
	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/internal/testenv"
)

// TestConformanceMixedServers runs the store suite over a quorum=2
// cluster of one store on each test server: MinIO, MariaDB and FerretDB.
// Every set-once write (block, next, name claim) then goes through three
// different primitives, and the cluster's quorum rule over them.
func TestConformanceMixedServers(t *testing.T) {
	s3 := testS3(t)
	my := testenv.ParsedURL(t, testenv.MySQL)
	mongo := testenv.ParsedURL(t, testenv.Mongo)
	pid := os.Getpid()
	t.Cleanup(func() { dropMySQLPrefix(t, my, fmt.Sprintf("bhmix%d_", pid)) })
	conformanceWith(t, "quorum=2", func(t *testing.T) []string {
		i := n.Add(1)
		m := *my
		q := m.Query()
		q.Set("table_prefix", fmt.Sprintf("bhmix%d_%d_", pid, i))
		m.RawQuery = q.Encode()
		g := *mongo
		g.Path = fmt.Sprintf("/bhmix%d_%d", pid, i)
		return []string{bucketURL(s3, "bhtest-cluster-a", fmt.Sprintf("mixed-%d-%d", time.Now().UnixNano(), i)), m.String(), g.String()}
	})
}

// dropMySQLPrefix drops the tables whose names start with prefix.
func dropMySQLPrefix(t *testing.T, u *url.URL, prefix string) {
	base := *u
	base.RawQuery = ""
	cfg, err := mysqlconn.Config(&base, os.Getenv)
	if err != nil {
		t.Error(err)
		return
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Error(err)
		return
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?", prefix+"%")
	if err != nil {
		t.Error(err)
		return
	}
	var tables []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, name := range tables {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + mysqlconn.Quote(name)); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	}
}

// A member that missed a chain's name claim (it was down when the chain
// was created) gets it from repair; a second repair copies nothing.
func TestRepairCopiesNameClaim(t *testing.T) {
	ctx := context.Background()
	i := n.Add(1)
	urls := []string{fmt.Sprintf("mem://nc%d-a", i), fmt.Sprintf("mem://nc%d-b", i), fmt.Sprintf("mem://nc%d-c", i)}
	c, err := cluster.OpenBlocks(ctx, urls, "quorum=2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	root := storetest.Root(t, "claimed")
	if err := c.Create(ctx, root); err != nil {
		t.Fatal(err)
	}
	members := make([]*store.Blocks, len(urls))
	for j, u := range urls {
		if members[j], err = store.OpenBlocks(ctx, u, nil); err != nil {
			t.Fatal(err)
		}
		defer members[j].Close()
	}
	for _, m := range members[:2] { // the third was down
		if _, err := m.ClaimName(ctx, "claimed", root.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := c.NameClaim(ctx, "claimed"); err != nil || got != root.ID {
		t.Fatalf("cluster NameClaim = %s, %v; want %s", got, err, root.ID)
	}
	r, err := cluster.Repair(ctx, nil, c)
	if err != nil || r.Names != 1 {
		t.Fatalf("repair: %v, %v; want 1 name claim copied", r, err)
	}
	if got, err := members[2].NameClaim(ctx, "claimed"); err != nil || got != root.ID {
		t.Fatalf("repaired member's NameClaim = %s, %v; want %s", got, err, root.ID)
	}
	if r, err := cluster.Repair(ctx, nil, c); err != nil || r.Names != 0 {
		t.Fatalf("second repair: %v, %v; want nothing copied", r, err)
	}
}
