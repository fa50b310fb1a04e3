package sql_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/blockhub/blockhub/connectors"
	sqlconn "github.com/blockhub/blockhub/connectors/sql"
)

// BenchmarkRead reads a table of the benchmark database that bench/sql.sh
// fills (BENCH_SQL_URL, table orders) and encodes its chunks: the
// connector alone, no chain.
func BenchmarkRead(b *testing.B) {
	u := os.Getenv("BENCH_SQL_URL")
	if u == "" {
		b.Skip("BENCH_SQL_URL not set: KEEP=1 bench/sql.sh fills mysql://root@127.0.0.1:3306/bhbench_sql")
	}
	rows, _ := strconv.Atoi(os.Getenv("BENCH_SQL_ROWS"))
	for b.Loop() {
		src, err := sqlconn.New(sqlconn.Config{URL: u, Tables: []string{"orders"}, Common: connectors.Common{Rows: rows}})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for c, err := range src.Chunks(context.Background(), nil) {
			if err == nil {
				err = c.Complete() // the encoding, done on the workers in a run
			}
			if err != nil {
				b.Fatal(err)
			}
			n += c.Records
		}
		b.ReportMetric(float64(n), "rows/op")
	}
}
