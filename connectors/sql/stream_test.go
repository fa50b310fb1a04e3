package sql_test

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	sqlconn "github.com/blockhub/blockhub/connectors/sql"
)

// TestStreamResumes kills the connection that streams a table while the
// capture is between pages: the stream is opened again after the last row
// read, and the run yields the very pages of an undisturbed run, every row
// once, in key order. Then a --limit run killed the same way stops at its
// limit. The table (20 MB) is larger than the socket buffers, so the
// server is still sending when the connection is killed.
func TestStreamResumes(t *testing.T) {
	const n = 40000
	u, db := freshDB(t, "CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(600) NOT NULL)",
		fmt.Sprintf("INSERT INTO big SELECT seq, REPEAT(CHAR(97 + seq %% 26), 500) FROM seq_1_to_%d", n))
	for _, limit := range []int{0, 25000} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			cfg := sqlconn.Config{URL: u, Tables: []string{"big"}, Limit: limit, Common: connectors.Common{Rows: 500}}
			want := connectortest.Collect(t, source(t, cfg), nil)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var got []connectors.Chunk
			killed := false
			for c, err := range source(t, cfg).Chunks(ctx, nil) {
				if err != nil {
					t.Fatalf("after %d chunks: %v", len(got), err)
				}
				got = append(got, c)
				if len(got) == 2 {
					var id int64
					err := db.QueryRowContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT `id`, `pad` FROM `big`%'").Scan(&id)
					if err != nil {
						t.Fatalf("finding the stream's connection: %v", err)
					}
					exec(t, db, fmt.Sprintf("KILL CONNECTION %d", id))
					killed = true
				}
			}
			if !killed {
				t.Fatal("the stream ended before it could be killed")
			}
			if len(got) != len(want) {
				t.Fatalf("got %d chunks; want %d", len(got), len(want))
			}
			for i := range want {
				if string(got[i].Data) != string(want[i].Data) {
					t.Fatalf("chunk %d differs from the undisturbed run's (%.60q... against %.60q...)", i, got[i].Data, want[i].Data)
				}
			}
			total := n
			if limit > 0 {
				total = limit
			}
			if rows := ids(t, lines(t, got), "id"); !slices.Equal(rows, connectortest.Seq(1, total)) {
				t.Errorf("ids = %s ...; want 1..%d once each, in order", strings.Join(rows[:min(len(rows), 5)], ","), total)
			}
		})
	}
}

// TestStreamMatchesScan reads a table of every type below database/sql,
// as the connector does, and through database/sql's Scan into RawBytes:
// the same text for every value, NULL and empty apart, over the text
// protocol (no arguments) and the binary one (a prepared statement, as a
// resumed or incremental read is).
func TestStreamMatchesScan(t *testing.T) {
	_, db := freshDB(t,
		"CREATE TABLE typed (id INT PRIMARY KEY, i8 TINYINT, big BIGINT, ubig BIGINT UNSIGNED, price DECIMAL(20,6), f DOUBLE, fl FLOAT,"+
			" name VARCHAR(20), empty VARCHAR(4), bin VARBINARY(8), bits BIT(12), ts TIMESTAMP(3) NULL, dt DATETIME(6) NULL, d DATE, tm TIME, y YEAR, js JSON)",
		"INSERT INTO typed VALUES (1, -128, -9223372036854775808, 18446744073709551615, 12345678901234.123456, 4.219218196852704e-06, 1.1,"+
			" 'é\"x', '', x'00ff10', b'101010101010', '2026-01-02 05:04:05.120', '2026-01-02 03:04:05.000001', '2026-01-02', '-12:30:00', 2026, '{\"k\": [1, 2]}')",
		"INSERT INTO typed (id) VALUES (2)",
		"INSERT INTO typed (id, f, fl, empty) VALUES (3, 1e300, -3.4e38, '')",
	)
	ctx := context.Background()
	for _, args := range [][]any{nil, {int64(0)}} {
		q := "SELECT * FROM typed ORDER BY id"
		if args != nil {
			q = "SELECT * FROM typed WHERE id > ? ORDER BY id"
		}
		got, err := sqlconn.StreamRows(ctx, db, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var want [][][]byte
		for rows.Next() {
			raw := make([]dbsql.RawBytes, len(cols))
			dest := make([]any, len(cols))
			for i := range raw {
				dest[i] = &raw[i]
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			want = append(want, sqlconn.CopyRow(raw))
		}
		rows.Close()
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows; want %d", q, len(got), len(want))
		}
		for r := range want {
			for c := range want[r] {
				g, w := got[r][c], want[r][c]
				if string(g) != string(w) || (g == nil) != (w == nil) {
					t.Errorf("%s: row %d, %s = %q (nil %v); Scan gives %q (nil %v)", q, r+1, cols[c], g, g == nil, w, w == nil)
				}
			}
		}
	}
}
