package mysqltarget_test

import (
	"context"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

// A table dropped or emptied after a replay stored its position is
// rebuilt from the root by the next replay, not left missing or empty
// because the position says everything was applied.
func TestRebuildsDroppedOrEmptiedTable(t *testing.T) {
	base := serverURL(t)
	table := freshTable(t, base)
	src, _ := oracletest.NewChain(t, []oracletest.Block{
		{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", "1,a", "2,b")}},
		{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", "3,c")}},
	})
	replay := func() oracle.Summary {
		t.Helper()
		tg := open(t, base, table, nil, true)
		defer tg.Close()
		sum, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Mode: oracle.Insert})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if s := replay(); s.Records != 3 || s.Rebuilt {
		t.Fatalf("first replay: %+v; want 3 records, not rebuilt", s)
	}
	if s := replay(); s.Records != 0 || !s.Resumed || s.Rebuilt {
		t.Fatalf("second replay: %+v; want 0 records, resumed", s)
	}
	for _, damage := range []string{"DROP TABLE `" + table + "`", "DELETE FROM `" + table + "`"} {
		t.Run(damage[:6], func(t *testing.T) {
			db := open(t, base, table, nil, false)
			if _, err := db.DB().Exec(damage); err != nil {
				t.Fatal(err)
			}
			db.Close()
			if s := replay(); s.Records != 3 || !s.Rebuilt || s.Resumed {
				t.Fatalf("replay after %s: %+v; want 3 records, rebuilt", damage, s)
			}
			db = open(t, base, table, nil, false)
			defer db.Close()
			if got, want := dump(t, db.DB(), "SELECT id, v FROM `"+table+"` ORDER BY id"), "1,a\n2,b\n3,c"; got != want {
				t.Fatalf("table after %s:\n%s\nwant\n%s", damage, got, want)
			}
			if s := replay(); s.Records != 0 || s.Rebuilt {
				t.Fatalf("replay after the rebuild: %+v; want 0 records", s)
			}
		})
	}
}

// Without --create a dropped table is refused with one clear line, not
// reported as applied.
func TestDroppedTableWithoutCreate(t *testing.T) {
	base := serverURL(t)
	table := freshTable(t, base)
	src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", "1,a")}}})
	tg := open(t, base, table, nil, true)
	if _, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Mode: oracle.Insert}); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.DB().Exec("DROP TABLE `" + table + "`"); err != nil {
		t.Fatal(err)
	}
	tg.Close()
	tg = open(t, base, table, nil, false)
	defer tg.Close()
	_, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Mode: oracle.Insert})
	if err == nil {
		t.Fatal("replay into a dropped table without --create succeeded")
	}
	if want := "table " + table + " does not exist (add --create to make it from the records)"; !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("err = %q; want it to end with %q", err, want)
	}
}
