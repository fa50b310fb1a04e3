package mysqltarget_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blockhub/blockhub/internal/records"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/mysqltarget"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

// logBuffer is a target's log, for tests that check what it said.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// openLogged opens the table at rawURL with a debug log going to the
// returned buffer.
func openLogged(t *testing.T, rawURL, table string, key []string, create bool) (*mysqltarget.Target, *logBuffer) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	var log logBuffer
	tg, err := mysqltarget.Open(context.Background(), u, &oracle.TargetOptions{Table: table, Key: key, Create: create,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg, &log
}

func withParam(raw, param string) string {
	if strings.Contains(raw, "?") {
		return raw + "&" + param
	}
	return raw + "?" + param
}

// ndjson is an application/x-ndjson asset of the given JSON lines.
func ndjson(path string, lines ...string) oracletest.Asset {
	return oracletest.Asset{Type: "application/x-ndjson", Meta: map[string]any{"source": "json", "path": path}, Data: []byte(strings.Join(lines, "\n") + "\n")}
}

// fillerCSV is n plain rows (id,name,qty,price,note) with ids from
// first: an asset's row set is loaded only from mysqltarget's smallest
// load (100 rows) on.
func fillerCSV(first, n int) []string {
	var rows []string
	for id := first; id < first+n; id++ {
		rows = append(rows, fmt.Sprintf("%d,csv %d,%d,%d.25,c", id, id, id%7, id))
	}
	return rows
}

func fillerJSON(first, n int) []string {
	var lines []string
	for id := first; id < first+n; id++ {
		lines = append(lines, fmt.Sprintf(`{"id":%d,"name":"json %d","qty":%d,"price":%d.5,"note":"j"}`, id, id, id%5, id))
	}
	return lines
}

// awkward holds values that need escaping in LOAD DATA's lines and in
// SQL literals, duplicates of keys within and across assets and blocks,
// NULLs, empty strings and missing fields, numbers and text, in csv, json
// lines and yaml; ids from 1000 on are filler.
func awkward(t *testing.T) []oracletest.Block {
	t.Helper()
	yamlRows := [][]any{
		{12, "yaml: #not a comment", 3, 1.25, true},
		{2, `back\slash \N \\N`, nil, 0.5, "NULL"},
	}
	for id := 1140; id < 1290; id++ {
		yamlRows = append(yamlRows, []any{id, fmt.Sprint("yaml ", id), id % 3, 0.75, "y"})
	}
	yaml, err := records.Encode(records.YAML, []string{"id", "name", "qty", "price", "note"}, yamlRows)
	if err != nil {
		t.Fatal(err)
	}
	return []oracletest.Block{
		{Assets: []oracletest.Asset{
			oracletest.CSV("o", "id,name,qty,price,note", append([]string{
				"1,plain,1,2.50,",
				"2,\"tab\there\",2,3,x",
				"3,three,3,4.25,x",
				"11,\"new\nline\r\nand crlf\",3,4.25,\"back\\slash\\\"",
				`4,"quote ' and "" dq",4,5,"unicode é ü 漢字 🙂"`,
				"1,dup in the asset,5,6,second",
				`5,\N,6,7,NULL`,
				"6,,,,",
			}, fillerCSV(1000, 150)...)...),
			oracletest.CSV("o", "id,name,qty,price,note", append([]string{
				"7,\"\\t \\n \\\\ \\0 \\Z\",7,8.5,last field\\",
				"2,dup in the next asset,8,9,",
			}, fillerCSV(1100, 150)...)...),
		}},
		{Assets: []oracletest.Asset{
			ndjson("o", append([]string{
				`{"id":8,"name":"","qty":0,"price":-1.5,"note":""}`,
				`{"id":9,"name":null,"qty":12345678901,"price":1e3,"note":"nul \u0000 byte"}`,
				`{"id":3,"name":"dup in the next block","note":"price and qty missing"}`,
				`{"id":10,"name":"only name"}`,
				`{"id":1,"name":"tab\tnewline\nbackslash\\quote'dq\"","qty":-3,"price":0.1,"note":"\u00e9\ud83d\ude42"}`,
			}, fillerJSON(1050, 150)...)...),
			{Type: "application/yaml", Meta: map[string]any{"source": "yaml", "path": "o"}, Data: yaml},
		}},
	}
}

// The fast path (LOAD DATA LOCAL INFILE) and the statements leave the
// same table after the same replay.
func TestLoadMatchesStatements(t *testing.T) {
	base := serverURL(t)
	src, _ := oracletest.NewChain(t, awkward(t))
	key := []string{"id"}
	var ops []string
	for i := 0; i < 150; i++ {
		ops = append(ops, fmt.Sprintf("insert,%d,first %d", i, i))
	}
	for i := 100; i < 250; i++ {
		ops = append(ops, fmt.Sprintf("upsert,%d,second %d", i, i))
	}
	ops = append(ops, "delete,3,", "update,4,updated", "insert,4,not again", "upsert,5,short run")
	for i := 0; i < 150; i++ {
		ops = append(ops, fmt.Sprintf("c,%d,insert after delete %d", i, i))
	}
	opsChain, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{oracletest.CSV("o", "op,id,name", ops...)}}})
	tests := []struct {
		name string
		src  *oracle.Source // nil: the awkward chain
		// ddl makes the table (%s is its name); empty: --create.
		ddl  string
		key  []string
		o    oracle.Options
		fast bool // LOAD DATA writes rows and never gives way; false: it writes none
	}{
		{name: "upsert", key: key, o: oracle.Options{Mode: oracle.Upsert}, fast: true},
		{name: "upsert one batch", key: key, o: oracle.Options{Mode: oracle.Upsert, BatchRows: 1000}, fast: true},
		{name: "insert", key: key, o: oracle.Options{Mode: oracle.Insert}, fast: true},
		{name: "insert without key", o: oracle.Options{Mode: oracle.Insert}, fast: true},
		{name: "upsert fields", key: key, o: oracle.Options{Mode: oracle.Upsert, Fields: []string{"id", "name", "note"}}, fast: true},
		{name: "upsert hide", key: key, o: oracle.Options{Mode: oracle.Upsert, Hide: []string{"name"}}, fast: true},
		{name: "upsert filter", key: key, o: oracle.Options{Mode: oracle.Upsert, Filter: `qty == nil || qty < 5`}, fast: true},
		{name: "insert filter", key: key, o: oracle.Options{Mode: oracle.Insert, Filter: `id != 4`}, fast: true},
		{name: "upsert typed table", key: key, ddl: "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, name TEXT, qty BIGINT, price DOUBLE, note VARCHAR(64)) DEFAULT CHARSET=utf8mb4", o: oracle.Options{Mode: oracle.Upsert}, fast: true},
		// A column the records lack: REPLACE would reset it, so the
		// statements run.
		{name: "upsert extra column", key: key, ddl: "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, name TEXT, qty TEXT, price TEXT, note TEXT, extra VARCHAR(8) DEFAULT 'kept') DEFAULT CHARSET=utf8mb4", o: oracle.Options{Mode: oracle.Upsert}},
		{name: "insert extra column", key: key, ddl: "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, name TEXT, qty TEXT, price TEXT, note TEXT, extra VARCHAR(8) DEFAULT 'kept') DEFAULT CHARSET=utf8mb4", o: oracle.Options{Mode: oracle.Insert}, fast: true},
		// Long runs of one operation are loaded, short ones are not.
		{name: "op field", src: &opsChain, key: key, o: oracle.Options{OpField: "op", BatchRows: 1000}, fast: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dumps [2]string
			for i, param := range []string{"local_infile=true", "local_infile=false"} {
				table := freshTable(t, base)
				tg, log := openLogged(t, withParam(base, param), table, tt.key, tt.ddl == "")
				if tt.ddl != "" {
					if _, err := tg.DB().Exec(fmt.Sprintf(tt.ddl, "`"+table+"`")); err != nil {
						t.Fatal(err)
					}
				}
				o := tt.o
				o.Name, o.Key = table, tt.key
				if o.BatchRows == 0 {
					o.BatchRows = 3 // duplicates across batches
				}
				from := src
				if tt.src != nil {
					from = *tt.src
				}
				sum, err := oracle.Run(context.Background(), from, tg, &o)
				if err != nil {
					t.Fatalf("%s: %v", param, err)
				}
				if sum.Records == 0 {
					t.Fatalf("%s: no records applied", param)
				}
				if tt.fast && i == 0 && (strings.Contains(log.String(), "gave way") || !strings.Contains(log.String(), "msg=loaded")) {
					t.Errorf("the fast path was not taken or gave way to statements:\n%s", log)
				}
				if (i == 1 || !tt.fast) && strings.Contains(log.String(), "msg=loaded") {
					t.Errorf("%s: LOAD DATA wrote rows where the statements must:\n%s", param, log)
				}
				order := "id"
				if tt.key == nil {
					order = "id, name, qty, price, note"
				}
				dumps[i] = dump(t, tg.DB(), "SELECT * FROM `"+table+"` ORDER BY "+order)
			}
			if dumps[0] != dumps[1] {
				t.Errorf("LOAD DATA:\n%s\nstatements:\n%s", dumps[0], dumps[1])
			}
		})
	}
}

// Values come back as they went in: escapes, NULL versus empty, unicode.
func TestLoadValues(t *testing.T) {
	base := serverURL(t)
	src, _ := oracletest.NewChain(t, awkward(t))
	table := freshTable(t, base)
	tg, log := openLogged(t, base, table, []string{"id"}, true)
	if _, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Key: []string{"id"}, BatchRows: 4}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "gave way") || !strings.Contains(log.String(), "msg=loaded") {
		t.Errorf("the fast path was not taken or gave way to statements:\n%s", log)
	}
	rows, err := tg.DB().Query("SELECT id, name, note FROM `" + table + "` WHERE id < 1000 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id int
		var name, note *string
		if err := rows.Scan(&id, &name, &note); err != nil {
			t.Fatal(err)
		}
		show := func(p *string) string {
			if p == nil {
				return "NULL"
			}
			return fmt.Sprintf("%q", *p)
		}
		got = append(got, fmt.Sprintf("%d %s %s", id, show(name), show(note)))
	}
	want := []string{
		`1 "tab\tnewline\nbackslash\\quote'dq\"" "é🙂"`,
		`2 "back\\slash \\N \\\\N" "NULL"`,
		`3 "dup in the next block" "price and qty missing"`,
		`4 "quote ' and \" dq" "unicode é ü 漢字 🙂"`,
		`5 "\\N" "NULL"`,
		`6 NULL NULL`,
		`7 "\\t \\n \\\\ \\0 \\Z" "last field\\"`,
		`8 "" ""`,
		`9 NULL "nul \x00 byte"`,
		`10 "only name" NULL`,
		`11 "new\nline\nand crlf" "back\\slash\\"`,
		`12 "yaml: #not a comment" "1"`, // a YAML true in a text column, as the statements write it
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// What the statements refuse, the fast path refuses with the same error,
// and leaves nothing behind.
func TestLoadErrorsAsStatements(t *testing.T) {
	base := serverURL(t)
	// parent holds the ids 0 to 99 that a child's foreign key accepts.
	parent := freshTable(t, base)
	{
		tg, _ := openLogged(t, base, parent, nil, false)
		if _, err := tg.DB().Exec("CREATE TABLE `" + parent + "` (id BIGINT NOT NULL PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		if _, err := tg.DB().Exec("INSERT INTO `" + parent + "` WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 99) SELECT i FROM s"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		ddl  string
		key  []string
		mode oracle.Mode
		rows []string
	}{
		{"text in a number", "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, n BIGINT)", []string{"id"}, oracle.Upsert, []string{"1,5", "2,five"}},
		{"null in not null", "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, n BIGINT NOT NULL)", []string{"id"}, oracle.Insert, []string{"1,5", "2,"}},
		{"duplicate without key", "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, n BIGINT)", nil, oracle.Insert, []string{"1,5", "1,6"}},
		{"too long", "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, n VARCHAR(3))", []string{"id"}, oracle.Upsert, []string{"1,abc", "2,abcd"}},
		// LOAD DATA ... IGNORE skips these rows with a warning each, as it
		// skips a duplicate: they must not pass for duplicates.
		{"check constraint with key", "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, n BIGINT, CHECK (n < 1000))", []string{"id"}, oracle.Insert, []string{"1,5", "2,5000"}},
		{"foreign key with key", "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, n BIGINT, FOREIGN KEY (n) REFERENCES `" + parent + "` (id))", []string{"id"}, oracle.Insert, []string{"1,5", "2,5000"}},
		{"no partition with key", "CREATE TABLE %s (id BIGINT NOT NULL PRIMARY KEY, n BIGINT) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (1000))", []string{"id"}, oracle.Insert, []string{"1,5", "5000,5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []string
			for i := 0; i < 150; i++ { // enough to be loaded
				rows = append(rows, fmt.Sprintf("%d,%d", 100+i, i%100))
			}
			src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{oracletest.CSV("o", "id,n", append(rows, tt.rows...)...)}}})
			var errs [2]string
			for i, param := range []string{"local_infile=true", "local_infile=false"} {
				table := freshTable(t, base)
				tg, log := openLogged(t, withParam(base, param), table, tt.key, false)
				if _, err := tg.DB().Exec(fmt.Sprintf(tt.ddl, "`"+table+"`")); err != nil {
					t.Fatal(err)
				}
				_, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Key: tt.key, Mode: tt.mode})
				if err == nil {
					t.Fatalf("%s: no error", param)
				}
				if i == 0 && !strings.Contains(log.String(), "gave way") {
					t.Errorf("LOAD DATA did not give way to the statements:\n%s", log)
				}
				errs[i] = strings.ReplaceAll(err.Error(), table, "T")
				if got := dump(t, tg.DB(), "SELECT COUNT(*) FROM `"+table+"`"); got != "0" {
					t.Errorf("%s: %s rows left behind", param, got)
				}
			}
			if errs[0] != errs[1] {
				t.Errorf("LOAD DATA: %s\nstatements: %s", errs[0], errs[1])
			}
		})
	}
}

// LOAD DATA is used only where it cannot differ from the statements: not
// for upserts into a table with a second unique key (REPLACE would delete
// both rows it meets), nor where a foreign key (ON DELETE CASCADE) or a
// trigger would see REPLACE's delete or miss the update that ON DUPLICATE
// KEY UPDATE k = k makes of a duplicate insert.
func TestLoadOnlyWhereSame(t *testing.T) {
	base := serverURL(t)
	// Filler (ids from 100) makes each asset large enough to be loaded,
	// and upserts some rows again in the second block.
	filler := func(first int, rows ...string) []string {
		for id := first; id < first+150; id++ {
			rows = append(rows, fmt.Sprintf("%d,f%d@x,%d", id, id, id))
		}
		return rows
	}
	src, _ := oracletest.NewChain(t, []oracletest.Block{
		{Assets: []oracletest.Asset{oracletest.CSV("o", "id,email,n", filler(100, "1,a@x,1", "2,b@x,2")...)}},
		{Assets: []oracletest.Asset{oracletest.CSV("o", "id,email,n", filler(200, "1,a@x,3", "3,c@x,4")...)}},
		{Assets: []oracletest.Asset{oracletest.CSV("o", "id,email,n", filler(300, "1,b@x,5")...)}},
	})
	tests := []struct {
		name  string
		mode  oracle.Mode
		setup []string // %[1]s is the table
		check string   // %[1]s is the table
		want  string
	}{
		// The last record's email is row 2's: the update fails on it,
		// where REPLACE would delete rows 1 and 2.
		{"second unique key", oracle.Upsert,
			[]string{"CREATE TABLE %[1]s (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(64) NOT NULL UNIQUE, n BIGINT)"},
			"SELECT id, email, n FROM %[1]s WHERE id < 100 ORDER BY id",
			"1,a@x,3\n2,b@x,2\n3,c@x,4"},
		{"foreign key", oracle.Upsert,
			[]string{
				"CREATE TABLE %[1]s (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(64), n BIGINT) ENGINE=InnoDB",
				"INSERT INTO %[1]s VALUES (1, 'old', 0), (2, 'old', 0)",
				"CREATE TABLE %[1]s_child (c BIGINT PRIMARY KEY, parent BIGINT, FOREIGN KEY (parent) REFERENCES %[1]s (id) ON DELETE CASCADE) ENGINE=InnoDB",
				"INSERT INTO %[1]s_child VALUES (1, 1), (2, 2)",
			},
			"SELECT c, parent FROM %[1]s_child ORDER BY c",
			"1,1\n2,2"},
		{"insert and update trigger", oracle.Insert,
			[]string{
				"CREATE TABLE %[1]s (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(64), n BIGINT)",
				"CREATE TRIGGER %[1]s_upd BEFORE UPDATE ON %[1]s FOR EACH ROW SET NEW.n = 99",
			},
			"SELECT id, n FROM %[1]s WHERE id < 100 ORDER BY id",
			"1,99\n2,2\n3,4"},
		{"upsert and delete trigger", oracle.Upsert,
			[]string{
				"CREATE TABLE %[1]s (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(64), n BIGINT)",
				"CREATE TABLE %[1]s_log (what VARCHAR(16))",
				"CREATE TRIGGER %[1]s_del AFTER DELETE ON %[1]s FOR EACH ROW INSERT INTO %[1]s_log VALUES ('delete')",
			},
			"SELECT COUNT(*) FROM %[1]s_log",
			"0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [2]string
			for i, param := range []string{"local_infile=true", "local_infile=false"} {
				table := freshTable(t, base)
				tg, _ := openLogged(t, withParam(base, param), table, []string{"id"}, false)
				db := tg.DB()
				t.Cleanup(func() {
					db.Exec("DROP TABLE IF EXISTS `" + table + "_child`")
					db.Exec("DROP TABLE IF EXISTS `" + table + "_log`")
				})
				for _, q := range tt.setup {
					if _, err := db.Exec(fmt.Sprintf(q, table)); err != nil {
						t.Fatal(err)
					}
				}
				_, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Key: []string{"id"}, Mode: tt.mode, BatchRows: 2})
				got[i] = dump(t, db, fmt.Sprintf(tt.check, table))
				if got[i] != tt.want {
					t.Errorf("%s: got\n%s\nwant\n%s", param, got[i], tt.want)
				}
				errText := "no error"
				if err != nil {
					errText = strings.ReplaceAll(err.Error(), table, "T")
				}
				got[i] += "\n" + errText + "\n" + dump(t, db, "SELECT * FROM `"+table+"` ORDER BY id")
			}
			if got[0] != got[1] {
				t.Errorf("LOAD DATA:\n%s\nstatements:\n%s", got[0], got[1])
			}
		})
	}
}

// A server with local_infile=OFF refuses LOAD DATA LOCAL: the replay
// takes the statements, says so once, and applies every record.
func TestLoadRefusedFallsBack(t *testing.T) {
	base := privateServer(t, "--local-infile=0")
	// Four blocks of 150 rows (enough to be loaded): ids 0 to 299, each
	// block upserting half of the one before again.
	var blocks []oracletest.Block
	want := map[int]string{}
	for b := 0; b < 4; b++ {
		var rows []string
		for id := 50 * b; id < 50*b+150; id++ {
			v := fmt.Sprintf("block %d\t%d", b, id)
			rows = append(rows, fmt.Sprintf("%d,\"%s\"", id, v))
			want[id] = v
		}
		blocks = append(blocks, oracletest.Block{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", rows...)}})
	}
	src, _ := oracletest.NewChain(t, blocks)
	tg, log := openLogged(t, base, "refused", []string{"id"}, true)
	sum, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: "refused", Key: []string{"id"}, BatchRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != 600 {
		t.Errorf("records %d; want 600", sum.Records)
	}
	var lines []string
	for id := 0; id < len(want); id++ {
		lines = append(lines, fmt.Sprintf("%d,%s", id, want[id]))
	}
	if got := dump(t, tg.DB(), "SELECT id, v FROM refused ORDER BY id"); got != strings.Join(lines, "\n") {
		t.Errorf("table:\n%s\nwant\n%s", got, strings.Join(lines, "\n"))
	}
	if n := strings.Count(log.String(), "refuses LOAD DATA LOCAL INFILE"); n != 1 {
		t.Errorf("%d notes about the refusal; want 1:\n%s", n, log)
	}
}

// Where the server converts what does not fit instead of refusing it (a
// sql_mode without STRICT_TRANS_TABLES), LOAD DATA warns like the
// statements do: it gives way to them and the table holds their rows, once
// each.
func TestLoadNonStrict(t *testing.T) {
	base := privateServer(t, "--local-infile=1", "--sql-mode=")
	src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{
		oracletest.CSV("o", "n,tag", append(fillerTags(), "1,abc", "x,ok", "3,toolong", "4,")...),
	}}})
	tests := []struct {
		name string
		key  []string
		mode oracle.Mode
		ddl  string
		want string // a NULL in a NOT NULL column becomes ''
	}{
		{"insert without key", nil, oracle.Insert, "CREATE TABLE %s (n BIGINT, tag VARCHAR(3))", "0,ok\n1,abc\n3,too\n4,NULL"},
		{"insert", []string{"n"}, oracle.Insert, "CREATE TABLE %s (n BIGINT NOT NULL PRIMARY KEY, tag VARCHAR(3) NOT NULL)", "0,ok\n1,abc\n3,too\n4,"},
		{"upsert", []string{"n"}, oracle.Upsert, "CREATE TABLE %s (n BIGINT NOT NULL PRIMARY KEY, tag VARCHAR(3) NOT NULL)", "0,ok\n1,abc\n3,too\n4,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dumps [2]string
			for i, param := range []string{"local_infile=true", "local_infile=false"} {
				table := fmt.Sprintf("nonstrict_%d_%d", seq.Add(1), i)
				tg, _ := openLogged(t, withParam(base, param), table, tt.key, false)
				if _, err := tg.DB().Exec(fmt.Sprintf(tt.ddl, table)); err != nil {
					t.Fatal(err)
				}
				if _, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Key: tt.key, Mode: tt.mode}); err != nil {
					t.Fatalf("%s: %v", param, err)
				}
				dumps[i] = dump(t, tg.DB(), "SELECT n, tag FROM "+table+" WHERE n < 100 ORDER BY n, tag")
			}
			if dumps[1] != tt.want {
				t.Errorf("statements: got\n%s\nwant\n%s", dumps[1], tt.want)
			}
			if dumps[0] != dumps[1] {
				t.Errorf("LOAD DATA:\n%s\nstatements:\n%s", dumps[0], dumps[1])
			}
		})
	}
}

// fillerTags is 150 rows of n,tag from n = 100: enough to be loaded.
func fillerTags() []string {
	var rows []string
	for n := 100; n < 250; n++ {
		rows = append(rows, fmt.Sprintf("%d,t", n))
	}
	return rows
}

// privateServer starts a MariaDB of its own with the given settings (the
// shared test server must keep its own), and returns the URL of its
// database bhtest. It is stopped when t ends.
func privateServer(t *testing.T, settings ...string) string {
	t.Helper()
	serverURL(t) // skipped under -short, as every server test
	mariadbd, err := exec.LookPath("mariadbd")
	if err != nil {
		mariadbd = "/usr/sbin/mariadbd"
	}
	installDB, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		t.Fatalf("mariadb-install-db: %v (the test needs MariaDB's server binaries)", err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	user := []string{}
	if os.Geteuid() == 0 {
		user = []string{"--user=root"}
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}, user...)
	if out, err := exec.Command(installDB, args...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(mariadbd, append([]string{"--no-defaults", "--datadir=" + data, "--bind-address=127.0.0.1",
		fmt.Sprint("--port=", port), "--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--skip-log-bin", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M"}, append(settings, user...)...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := db.Exec("CREATE DATABASE IF NOT EXISTS bhtest")
		if err == nil {
			return fmt.Sprintf("mysql://root@127.0.0.1:%d/bhtest", port)
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("mariadbd on port %d did not answer in 60s: %v\n%s", port, err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
