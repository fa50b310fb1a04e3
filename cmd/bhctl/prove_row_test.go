package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub/internal/mysqlconn"
	"github.com/blockhub/blockhub/internal/testenv"
	"github.com/blockhub/blockhub/oracle/mysqltarget"
)

// provenanceChain captures two CSV files into a fresh home: id 2 is
// written by the first and updated by the second.
func provenanceChain(t *testing.T) (home, dir string) {
	dir = t.TempDir()
	home = filepath.Join(dir, "home")
	for i, body := range []string{"id,name,price\n1,apple,1.50\n2,pear,2.00\n", "id,name,price\n2,pear,2.50\n3,fig,3\n"} {
		f := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		os.WriteFile(f, []byte(body), 0o644)
		if code, _, stderr := bhctl(t, "", "--home", home, "import", "csv", f); code != 0 {
			t.Fatalf("import: %s", stderr)
		}
	}
	code, cp, stderr := bhctl(t, "", "--home", home, "checkpoint")
	if code != 0 {
		t.Fatal(stderr)
	}
	os.WriteFile(filepath.Join(dir, "cp.note"), []byte(cp), 0o644)
	return home, dir
}

// proveRows replays the chain with --provenance into target, proves row
// id=2, edits it by hand with edit, and proves it again.
func proveRows(t *testing.T, target string, where []string, edit func(t *testing.T)) {
	home, dir := provenanceChain(t)
	args := append([]string{"--home", home, "oracle", "--target", target, "--key", "id", "--create", "--provenance"}, where...)
	if code, out, stderr := bhctl(t, "", args...); code != 0 || !strings.Contains(out, "applied 4 records") {
		t.Fatalf("oracle: %d %s%s", code, out, stderr)
	}
	prove := append([]string{"--home", home, "prove", "row", "--target", target, "--key", "id=2", "--checkpoint", filepath.Join(dir, "cp.note")}, where...)
	code, out, stderr := bhctl(t, "", prove...)
	if code != 0 || !strings.Contains(out, "row id=2: its 3 column(s) are record 1 of asset") || !strings.Contains(out, "leaf 2 of 3") {
		t.Fatalf("prove row: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = bhctl(t, "", append(prove, "-o", "json")...)
	if code != 0 || !strings.Contains(out, `"inclusion":{"hash":"`) || !strings.Contains(out, `"record":1`) {
		t.Fatalf("prove row -o json: exit %d\n%s", code, out)
	}
	// The oracle's rules apply: a filter that rejects the record says so.
	code, out, _ = bhctl(t, "", append(prove, "--filter", "price < 2")...)
	if code != 1 || !strings.Contains(out, "the filter rejects it") {
		t.Fatalf("prove row --filter: exit %d\n%s", code, out)
	}
	edit(t)
	code, out, stderr = bhctl(t, "", prove...)
	if code != 1 || !strings.Contains(out, "row id=2: edited by hand") || !strings.Contains(out, `column price is "9.99" in the target, "2.50" on the chain`) {
		t.Fatalf("prove row after an edit: exit %d\n%s%s", code, out, stderr)
	}
}

// TestProveRowMySQL replays into MariaDB with --provenance (three
// columns), proves a row, edits it with an UPDATE and sees it reported.
func TestProveRowMySQL(t *testing.T) {
	base := testenv.URL(t, testenv.MySQL)
	table := fmt.Sprintf("bh_prove_row_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	u, _ := url.Parse(base)
	cfg, err := mysqltarget.Config(u, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	t.Cleanup(func() { db.Exec("DROP TABLE IF EXISTS " + mysqlconn.Quote(table)) })
	proveRows(t, base, []string{"--table", table}, func(t *testing.T) {
		var asset string
		var height, record int
		if err := db.QueryRow("SELECT _bh_asset, _bh_height, _bh_record FROM "+mysqlconn.Quote(table)+" WHERE id = 2").Scan(&asset, &height, &record); err != nil || height != 2 || record != 1 || len(asset) != 64 {
			t.Fatalf("provenance columns: %s %d %d %v", asset, height, record, err)
		}
		if _, err := db.Exec("UPDATE " + mysqlconn.Quote(table) + " SET price = 9.99 WHERE id = 2"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestProveRowMongo is TestProveRowMySQL on a MongoDB-wire server
// (FerretDB): the provenance is one field, _bh.
func TestProveRowMongo(t *testing.T) {
	base := testenv.URL(t, testenv.Mongo)
	coll := fmt.Sprintf("bh_prove_row_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	client, err := mongo.Connect(options.Client().ApplyURI(base))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	u, _ := url.Parse(base)
	c := client.Database(strings.TrimPrefix(u.Path, "/")).Collection(coll)
	t.Cleanup(func() { c.Drop(context.Background()) })
	proveRows(t, base, []string{"--collection", coll}, func(t *testing.T) {
		var doc struct {
			BH struct {
				Asset          string
				Height, Record int64
			} `bson:"_bh"`
		}
		if err := c.FindOne(context.Background(), bson.D{{Key: "_id", Value: int64(2)}}).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if p := doc.BH; p.Record != 1 || p.Height != 2 || len(p.Asset) != 64 {
			t.Fatalf("provenance field: %+v", p)
		}
		if _, err := c.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: int64(2)}}, bson.D{{Key: "$set", Value: bson.D{{Key: "price", Value: 9.99}}}}); err != nil {
			t.Fatal(err)
		}
	})
}
