package sql_test

import (
	dbsql "database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	sqlconn "github.com/blockhub/blockhub/connectors/sql"
	"github.com/blockhub/blockhub/index"
	"github.com/blockhub/blockhub/internal/testenv"
)

// serverURL is the test server's URL from BH_TEST_MYSQL, which
// scripts/testservers.sh exports.
func serverURL(t testing.TB) string {
	t.Helper()
	return testenv.URL(t, testenv.MySQL)
}

var dbSeq atomic.Int64

// freshDB creates a database no other test uses, runs the statements in
// it, and returns its URL and a handle on it; the database is dropped when
// t ends.
func freshDB(t testing.TB, stmts ...string) (string, *dbsql.DB) {
	t.Helper()
	u, err := url.Parse(serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("bhsqlc_%d_%d", os.Getpid(), dbSeq.Add(1))
	root := open(t, u, "")
	exec(t, root, "DROP DATABASE IF EXISTS "+name, "CREATE DATABASE "+name)
	t.Cleanup(func() {
		exec(t, root, "DROP DATABASE IF EXISTS "+name)
		root.Close()
	})
	db := open(t, u, name)
	t.Cleanup(func() { db.Close() })
	exec(t, db, stmts...)
	u.Path = "/" + name
	return u.String(), db
}

func open(t testing.TB, u *url.URL, db string) *dbsql.DB {
	t.Helper()
	c := mysql.NewConfig()
	c.User = u.User.Username()
	c.Passwd, _ = u.User.Password()
	c.Net, c.Addr, c.DBName = "tcp", u.Host, db
	c.MultiStatements = true
	conn, err := mysql.NewConnector(c)
	if err != nil {
		t.Fatal(err)
	}
	return dbsql.OpenDB(conn)
}

func exec(t testing.TB, db *dbsql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// fill inserts rows id 1..n into table (id, n, note).
func fill(t testing.TB, db *dbsql.DB, table string, from, to int) {
	t.Helper()
	var b strings.Builder
	for i := from; i <= to; i++ {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "(%d,%d,'row %d')", i, i*10, i)
		if b.Len() > 100000 || i == to {
			exec(t, db, "INSERT INTO "+table+" (id, n, note) VALUES "+b.String())
			b.Reset()
		}
	}
}

func source(t testing.TB, cfg sqlconn.Config) connectors.Source {
	t.Helper()
	src, err := sqlconn.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// lines returns the json lines of chunks, decoded.
func lines(t testing.TB, chunks []connectors.Chunk) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, c := range chunks {
		d := json.NewDecoder(strings.NewReader(string(c.Data)))
		d.UseNumber()
		for d.More() {
			var m map[string]any
			if err := d.Decode(&m); err != nil {
				t.Fatalf("chunk %q: %v", c.Data, err)
			}
			out = append(out, m)
		}
	}
	return out
}

func ids(t testing.TB, rows []map[string]any, col string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r[col]))
	}
	return out
}

const ordersDDL = "CREATE TABLE orders (id BIGINT PRIMARY KEY, n INT NOT NULL, note VARCHAR(40), updated_at DATETIME(6) NULL)"

func TestConformance(t *testing.T) {
	u, db := freshDB(t, ordersDDL)
	fill(t, db, "orders", 1, 250)
	connectortest.Run(t, connectortest.Harness{
		Name: sqlconn.Name,
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			c.Rows = 100
			return source(t, sqlconn.Config{URL: u, Tables: []string{"orders"}, Common: c})
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			if len(chunks) != 3 {
				t.Errorf("got %d chunks of 250 rows by 100; want 3", len(chunks))
			}
			if got, want := ids(t, lines(t, chunks), "id"), connectortest.Seq(1, 250); !slices.Equal(got, want) {
				t.Errorf("ids = %v; want 1..250", got)
			}
		},
	})
}

func TestTypes(t *testing.T) {
	u, _ := freshDB(t,
		"CREATE TABLE typed (id INT PRIMARY KEY, i8 TINYINT, big BIGINT, ubig BIGINT UNSIGNED, price DECIMAL(20,6), f DOUBLE, fl FLOAT,"+
			" name VARCHAR(20), txt TEXT, bin VARBINARY(8), blb BLOB, bits BIT(12),"+
			" ts TIMESTAMP(3) NULL, dt DATETIME NULL, d DATE, tm TIME, y YEAR, e ENUM('a','b'), js JSON)",
		"SET time_zone = '+02:00'", // TIMESTAMP values are stored in UTC and must come back so
		"INSERT INTO typed VALUES (1, -128, -9223372036854775808, 18446744073709551615, 12345678901234.123456, 0.1, 1.5,"+
			" 'é\"x', 'a\\nb', x'00ff10', x'deadbeef', b'101010101010',"+
			" '2026-01-02 05:04:05.120', '2026-01-02 03:04:05', '2026-01-02', '-12:30:00', 2026, 'b', '{\"k\": [1, 2]}')",
		"INSERT INTO typed (id) VALUES (2)",
		"SET time_zone = SYSTEM",
	)
	chunks := connectortest.Collect(t, source(t, sqlconn.Config{URL: u, Tables: []string{"typed"}}), nil)
	got := strings.Split(strings.TrimSpace(string(chunks[0].Data)), "\n")
	want := []string{
		`{"id":1,"i8":-128,"big":-9223372036854775808,"ubig":18446744073709551615,"price":"12345678901234.123456","f":0.1,"fl":1.5,` +
			`"name":"é\"x","txt":"a\nb","bin":"AP8Q","blb":"3q2+7w==","bits":2730,` +
			`"ts":"2026-01-02T03:04:05.120Z","dt":"2026-01-02T03:04:05Z","d":"2026-01-02","tm":"-12:30:00","y":2026,"e":"b","js":"{\"k\": [1, 2]}"}`,
		`{"id":2,"i8":null,"big":null,"ubig":null,"price":null,"f":null,"fl":null,"name":null,"txt":null,"bin":null,"blb":null,"bits":null,` +
			`"ts":null,"dt":null,"d":null,"tm":null,"y":null,"e":null,"js":null}`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines; want %d:\n%s", len(got), len(want), chunks[0].Data)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got[i], want[i])
		}
	}
	if chunks[0].Type != "application/x-ndjson" {
		t.Errorf("type = %q; want application/x-ndjson", chunks[0].Type)
	}
}

// TestKeysetChunks cuts a table with a composite key into pages and checks
// their meta, that a second run gives the same bytes, and that rows added
// after the last key leave earlier chunks unchanged.
func TestKeysetChunks(t *testing.T) {
	u, db := freshDB(t, "CREATE TABLE `lines` (region VARCHAR(4), seq INT, qty INT, PRIMARY KEY (region, seq))",
		"INSERT INTO `lines` VALUES ('eu',1,1),('eu',2,2),('eu',10,3),('us',1,4),('us',2,5),('us',3,6),('us',20,7)")
	cfg := sqlconn.Config{URL: u, Tables: []string{"lines"}, Common: connectors.Common{Rows: 3}}
	first := connectortest.Collect(t, source(t, cfg), nil)
	if len(first) != 3 {
		t.Fatalf("got %d chunks; want 3", len(first))
	}
	wantRanges := []string{`[["eu",1],["eu",10]]`, `[["us",1],["us",3]]`, `[["us",20],["us",20]]`}
	for i, c := range first {
		r, _ := json.Marshal(c.Meta["range"])
		if string(r) != wantRanges[i] {
			t.Errorf("chunk %d range = %s; want %s", i, r, wantRanges[i])
		}
		b, _ := json.Marshal(c.Meta["batch"])
		if want := fmt.Sprintf("[%d,3]", i+1); string(b) != want {
			t.Errorf("chunk %d batch = %s; want %s", i, b, want)
		}
		pu, _ := url.Parse(u)
		if want := "sql:" + pu.Host + pu.Path + "/lines"; c.Key != want {
			t.Errorf("key = %q; want %q", c.Key, want)
		}
		if c.Meta["table"] != "lines" || c.Records == 0 {
			t.Errorf("chunk %d meta = %v, records %d", i, c.Meta, c.Records)
		}
	}
	again := connectortest.Collect(t, source(t, cfg), nil)
	for i := range first {
		if string(first[i].Data) != string(again[i].Data) {
			t.Errorf("chunk %d differs between runs", i)
		}
	}
	exec(t, db, "INSERT INTO `lines` VALUES ('zz',1,8),('zz',2,9)")
	grown := connectortest.Collect(t, source(t, cfg), nil)
	if len(grown) != 3 || string(grown[0].Data) != string(first[0].Data) || string(grown[1].Data) != string(first[1].Data) {
		t.Errorf("rows added at the end changed the earlier chunks")
	}
	if got := ids(t, lines(t, grown), "qty"); !slices.Equal(got, connectortest.Seq(1, 9)) {
		t.Errorf("qty = %v; want 1..9 in key order", got)
	}
}

func TestWhereLimitExclude(t *testing.T) {
	u, db := freshDB(t, ordersDDL)
	fill(t, db, "orders", 1, 40)
	tests := []struct {
		name    string
		cfg     sqlconn.Config
		want    []string
		columns string
	}{
		{"where", sqlconn.Config{Where: "n > 300 OR id = 1"}, append([]string{"1"}, connectortest.Seq(31, 40)...), "id,n,note,updated_at"},
		{"where with or is parenthesised", sqlconn.Config{Where: "id = 1 OR id = 2", Limit: 1}, []string{"1"}, "id,n,note,updated_at"},
		{"limit", sqlconn.Config{Limit: 7}, connectortest.Seq(1, 7), "id,n,note,updated_at"},
		{"limit across chunks", sqlconn.Config{Limit: 7, Common: connectors.Common{Rows: 3}}, connectortest.Seq(1, 7), "id,n,note,updated_at"},
		{"exclude", sqlconn.Config{Limit: 2, Common: connectors.Common{Exclude: []string{"note", "updated_at"}}}, connectortest.Seq(1, 2), "id,n"},
		{"exclude the key", sqlconn.Config{Limit: 5, Common: connectors.Common{Rows: 2, Exclude: []string{"id"}}}, nil, "n,note,updated_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.URL, tt.cfg.Tables = u, []string{"orders"}
			chunks := connectortest.Collect(t, source(t, tt.cfg), nil)
			rows := lines(t, chunks)
			if tt.want != nil {
				if got := ids(t, rows, "id"); !slices.Equal(got, tt.want) {
					t.Errorf("ids = %v; want %v", got, tt.want)
				}
			} else if got := ids(t, rows, "n"); !slices.Equal(got, []string{"10", "20", "30", "40", "50"}) {
				t.Errorf("n = %v; want 10..50", got)
			}
			for _, c := range chunks {
				if got := strings.Join(c.Meta["columns"].([]string), ","); got != tt.columns {
					t.Errorf("columns = %s; want %s", got, tt.columns)
				}
			}
			for _, r := range rows {
				if len(r) != len(strings.Split(tt.columns, ",")) {
					t.Errorf("row %v; want columns %s", r, tt.columns)
				}
			}
		})
	}
}

func TestFormats(t *testing.T) {
	u, db := freshDB(t, ordersDDL)
	fill(t, db, "orders", 1, 2)
	tests := []struct{ format, typ, want string }{
		{"csv", "text/csv", "id,n,note,updated_at\n1,10,row 1,\n2,20,row 2,\n"},
		{"json", "application/x-ndjson", `{"id":1,"n":10,"note":"row 1","updated_at":null}` + "\n" + `{"id":2,"n":20,"note":"row 2","updated_at":null}` + "\n"},
		{"yaml", "application/yaml", "note: row 1"},
		{"xml", "application/xml", `<field name="note">row 2</field>`},
	}
	for _, tt := range tests {
		c := connectortest.Collect(t, source(t, sqlconn.Config{URL: u, Tables: []string{"orders"}, Common: connectors.Common{Format: tt.format}}), nil)
		if len(c) != 1 || c[0].Type != tt.typ || !strings.Contains(string(c[0].Data), tt.want) {
			t.Errorf("--format %s: got %d chunks, %q:\n%s\nwant %s containing %q", tt.format, len(c), c[0].Type, c[0].Data, tt.typ, tt.want)
		}
	}
}

func TestEveryTable(t *testing.T) {
	u, db := freshDB(t,
		"CREATE TABLE b_items (id INT PRIMARY KEY, n INT, note TEXT)",
		"CREATE TABLE a_users (code CHAR(3) NOT NULL, n INT, note TEXT, UNIQUE KEY (code))", // no primary key: a unique NOT NULL key
		"CREATE VIEW v_items AS SELECT * FROM b_items")                                      // views are not tables
	fill(t, db, "b_items", 1, 3)
	exec(t, db, "INSERT INTO a_users VALUES ('zed',1,'x'),('amy',2,'y')")
	chunks := connectortest.Collect(t, source(t, sqlconn.Config{URL: u}), nil)
	var tables []string
	for _, c := range chunks {
		tables = append(tables, c.Meta["table"].(string))
	}
	if !slices.Equal(tables, []string{"a_users", "b_items"}) {
		t.Fatalf("tables = %v; want [a_users b_items]", tables)
	}
	if got := ids(t, lines(t, chunks[:1]), "code"); !slices.Equal(got, []string{"amy", "zed"}) {
		t.Errorf("a_users codes = %v; want [amy zed]", got)
	}
	// --exclude applies to the tables that have the column; one that no
	// table has is an error.
	chunks = connectortest.Collect(t, source(t, sqlconn.Config{URL: u, Common: connectors.Common{Exclude: []string{"code"}}}), nil)
	if cols := chunks[0].Meta["columns"].([]string); slices.Contains(cols, "code") {
		t.Errorf("columns %v after --exclude code", cols)
	}
	_, err := connectortest.TryCollect(source(t, sqlconn.Config{URL: u, Common: connectors.Common{Exclude: []string{"nope"}}}), nil)
	if err == nil || !strings.Contains(err.Error(), `--exclude "nope"`) {
		t.Errorf("--exclude nope: err = %v", err)
	}
	exec(t, db, "CREATE TABLE c_keyless (n INT)")
	_, err = connectortest.TryCollect(source(t, sqlconn.Config{URL: u}), nil)
	if err == nil || !strings.Contains(err.Error(), "c_keyless has no primary key") {
		t.Errorf("keyless table: err = %v", err)
	}
}

// TestIncremental runs a capture, changes the table, and checks the next
// capture takes only the changed rows, with the cursor read from the chain:
// an incremental source resumes on its own (it is a connectors.Resumer),
// and --prevent-dups changes nothing about it.
func TestIncremental(t *testing.T) {
	for _, common := range []connectors.Common{{Rows: 2}, {Rows: 2, PreventDups: true}} {
		t.Run(fmt.Sprintf("prevent-dups=%t", common.PreventDups), func(t *testing.T) {
			testIncremental(t, common)
		})
	}
}

func testIncremental(t *testing.T, common connectors.Common) {
	u, db := freshDB(t, ordersDDL, "CREATE INDEX by_update ON orders (updated_at, id)")
	fill(t, db, "orders", 1, 5)
	exec(t, db, "UPDATE orders SET updated_at = '2026-01-01 00:00:00' WHERE id <= 3",
		"UPDATE orders SET updated_at = '2026-01-02 00:00:00' WHERE id > 3")
	hub, root := connectortest.NewChain(t)
	run := func() (connectors.Summary, []map[string]any) {
		t.Helper()
		before := len(connectortest.Assets(t, hub, root))
		sum := connectortest.Import(t, hub, root, sqlconn.Name, source(t, sqlconn.Config{URL: u, Tables: []string{"orders"}, Incremental: "updated_at", Common: common}), common)
		var rows []map[string]any
		for _, r := range connectortest.Assets(t, hub, root)[before:] {
			rows = append(rows, lines(t, []connectors.Chunk{{Data: connectortest.Read(t, hub, r)}})...)
		}
		return sum, rows
	}
	sum, rows := run()
	if got := ids(t, rows, "id"); sum.Records != 5 || !slices.Equal(got, connectortest.Seq(1, 5)) {
		t.Fatalf("first run: %+v, ids %v; want 1..5", sum, got)
	}
	// A row updated, one inserted with a time equal to the cursor's but a
	// greater key, one inserted without a time (not captured).
	exec(t, db, "UPDATE orders SET n = -2, updated_at = '2026-01-03 00:00:00' WHERE id = 2",
		"INSERT INTO orders VALUES (6, 60, 'row 6', '2026-01-02 00:00:00'), (7, 70, 'row 7', NULL)")
	sum, rows = run()
	if got := ids(t, rows, "id"); !slices.Equal(got, []string{"6", "2"}) {
		t.Fatalf("second run: %+v, ids %v; want [6 2] in (updated_at, id) order", sum, got)
	}
	if rows[1]["n"] != json.Number("-2") {
		t.Errorf("updated row = %v", rows[1])
	}
	sum, rows = run()
	if sum.Captured != 0 || len(rows) != 0 {
		t.Errorf("third run with no change: %+v", sum)
	}
	// The cursor is the chain's: a new index (deleted and rebuilt) resumes
	// the same way.
	if err := os.Remove(index.Path(hub.Home, root.ID)); err != nil {
		t.Fatal(err)
	}
	exec(t, db, "UPDATE orders SET updated_at = '2026-01-04 00:00:00' WHERE id = 5")
	if _, rows = run(); !slices.Equal(ids(t, rows, "id"), []string{"5"}) {
		t.Errorf("after the index was deleted: ids %v; want [5]", ids(t, rows, "id"))
	}
	// A library caller that hands no State at all (Import without an
	// Index) would read every row again: it is told so, before any chunk.
	cfg := sqlconn.Config{URL: u, Tables: []string{"orders"}, Incremental: "updated_at", Common: common}
	if chunks, err := connectortest.TryCollect(source(t, cfg), nil); err == nil || len(chunks) != 0 || !strings.Contains(err.Error(), "--incremental needs the chain's index") {
		t.Errorf("no State: %d chunk(s), err = %v; want none and an error naming the index", len(chunks), err)
	}
	// A dry run before the chain exists has no State either, and nothing
	// to resume: it shows every row.
	cfg.Common.DryRun = true
	if chunks, err := connectortest.TryCollect(source(t, cfg), nil); err != nil || len(lines(t, chunks)) != 6 {
		t.Errorf("dry run without a chain: %d row(s), err = %v; want the 6 with a time", len(lines(t, chunks)), err)
	}
}

// TestIncrementalRunsAlone: while one incremental run captures a table
// into a chain, another over the same table (a cron run overlapping a slow
// one) captures nothing, says why and does not fail; the first captures
// every row once.
func TestIncrementalRunsAlone(t *testing.T) {
	u, db := freshDB(t, ordersDDL)
	fill(t, db, "orders", 1, 3)
	cfg := sqlconn.Config{URL: u, Tables: []string{"orders"}, Incremental: "n"}
	connectortest.RunsAlone(t, sqlconn.Name, func() connectors.Source { return source(t, cfg) }, 3)
}

// TestResumes: an incremental run is named by its database and tables
// (not by who connects, nor the order the tables are named in), so that
// two runs over the same tables exclude each other; a run that is not
// incremental resumes nothing.
func TestResumes(t *testing.T) {
	resumes := func(url string, tables []string, inc string) string {
		t.Helper()
		return source(t, sqlconn.Config{URL: url, Tables: tables, Incremental: inc}).(connectors.Resumer).Resumes()
	}
	name := resumes("mysql://app:secret@db:3306/shop", []string{"orders", "items"}, "updated_at")
	if name != "sql:db:3306/shop/items,orders" {
		t.Errorf("name %q; want sql:db:3306/shop/items,orders", name)
	}
	for _, tt := range []struct {
		name   string
		url    string
		tables []string
		inc    string
		same   bool
	}{
		{"other user, tables reordered", "mysql://bob:other@db:3306/shop", []string{"items", "orders", "items"}, "version", true},
		{"other tables", "mysql://app:secret@db:3306/shop", []string{"orders"}, "updated_at", false},
		{"other database", "mysql://app:secret@db:3306/shop2", []string{"orders", "items"}, "updated_at", false},
		{"other host", "mysql://app:secret@db2:3306/shop", []string{"orders", "items"}, "updated_at", false},
	} {
		if got := resumes(tt.url, tt.tables, tt.inc); (got == name) != tt.same || got == "" || strings.Contains(got, "secret") {
			t.Errorf("%s: %q; want it the same as %q: %t", tt.name, got, name, tt.same)
		}
	}
	if got := resumes("mysql://app@db/shop", nil, "updated_at"); got != "sql:db:3306/shop" {
		t.Errorf("every table: %q; want sql:db:3306/shop", got)
	}
	if got := resumes("mysql://app@db/shop", []string{"orders"}, ""); got != "" {
		t.Errorf("not incremental: %q; want none", got)
	}
}

func TestErrors(t *testing.T) {
	u, _ := freshDB(t, ordersDDL, "CREATE TABLE floaty (f FLOAT PRIMARY KEY)")
	pu, _ := url.Parse(u)
	pu.User = url.UserPassword(pu.User.Username(), "hunter2")
	tests := []struct {
		name string
		cfg  sqlconn.Config
		want string
	}{
		{"bad password", sqlconn.Config{URL: pu.String()}, "access denied for user"},
		{"missing table", sqlconn.Config{URL: u, Tables: []string{"nope"}}, `no table "nope" in database`},
		{"unreachable host", sqlconn.Config{URL: "mysql://bob:hunter2@127.0.0.1:1/db"}, "cannot reach 127.0.0.1:1"},
		{"bad where", sqlconn.Config{URL: u, Tables: []string{"orders"}, Where: "id >>> 2"}, "is --where"},
		{"missing incremental column", sqlconn.Config{URL: u, Tables: []string{"orders"}, Incremental: "nope", Common: connectors.Common{PreventDups: true}}, `--incremental "nope": no such column in orders`},
		{"exclude typo", sqlconn.Config{URL: u, Tables: []string{"orders"}, Common: connectors.Common{Exclude: []string{"nots"}}}, `--exclude "nots": no such column in orders (columns: id, n, note, updated_at)`},
		{"missing database", sqlconn.Config{URL: strings.Replace(u, "/bhsqlc_", "/nodb_", 1)}, "does not exist"},
		{"float key", sqlconn.Config{URL: u, Tables: []string{"floaty"}}, "column f is a FLOAT: it cannot order pages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.FailsEarly(t, source(t, tt.cfg), "sql: mysql://", tt.want)
		})
	}
}

func TestSpecOptions(t *testing.T) {
	spec, err := connectors.Lookup("sql")
	if err != nil {
		t.Fatal(err)
	}
	var source connectors.Option
	for _, o := range spec.Options {
		if o.Name == "source" {
			source = o
		}
	}
	if !source.Secret || !source.Required {
		t.Errorf("--source option %+v: want secret and required", source)
	}
	tests := []struct {
		name   string
		args   []string
		values connectors.Values
		common connectors.Common
		want   string // "" for no error
	}{
		{"ok", nil, connectors.Values{"source": {"mysql://u:p@h/db"}, "table": {"a,b"}}, connectors.Common{}, ""},
		{"incremental", nil, connectors.Values{"source": {"mysql://u:p@h/db"}, "incremental": {"updated_at"}}, connectors.Common{}, ""},
		{"incremental with prevent-dups", nil, connectors.Values{"source": {"mysql://u:p@h/db"}, "incremental": {"updated_at"}}, connectors.Common{PreventDups: true}, ""},
		{"arguments", []string{"orders"}, connectors.Values{"source": {"mysql://u:p@h/db"}}, connectors.Common{}, "takes no arguments"},
		{"bad limit", nil, connectors.Values{"source": {"mysql://u:p@h/db"}, "limit": {"lots"}}, connectors.Common{}, `--limit "lots"`},
		{"negative limit", nil, connectors.Values{"source": {"mysql://u:p@h/db"}, "limit": {"-1"}}, connectors.Common{}, "--limit -1"},
		{"bad format", nil, connectors.Values{"source": {"mysql://u:p@h/db"}}, connectors.Common{Format: "toml"}, `--format "toml"`},
		{"not mysql", nil, connectors.Values{"source": {"postgres://u:secret@h/db"}}, connectors.Common{}, "want mysql://"},
		{"no database", nil, connectors.Values{"source": {"mysql://u:secret@h"}}, connectors.Common{}, "want one database name"},
		{"no user", nil, connectors.Values{"source": {"mysql://h/db"}}, connectors.Common{}, "no user"},
		{"unknown parameter", nil, connectors.Values{"source": {"mysql://u:secret@h/db?x=1"}}, connectors.Common{}, `unknown URL parameter "x"`},
		{"bad tls", nil, connectors.Values{"source": {"mysql://u:secret@h/db?tls=maybe"}}, connectors.Common{}, `tls="maybe"`},
		{"unparseable", nil, connectors.Values{"source": {"mysql://u:secret@h:port/db"}}, connectors.Common{}, "want mysql://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.CheckNew(t, sqlconn.Name, tt.args, tt.values, tt.common, tt.want)
		})
	}
}

// TestKeyTypes reads tables keyed by each kind of column one row a chunk,
// so every row is found through the cursor of the one before it: big
// integers must not go through doubles, binary keys must compare as bytes.
func TestKeyTypes(t *testing.T) {
	tests := []struct {
		name, typ string
		values    []string // in key order
	}{
		{"bigint", "BIGINT UNSIGNED", []string{"9007199254740993", "9007199254740994", "18446744073709551614", "18446744073709551615"}},
		{"signed", "BIGINT", []string{"-9223372036854775808", "-1", "0", "9223372036854775807"}},
		{"decimal", "DECIMAL(30,10)", []string{"-1.0000000001", "0.0000000000", "0.0000000001", "12345678901234567890.1234567890"}},
		{"binary", "VARBINARY(4)", []string{"x''", "x'00'", "x'0000'", "x'7f'", "x'ff'"}},
		{"datetime", "DATETIME(6)", []string{"'2026-01-01 00:00:00'", "'2026-01-01 00:00:00.000001'", "'2026-01-02 00:00:00'"}},
		{"text", "VARCHAR(10) COLLATE utf8mb4_bin", []string{"'A'", "'B'", "'a'", "'b'", "'é'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, db := freshDB(t, "CREATE TABLE `odd ``name` (k "+tt.typ+" PRIMARY KEY, pos INT)")
			for i, v := range tt.values {
				exec(t, db, fmt.Sprintf("INSERT INTO `odd ``name` VALUES (%s, %d)", v, i))
			}
			chunks := connectortest.Collect(t, source(t, sqlconn.Config{URL: u, Tables: []string{"odd `name"}, Common: connectors.Common{Rows: 1}}), nil)
			if got := ids(t, lines(t, chunks), "pos"); !slices.Equal(got, connectortest.Seq(0, len(tt.values)-1)) {
				t.Errorf("rows in order %v; want 0..%d", got, len(tt.values)-1)
			}
		})
	}
}

// TestIncrementalBigKey: the chain keeps meta as canonical JSON, whose
// numbers are doubles; a cursor past 2^53 must still come back exactly.
func TestIncrementalBigKey(t *testing.T) {
	u, _ := freshDB(t, "CREATE TABLE big (id BIGINT UNSIGNED PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO big VALUES (1, 1), (9007199254740993, 1)")
	hub, root := connectortest.NewChain(t)
	common := connectors.Common{PreventDups: true, Rows: 1}
	cfg := sqlconn.Config{URL: u, Tables: []string{"big"}, Incremental: "v", Common: common}
	if sum := connectortest.Import(t, hub, root, sqlconn.Name, source(t, cfg), common); sum.Captured != 2 {
		t.Fatalf("first run: %+v", sum)
	}
	// A cursor rounded to 9007199254740992 would read the last row again.
	if sum := connectortest.Import(t, hub, root, sqlconn.Name, source(t, cfg), common); sum.Captured != 0 || sum.Skipped != 0 {
		t.Errorf("second run read rows again: %+v", sum)
	}
	var m struct {
		Range []any `json:"range"`
	}
	assets := connectortest.Assets(t, hub, root)
	if err := json.Unmarshal(assets[len(assets)-1].Meta, &m); err != nil || fmt.Sprint(m.Range) != "[9007199254740993 9007199254740993]" {
		t.Errorf("range in meta = %v, %v; want the key exactly (as strings past 2^53)", m.Range, err)
	}
}
