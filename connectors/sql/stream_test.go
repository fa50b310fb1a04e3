package sql_test

import (
	"context"
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
