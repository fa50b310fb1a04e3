package mongo_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	mongoconn "github.com/blockhub/blockhub/connectors/mongo"
	"github.com/blockhub/blockhub/index"
	"github.com/blockhub/blockhub/internal/testenv"
)

// serverURL is the test server's URL from BH_TEST_MONGO, which
// scripts/testservers.sh exports.
func serverURL(t testing.TB) string {
	t.Helper()
	return testenv.URL(t, testenv.Mongo)
}

var dbSeq atomic.Int64

// freshDB returns the URL of a database no other test uses and a handle
// on it; the database is dropped when t ends.
func freshDB(t testing.TB) (string, *mongo.Database) {
	t.Helper()
	u, err := url.Parse(serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("bhmongoc_%d_%d", os.Getpid(), dbSeq.Add(1))
	u.Path = "/" + name
	client, err := mongo.Connect(options.Client().ApplyURI(u.String()))
	if err != nil {
		t.Fatal(err)
	}
	db := client.Database(name)
	t.Cleanup(func() {
		ctx := context.Background()
		db.Drop(ctx)
		client.Disconnect(ctx)
	})
	return u.String(), db
}

func insert(t testing.TB, c *mongo.Collection, docs ...any) {
	t.Helper()
	if _, err := c.InsertMany(context.Background(), docs); err != nil {
		t.Fatalf("insert into %s: %v", c.Name(), err)
	}
}

// fill inserts documents {_id: i, n: i*10, status: paid|open} for i in
// from..to.
func fill(t testing.TB, c *mongo.Collection, from, to int) {
	t.Helper()
	var docs []any
	for i := from; i <= to; i++ {
		status := "open"
		if i%2 == 0 {
			status = "paid"
		}
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "n", Value: int64(i * 10)}, {Key: "status", Value: status}})
	}
	insert(t, c, docs...)
}

func source(t testing.TB, cfg mongoconn.Config) connectors.Source {
	t.Helper()
	src, err := mongoconn.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// docs decodes the canonical Extended JSON lines of chunks.
func docs(t testing.TB, chunks []connectors.Chunk) []bson.D {
	t.Helper()
	var out []bson.D
	for _, c := range chunks {
		sc := bufio.NewScanner(bytes.NewReader(c.Data))
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var d bson.D
			if err := bson.UnmarshalExtJSON(sc.Bytes(), true, &d); err != nil {
				t.Fatalf("line %s: %v", sc.Bytes(), err)
			}
			out = append(out, d)
		}
	}
	return out
}

func field(ds []bson.D, name string) []string {
	var out []string
	for _, d := range ds {
		for _, e := range d {
			if e.Key == name {
				out = append(out, fmt.Sprint(e.Value))
			}
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	u, db := freshDB(t)
	fill(t, db.Collection("orders"), 1, 250)
	connectortest.Run(t, connectortest.Harness{
		Name: mongoconn.Name,
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			c.Rows = 100
			return source(t, mongoconn.Config{URL: u, Collections: []string{"orders"}, Common: c})
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			if len(chunks) != 3 {
				t.Errorf("got %d chunks of 250 documents by 100; want 3", len(chunks))
			}
			if got := field(docs(t, chunks), "_id"); !slices.Equal(got, connectortest.Seq(1, 250)) {
				t.Errorf("_ids = %v; want 1..250", got)
			}
		},
	})
}

// TestRoundTrip: what comes back from the Extended JSON of the chunks is,
// byte for byte, the BSON that was stored.
func TestRoundTrip(t *testing.T) {
	u, db := freshDB(t)
	when := time.Date(2026, 1, 2, 3, 4, 5, 123e6, time.UTC)
	dec, err := bson.ParseDecimal128("12345678901234567890.000001")
	if err != nil {
		t.Fatal(err)
	}
	oid := bson.NewObjectID()
	want := []bson.D{
		{{Key: "_id", Value: oid}, {Key: "at", Value: bson.NewDateTimeFromTime(when)}, {Key: "big", Value: int64(9007199254740993)},
			{Key: "small", Value: int32(-7)}, {Key: "f", Value: 0.1}, {Key: "s", Value: "é\"<x>\n"}, {Key: "ok", Value: true},
			{Key: "none", Value: nil}, {Key: "bin", Value: bson.Binary{Subtype: 0, Data: []byte{0, 255}}},
			{Key: "nested", Value: bson.D{{Key: "a", Value: bson.A{int32(1), "two", bson.D{{Key: "b", Value: int64(3)}}}}}}},
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "price", Value: dec}},
	}
	insert(t, db.Collection("typed"), want[0])
	if _, err := db.Collection("typed").InsertOne(context.Background(), want[1]); err != nil {
		// The test server may not store every type; what it stores must
		// still come back exactly.
		t.Logf("the server refused a decimal128: %v", err)
		want = want[:1]
	}
	chunks := connectortest.Collect(t, source(t, mongoconn.Config{URL: u, Collections: []string{"typed"}}), nil)
	got := docs(t, chunks)
	if len(got) != len(want) {
		t.Fatalf("got %d documents; want %d", len(got), len(want))
	}
	for i := range want {
		wb, _ := bson.Marshal(want[i])
		gb, _ := bson.Marshal(got[i])
		if !bytes.Equal(wb, gb) {
			t.Errorf("document %d:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
	line := strings.SplitN(string(chunks[0].Data), "\n", 2)[0]
	for _, s := range []string{`"$oid":"` + oid.Hex() + `"`, `"$date":{"$numberLong":"1767323045123"}`, `"$numberLong":"9007199254740993"`, `"$numberInt":"-7"`, `"$numberDouble":"0.1"`} {
		if !strings.Contains(line, s) {
			t.Errorf("line %s\nwant it to hold %s (canonical Extended JSON)", line, s)
		}
	}
	if chunks[0].Type != "application/x-ndjson" {
		t.Errorf("type = %q", chunks[0].Type)
	}
}

// TestChunks cuts a collection keyed by ObjectIds into pages and checks
// their meta, that a second run gives the same bytes, and that documents
// added after the last _id leave earlier chunks unchanged.
func TestChunks(t *testing.T) {
	u, db := freshDB(t)
	c := db.Collection("events")
	var ids []bson.ObjectID
	for i := range 5 {
		id := bson.NewObjectIDFromTimestamp(time.Unix(int64(1_700_000_000+i), 0))
		ids = append(ids, id)
		insert(t, c, bson.D{{Key: "_id", Value: id}, {Key: "i", Value: int32(i)}})
	}
	cfg := mongoconn.Config{URL: u, Collections: []string{"events"}, Common: connectors.Common{Rows: 2}}
	first := connectortest.Collect(t, source(t, cfg), nil)
	if len(first) != 3 {
		t.Fatalf("got %d chunks; want 3", len(first))
	}
	pu, _ := url.Parse(u)
	for i, ch := range first {
		r, _ := json.Marshal(ch.Meta["range"])
		lo, hi := ids[2*i], ids[min(2*i+1, 4)]
		if want := fmt.Sprintf(`[{"$oid":"%s"},{"$oid":"%s"}]`, lo.Hex(), hi.Hex()); string(r) != want {
			t.Errorf("chunk %d range = %s; want %s", i, r, want)
		}
		if b, _ := json.Marshal(ch.Meta["batch"]); string(b) != fmt.Sprintf("[%d,3]", i+1) {
			t.Errorf("chunk %d batch = %s", i, b)
		}
		if want := "mongo:" + pu.Host + pu.Path + "/events"; ch.Key != want {
			t.Errorf("key = %q; want %q", ch.Key, want)
		}
	}
	again := connectortest.Collect(t, source(t, cfg), nil)
	for i := range first {
		if !bytes.Equal(first[i].Data, again[i].Data) {
			t.Errorf("chunk %d differs between runs", i)
		}
	}
	insert(t, c, bson.D{{Key: "_id", Value: bson.NewObjectIDFromTimestamp(time.Unix(1_800_000_000, 0))}, {Key: "i", Value: int32(5)}})
	grown := connectortest.Collect(t, source(t, cfg), nil)
	if len(grown) != 3 || !bytes.Equal(grown[0].Data, first[0].Data) || !bytes.Equal(grown[1].Data, first[1].Data) {
		t.Errorf("a document added at the end changed the earlier chunks")
	}
	if got := field(docs(t, grown), "i"); !slices.Equal(got, connectortest.Seq(0, 5)) {
		t.Errorf("i = %v; want 0..5", got)
	}
}

func TestFilterLimitExclude(t *testing.T) {
	u, db := freshDB(t)
	fill(t, db.Collection("orders"), 1, 20)
	tests := []struct {
		name string
		cfg  mongoconn.Config
		want []string
		keys string
	}{
		{"filter", mongoconn.Config{Filter: `{"status": "paid", "n": {"$gt": 100}}`}, []string{"12", "14", "16", "18", "20"}, "_id,n,status"},
		{"canonical filter", mongoconn.Config{Filter: `{"n": {"$lte": {"$numberLong": "30"}}}`}, connectortest.Seq(1, 3), "_id,n,status"},
		{"limit", mongoconn.Config{Limit: 7}, connectortest.Seq(1, 7), "_id,n,status"},
		{"limit across chunks", mongoconn.Config{Limit: 7, Common: connectors.Common{Rows: 3}}, connectortest.Seq(1, 7), "_id,n,status"},
		{"filter and limit", mongoconn.Config{Filter: `{"status": "open"}`, Limit: 2}, []string{"1", "3"}, "_id,n,status"},
		{"exclude", mongoconn.Config{Limit: 2, Common: connectors.Common{Exclude: []string{"status"}}}, connectortest.Seq(1, 2), "_id,n"},
		{"exclude _id", mongoconn.Config{Limit: 3, Common: connectors.Common{Rows: 2, Exclude: []string{"_id"}}}, nil, "n,status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.URL, tt.cfg.Collections = u, []string{"orders"}
			got := docs(t, connectortest.Collect(t, source(t, tt.cfg), nil))
			if tt.want != nil {
				if ids := field(got, "_id"); !slices.Equal(ids, tt.want) {
					t.Errorf("_ids = %v; want %v", ids, tt.want)
				}
			} else if n := field(got, "n"); !slices.Equal(n, []string{"10", "20", "30"}) {
				t.Errorf("n = %v; want [10 20 30]", n)
			}
			for _, d := range got {
				var keys []string
				for _, e := range d {
					keys = append(keys, e.Key)
				}
				if strings.Join(keys, ",") != tt.keys {
					t.Errorf("fields %v; want %s", keys, tt.keys)
				}
			}
		})
	}
}

func TestFormats(t *testing.T) {
	u, db := freshDB(t)
	insert(t, db.Collection("orders"),
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "n", Value: int64(10)}, {Key: "at", Value: bson.NewDateTimeFromTime(time.Unix(0, 0))}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "extra", Value: "x,y"}})
	tests := []struct{ format, typ, want string }{
		{"csv", "text/csv", "_id,n,at,extra\n1,10,\"{\"\"$date\"\":{\"\"$numberLong\"\":\"\"0\"\"}}\",\n2,,,\"x,y\"\n"},
		{"json", "application/x-ndjson", `{"_id":{"$numberInt":"1"},"n":{"$numberLong":"10"},"at":{"$date":{"$numberLong":"0"}}}` + "\n"},
		{"yaml", "application/yaml", "extra: x,y"},
		{"xml", "application/xml", `<field name="extra">x,y</field>`},
	}
	for _, tt := range tests {
		c := connectortest.Collect(t, source(t, mongoconn.Config{URL: u, Collections: []string{"orders"}, Common: connectors.Common{Format: tt.format}}), nil)
		if len(c) != 1 || c[0].Type != tt.typ || !strings.Contains(string(c[0].Data), tt.want) {
			t.Errorf("--format %s: got %d chunks, %q:\n%s\nwant %s containing %q", tt.format, len(c), c[0].Type, c[0].Data, tt.typ, tt.want)
		}
	}
}

func TestEveryCollection(t *testing.T) {
	u, db := freshDB(t)
	fill(t, db.Collection("b_items"), 1, 3)
	insert(t, db.Collection("a_users"), bson.D{{Key: "_id", Value: "zed"}}, bson.D{{Key: "_id", Value: "amy"}})
	chunks := connectortest.Collect(t, source(t, mongoconn.Config{URL: u}), nil)
	var colls []string
	for _, c := range chunks {
		colls = append(colls, c.Meta["collection"].(string))
	}
	if !slices.Equal(colls, []string{"a_users", "b_items"}) {
		t.Fatalf("collections = %v; want [a_users b_items]", colls)
	}
	if got := field(docs(t, chunks[:1]), "_id"); !slices.Equal(got, []string{"amy", "zed"}) {
		t.Errorf("a_users = %v; want [amy zed]", got)
	}
}

// TestIncremental runs a capture, changes the collection, and checks the
// next capture takes only the changed documents, with the cursor read from
// the chain: an incremental source resumes on its own (it is a
// connectors.Resumer), and --prevent-dups changes nothing about it.
func TestIncremental(t *testing.T) {
	for _, common := range []connectors.Common{{Rows: 2}, {Rows: 2, PreventDups: true}} {
		t.Run(fmt.Sprintf("prevent-dups=%t", common.PreventDups), func(t *testing.T) {
			testIncremental(t, common)
		})
	}
}

func testIncremental(t *testing.T, common connectors.Common) {
	u, db := freshDB(t)
	c := db.Collection("orders")
	day := func(d int) bson.DateTime {
		return bson.NewDateTimeFromTime(time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC))
	}
	for i := 1; i <= 5; i++ {
		d := 1
		if i > 3 {
			d = 2
		}
		insert(t, c, bson.D{{Key: "_id", Value: int32(i)}, {Key: "n", Value: int32(i)}, {Key: "updatedAt", Value: day(d)}})
	}
	hub, root := connectortest.NewChain(t)
	run := func() (connectors.Summary, []bson.D) {
		t.Helper()
		before := len(connectortest.Assets(t, hub, root))
		sum := connectortest.Import(t, hub, root, mongoconn.Name, source(t, mongoconn.Config{URL: u, Collections: []string{"orders"}, Incremental: "updatedAt", Common: common}), common)
		var out []bson.D
		for _, r := range connectortest.Assets(t, hub, root)[before:] {
			out = append(out, docs(t, []connectors.Chunk{{Data: connectortest.Read(t, hub, r)}})...)
		}
		return sum, out
	}
	sum, got := run()
	if ids := field(got, "_id"); sum.Records != 5 || !slices.Equal(ids, connectortest.Seq(1, 5)) {
		t.Fatalf("first run: %+v, _ids %v; want 1..5", sum, ids)
	}
	ctx := context.Background()
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: int32(2)}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: int32(-2)}, {Key: "updatedAt", Value: day(3)}}}}); err != nil {
		t.Fatal(err)
	}
	// Same time as the cursor's, greater _id: captured. No time: not.
	insert(t, c, bson.D{{Key: "_id", Value: int32(6)}, {Key: "updatedAt", Value: day(2)}}, bson.D{{Key: "_id", Value: int32(7)}})
	sum, got = run()
	if ids := field(got, "_id"); !slices.Equal(ids, []string{"6", "2"}) {
		t.Fatalf("second run: %+v, _ids %v; want [6 2] in (updatedAt, _id) order", sum, ids)
	}
	if sum, got = run(); sum.Captured != 0 || len(got) != 0 {
		t.Errorf("third run with no change: %+v", sum)
	}
	// The cursor is the chain's: with the index deleted, the same.
	if err := os.Remove(index.Path(hub.Home, root.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: int32(5)}}, bson.D{{Key: "$set", Value: bson.D{{Key: "updatedAt", Value: day(4)}}}}); err != nil {
		t.Fatal(err)
	}
	if _, got = run(); !slices.Equal(field(got, "_id"), []string{"5"}) {
		t.Errorf("after the index was deleted: _ids %v; want [5]", field(got, "_id"))
	}
	// A library caller that hands no State at all (Import without an
	// Index) would read every document again: it is told so, before any
	// chunk.
	cfg := mongoconn.Config{URL: u, Collections: []string{"orders"}, Incremental: "updatedAt", Common: common}
	if chunks, err := connectortest.TryCollect(source(t, cfg), nil); err == nil || len(chunks) != 0 || !strings.Contains(err.Error(), "--incremental needs the chain's index") {
		t.Errorf("no State: %d chunk(s), err = %v; want none and an error naming the index", len(chunks), err)
	}
	// A dry run before the chain exists has no State either, and nothing
	// to resume: it shows every document.
	cfg.Common.DryRun = true
	if chunks, err := connectortest.TryCollect(source(t, cfg), nil); err != nil || len(docs(t, chunks)) != 6 {
		t.Errorf("dry run without a chain: %d document(s), err = %v; want the 6 with a time", len(docs(t, chunks)), err)
	}
}

// TestIncrementalRunsAlone: while one incremental run captures a
// collection into a chain, another over the same collection (a cron run
// overlapping a slow one) captures nothing, says why and does not fail;
// the first captures every document once.
func TestIncrementalRunsAlone(t *testing.T) {
	u, db := freshDB(t)
	fill(t, db.Collection("orders"), 1, 3)
	cfg := mongoconn.Config{URL: u, Collections: []string{"orders"}, Incremental: "n"}
	connectortest.RunsAlone(t, mongoconn.Name, func() connectors.Source { return source(t, cfg) }, 3)
}

// TestResumes: an incremental run is named by its database and
// collections (not by who connects, nor the order the collections are
// named in), so that two runs over the same collections exclude each
// other; a run that is not incremental resumes nothing.
func TestResumes(t *testing.T) {
	resumes := func(url string, colls []string, inc string) string {
		t.Helper()
		return source(t, mongoconn.Config{URL: url, Collections: colls, Incremental: inc}).(connectors.Resumer).Resumes()
	}
	name := resumes("mongodb://app:secret@db:27017/shop", []string{"orders", "items"}, "updatedAt")
	if name != "mongo:db:27017/shop/items,orders" {
		t.Errorf("name %q; want mongo:db:27017/shop/items,orders", name)
	}
	for _, tt := range []struct {
		name  string
		url   string
		colls []string
		inc   string
		same  bool
	}{
		{"other user, collections reordered", "mongodb://bob:other@db:27017/shop?authSource=admin", []string{"items", "orders", "items"}, "version", true},
		{"other collections", "mongodb://app:secret@db:27017/shop", []string{"orders"}, "updatedAt", false},
		{"other database", "mongodb://app:secret@db:27017/shop2", []string{"orders", "items"}, "updatedAt", false},
		{"other host", "mongodb://app:secret@db2:27017/shop", []string{"orders", "items"}, "updatedAt", false},
	} {
		if got := resumes(tt.url, tt.colls, tt.inc); (got == name) != tt.same || got == "" || strings.Contains(got, "secret") {
			t.Errorf("%s: %q; want it the same as %q: %t", tt.name, got, name, tt.same)
		}
	}
	if got := resumes("mongodb://db:27017/shop", nil, "updatedAt"); got != "mongo:db:27017/shop" {
		t.Errorf("every collection: %q; want mongo:db:27017/shop", got)
	}
	if got := resumes("mongodb://db:27017/shop", []string{"orders"}, ""); got != "" {
		t.Errorf("not incremental: %q; want none", got)
	}
}

func TestErrors(t *testing.T) {
	u, db := freshDB(t)
	fill(t, db.Collection("orders"), 1, 2)
	tests := []struct {
		name string
		cfg  mongoconn.Config
		want string
	}{
		{"missing collection", mongoconn.Config{URL: u, Collections: []string{"nope"}}, `no collection "nope" in database`},
		{"unreachable host", mongoconn.Config{URL: "mongodb://bob:hunter2@127.0.0.1:1/db"}, "cannot reach 127.0.0.1:1"},
		{"bad filter operator", mongoconn.Config{URL: u, Collections: []string{"orders"}, Filter: `{"n": {"$nosuch": 1}}`}, "is --filter"},
		{"empty database", mongoconn.Config{URL: strings.Replace(u, "/bhmongoc_", "/nodb_", 1)}, "has no collections"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.FailsEarly(t, source(t, tt.cfg), "mongo: mongodb://", tt.want)
		})
	}
}

func TestSpecOptions(t *testing.T) {
	spec, err := connectors.Lookup("mongo")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range spec.Options {
		if o.Name == "source" && (!o.Secret || !o.Required) {
			t.Errorf("--source option %+v: want secret and required", o)
		}
	}
	src := connectors.Values{"source": {"mongodb://u:secret@h:27017/db"}}
	with := func(k, v string) connectors.Values {
		out := connectors.Values{"source": src["source"]}
		out[k] = []string{v}
		return out
	}
	tests := []struct {
		name   string
		args   []string
		values connectors.Values
		common connectors.Common
		want   string // "" for no error
	}{
		{"ok", nil, with("collection", "a,b"), connectors.Common{}, ""},
		{"filter", nil, with("filter", `{"status": "paid", "at": {"$gt": {"$date": "2026-01-01T00:00:00Z"}}}`), connectors.Common{}, ""},
		{"incremental", nil, with("incremental", "updatedAt"), connectors.Common{}, ""},
		{"incremental with prevent-dups", nil, with("incremental", "updatedAt"), connectors.Common{PreventDups: true}, ""},
		{"incremental on _id", nil, with("incremental", "_id"), connectors.Common{}, `--incremental "_id"`},
		{"arguments", []string{"orders"}, src, connectors.Common{}, "takes no arguments"},
		{"bad filter", nil, with("filter", `{"status": `), connectors.Common{}, "--filter"},
		{"filter not an object", nil, with("filter", `[1]`), connectors.Common{}, "--filter"},
		{"bad limit", nil, with("limit", "lots"), connectors.Common{}, `--limit "lots"`},
		{"bad format", nil, src, connectors.Common{Format: "toml"}, `--format "toml"`},
		{"not mongodb", nil, connectors.Values{"source": {"mysql://u:secret@h/db"}}, connectors.Common{}, "want mongodb://"},
		{"no database", nil, connectors.Values{"source": {"mongodb://u:secret@h:27017"}}, connectors.Common{}, "want one database name"},
		{"bad collection", nil, with("collection", "$cmd"), connectors.Common{}, `--collection "$cmd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.CheckNew(t, mongoconn.Name, tt.args, tt.values, tt.common, tt.want)
		})
	}
}

// TestIncrementalDotted follows a field inside a sub-document.
func TestIncrementalDotted(t *testing.T) {
	u, db := freshDB(t)
	c := db.Collection("items")
	doc := func(id, v int32) bson.D {
		return bson.D{{Key: "_id", Value: id}, {Key: "meta", Value: bson.D{{Key: "version", Value: v}}}}
	}
	insert(t, c, doc(1, 5), doc(2, 3), doc(3, 9))
	hub, root := connectortest.NewChain(t)
	common := connectors.Common{}
	cfg := mongoconn.Config{URL: u, Collections: []string{"items"}, Incremental: "meta.version", Common: common}
	if sum := connectortest.Import(t, hub, root, mongoconn.Name, source(t, cfg), common); sum.Records != 3 {
		t.Fatalf("first run: %+v", sum)
	}
	insert(t, c, doc(4, 10), doc(5, 1))
	sum := connectortest.Import(t, hub, root, mongoconn.Name, source(t, cfg), common)
	if sum.Records != 1 {
		t.Errorf("second run: %+v; want only _id 4 (version 10 > 9)", sum)
	}
}
