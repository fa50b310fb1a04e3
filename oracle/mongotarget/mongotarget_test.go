package mongotarget_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/blockhub/blockhub/internal/testenv"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/mongotarget"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

// serverURL is the MongoDB-wire server of BH_TEST_MONGO (FerretDB), which
// scripts/test exports.
func serverURL(t *testing.T) *url.URL {
	t.Helper()
	return testenv.ParsedURL(t, testenv.Mongo)
}

var seq atomic.Int64

func open(t *testing.T, u *url.URL, coll string, key []string) *mongotarget.Target {
	t.Helper()
	tg, err := mongotarget.Open(context.Background(), u, &oracle.TargetOptions{Table: coll, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// fresh returns a collection name no other test uses, dropped at the end.
func fresh(t *testing.T, u *url.URL) string {
	name := fmt.Sprintf("bho%d_%d", os.Getpid(), seq.Add(1))
	t.Cleanup(func() {
		tg := open(t, u, name, nil)
		tg.Collection().Drop(context.Background())
		tg.Collection().Database().Collection(mongotarget.CheckpointCollection).DeleteMany(context.Background(), bson.D{{Key: "_id", Value: name}})
		tg.Close()
	})
	return name
}

func TestModes(t *testing.T) {
	u := serverURL(t)
	coll := fresh(t, u)
	src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{
		oracletest.CSV("o", "op,id,name,price", "insert,1,ann,1.5", "insert,2,bo,2", "insert,1,dup,9", "update,1,ANN,", "delete,2,,", "upsert,3,cy,3", "update,9,nobody,"),
	}}})
	tg := open(t, u, coll, []string{"id"})
	defer tg.Close()
	if _, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: coll, Key: []string{"id"}, OpField: "op"}); err != nil {
		t.Fatal(err)
	}
	cur, err := tg.Collection().Find(context.Background(), bson.D{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		ID    int64    `bson:"_id"`
		Name  string   `bson:"name"`
		Price *float64 `bson:"price"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		p := "null"
		if d.Price != nil {
			p = fmt.Sprint(*d.Price)
		}
		got = append(got, fmt.Sprintf("%d %s %s", d.ID, d.Name, p))
	}
	if want := "[1 ANN null 3 cy 3]"; fmt.Sprint(got) != want {
		t.Errorf("documents %v; want %s", got, want)
	}
}

// crashing is a target that, on its nth Apply, writes the first part of
// the batch without its checkpoint and fails: a crash between the
// documents and the checkpoint.
type crashing struct {
	*mongotarget.Target
	n, cut int
}

func (c *crashing) Apply(ctx context.Context, b *oracle.Batch) error {
	if c.n--; c.n > 0 {
		return c.Target.Apply(ctx, b)
	}
	part := oracle.Batch{Name: ""}
	left := c.cut
	for _, s := range b.Sets {
		if left <= 0 {
			break
		}
		k := min(left, len(s.Rows))
		part.Sets = append(part.Sets, oracle.RowSet{Mode: s.Mode, Columns: s.Columns, Rows: s.Rows[:k], At: s.At[:k]})
		left -= k
	}
	if err := c.Target.Apply(ctx, &part); err != nil {
		return err
	}
	return errors.New("crash")
}

// Runs that crash between writing documents and their checkpoint, then
// restart, leave each keyless record once.
func TestExactlyOnceAfterCrashes(t *testing.T) {
	u := serverURL(t)
	coll := fresh(t, u)
	var blocks []oracletest.Block
	want := 0
	for b := 0; b < 20; b++ {
		var rows []string
		for r := 0; r < 50; r++ {
			want++
			rows = append(rows, fmt.Sprintf("%d,x", want))
		}
		blocks = append(blocks, oracletest.Block{Assets: []oracletest.Asset{oracletest.CSV("n", "n,v", rows...)}})
	}
	src, _ := oracletest.NewChain(t, blocks)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; ; i++ {
		tg := &crashing{Target: open(t, u, coll, nil), n: 1 + rng.IntN(4), cut: 1 + rng.IntN(120)}
		_, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: coll, Mode: oracle.Insert, BatchRows: 1 + rng.IntN(150)})
		tg.Close()
		if err == nil {
			t.Logf("finished after %d crashes", i)
			break
		}
		if !strings.Contains(err.Error(), "crash") || i > 200 {
			t.Fatal(err)
		}
	}
	tg := open(t, u, coll, nil)
	defer tg.Close()
	n, err := tg.Collection().CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(want) {
		t.Fatalf("%d documents; want %d", n, want)
	}
}

// A replay whose checkpoint another replay of the same name moved stops
// with oracle.ErrMoved instead of moving it back: a first run's insert
// lets one of two through, and every later batch moves the checkpoint
// only from where that replay left it.
func TestOneReplayPerName(t *testing.T) {
	u := serverURL(t)
	coll := fresh(t, u)
	a, b := open(t, u, coll, nil), open(t, u, coll, nil)
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	pos := func(block string, asset int) oracle.Position {
		return oracle.Position{Chain: "c", Block: block, Height: 1, Asset: asset}
	}
	batch := func(from, to oracle.Position, _ string) *oracle.Batch {
		return &oracle.Batch{Name: coll, From: from, Pos: to} // the checkpoint alone
	}
	if err := a.Apply(ctx, batch(oracle.Position{}, pos("b1", 0), "a1")); err != nil {
		t.Fatal(err)
	}
	if err := b.Apply(ctx, batch(oracle.Position{}, pos("b1", 1), "b1")); !errors.Is(err, oracle.ErrMoved) {
		t.Fatalf("second first run: err = %v; want ErrMoved", err)
	}
	if err := a.Apply(ctx, batch(pos("b1", 0), pos("b2", 0), "a2")); err != nil {
		t.Fatal(err)
	}
	if err := b.Apply(ctx, batch(pos("b1", 0), pos("b1", 5), "b2")); !errors.Is(err, oracle.ErrMoved) {
		t.Fatalf("stale replay: err = %v; want ErrMoved", err)
	}
	if p, ok, err := a.Position(ctx, coll, "c"); err != nil || !ok || p != pos("b2", 0) {
		t.Fatalf("Position = %+v, %v, %v; want %+v", p, ok, err, pos("b2", 0))
	}
}
