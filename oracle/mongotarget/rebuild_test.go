package mongotarget_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

// A collection dropped or emptied after a replay stored its position is
// rebuilt from the root by the next replay.
func TestRebuildsDroppedOrEmptiedCollection(t *testing.T) {
	u := serverURL(t)
	coll := fresh(t, u)
	src, _ := oracletest.NewChain(t, []oracletest.Block{
		{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", "1,a", "2,b")}},
		{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", "3,c")}},
	})
	ctx := context.Background()
	replay := func() oracle.Summary {
		t.Helper()
		tg := open(t, u, coll, []string{"id"})
		defer tg.Close()
		sum, err := oracle.Run(ctx, src, tg, &oracle.Options{Name: coll, Key: []string{"id"}})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if s := replay(); s.Records != 3 || s.Rebuilt {
		t.Fatalf("first replay: %+v; want 3 records, not rebuilt", s)
	}
	if s := replay(); s.Records != 0 || !s.Resumed {
		t.Fatalf("second replay: %+v; want 0 records, resumed", s)
	}
	for name, damage := range map[string]func(*testing.T){
		"drop": func(t *testing.T) {
			tg := open(t, u, coll, nil)
			defer tg.Close()
			if err := tg.Collection().Drop(ctx); err != nil {
				t.Fatal(err)
			}
		},
		"empty": func(t *testing.T) {
			tg := open(t, u, coll, nil)
			defer tg.Close()
			if _, err := tg.Collection().DeleteMany(ctx, bson.D{}); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			damage(t)
			if s := replay(); s.Records != 3 || !s.Rebuilt || s.Resumed {
				t.Fatalf("replay after %s: %+v; want 3 records, rebuilt", name, s)
			}
			tg := open(t, u, coll, nil)
			defer tg.Close()
			n, err := tg.Collection().CountDocuments(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 {
				t.Fatalf("%d documents after %s and a replay; want 3", n, name)
			}
			if s := replay(); s.Records != 0 || s.Rebuilt {
				t.Fatalf("replay after the rebuild: %+v; want 0 records", s)
			}
		})
	}
}
