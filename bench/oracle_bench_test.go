package bench

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/internal/emit"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/mysqltarget"
)

// The oracle's figures (bench/oracle.sh runs them, bench/results-oracle.md
// keeps them):
//
//	BH_TEST_MYSQL=mysql://root@127.0.0.1:3306/bhtest go test ./bench -run '^$' -bench Oracle -benchtime 1x -timeout 1h
var (
	oracleRows  = flag.Int("oracle-rows", 1_000_000, "BenchmarkOracleReplay: orders replayed")
	oracleChunk = flag.Int("oracle-chunk", 1000, "BenchmarkOracleReplay: rows per asset (each with the header)")
	oracleLiveN = flag.Int("oracle-live-n", 200, "BenchmarkOracleLive: single-order pipes timed")
	oracleBatch = flag.Int("oracle-batch", 0, "BenchmarkOracleReplay: records per transaction (0: the default)")
	oracleLocal = flag.Bool("oracle-local-infile", true, "BenchmarkOracleReplay: let the oracle use LOAD DATA LOCAL INFILE (false: INSERT statements only, the figure before it did)")
)

func mysqlURL(b *testing.B) string {
	u := os.Getenv("BH_TEST_MYSQL")
	if u == "" {
		b.Skip("BH_TEST_MYSQL not set (eval \"$(scripts/servers up)\")")
	}
	return u
}

func openMySQL(b *testing.B, raw string) *sql.DB {
	u, err := url.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := mysqltarget.Config(u, os.Getenv)
	if err != nil {
		b.Fatal(err)
	}
	cfg.AllowAllFiles = false
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	return db
}

const ordersDDL = "(order_id BIGINT NOT NULL PRIMARY KEY, contact_id BIGINT, item VARCHAR(255), qty BIGINT, price DOUBLE, status VARCHAR(255), created_at VARCHAR(255))"

// BenchmarkOracleReplay replays -oracle-rows emitted orders, captured as
// CSV assets of -oracle-chunk rows, into a MariaDB table, beside LOAD
// DATA LOCAL INFILE of the same CSV into a table of the same shape.
func BenchmarkOracleReplay(b *testing.B) {
	raw := mysqlURL(b)
	ctx := context.Background()
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "orders.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := emit.CSV(bw, emit.Options{Kind: emit.Orders, Rows: int64(*oracleRows), Seed: 1}); err != nil {
		b.Fatal(err)
	}
	bw.Flush()
	f.Close()

	storeURL := "file://" + dir + "/bh?nosync=1"
	h, err := blockhub.Open(ctx, blockhub.Config{Home: dir + "/bh", BlockStore: []string{storeURL}, AssetStore: []string{storeURL}})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	root, err := h.Create(ctx, chain.DefaultSettings("orders"))
	if err != nil {
		b.Fatal(err)
	}
	if err := captureCSV(ctx, h, root, csvPath, *oracleChunk); err != nil {
		b.Fatal(err)
	}
	db := openMySQL(b, raw)
	defer db.Close()
	table := fmt.Sprintf("bhbench_oracle_%d", os.Getpid())
	load := table + "_load"
	defer db.Exec("DROP TABLE IF EXISTS " + table)
	defer db.Exec("DROP TABLE IF EXISTS " + load)
	defer db.Exec("DELETE FROM "+mysqltarget.CheckpointTable+" WHERE name = ?", table)
	mysql.RegisterLocalFile(csvPath)

	target := raw
	if !*oracleLocal {
		target += sep(raw) + "local_infile=false"
	}
	var oracleSec, loadSec float64
	replay := func() {
		start := time.Now()
		tg, err := oracle.OpenTarget(ctx, target, &oracle.TargetOptions{Table: table, Key: []string{"order_id"}})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := oracle.Run(ctx, oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}, tg,
			&oracle.Options{Name: table, Key: []string{"order_id"}, Mode: oracle.Upsert, BatchRows: *oracleBatch})
		tg.Close()
		if err != nil {
			b.Fatal(err)
		}
		oracleSec += time.Since(start).Seconds()
		if sum.Records != *oracleRows {
			b.Fatalf("replayed %d records; want %d", sum.Records, *oracleRows)
		}
	}
	loadData := func() {
		start := time.Now()
		if _, err := db.Exec("LOAD DATA LOCAL INFILE '" + csvPath + "' INTO TABLE " + load +
			" FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES"); err != nil {
			b.Fatal(err)
		}
		loadSec += time.Since(start).Seconds()
	}
	for i := 0; i < b.N; i++ {
		for _, t := range []string{table, load} {
			db.Exec("DROP TABLE IF EXISTS " + t)
			if _, err := db.Exec("CREATE TABLE " + t + " " + ordersDDL); err != nil {
				b.Fatal(err)
			}
		}
		db.Exec("DELETE FROM "+mysqltarget.CheckpointTable+" WHERE name = ?", table)
		// The second of the two runs meets the server still flushing
		// the first one's pages: take turns at going first.
		if i%2 == 0 {
			replay()
			loadData()
		} else {
			loadData()
			replay()
		}
	}
	var n1, n2 int
	db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n1)
	db.QueryRow("SELECT COUNT(*) FROM " + load).Scan(&n2)
	if n1 != *oracleRows || n2 != *oracleRows {
		b.Fatalf("rows: oracle %d, load data %d; want %d", n1, n2, *oracleRows)
	}
	// Same rows, same values, whichever way they went in.
	var t1, t2 string
	var c1, c2 int64
	if err := db.QueryRow("CHECKSUM TABLE "+table).Scan(&t1, &c1); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow("CHECKSUM TABLE "+load).Scan(&t2, &c2); err != nil {
		b.Fatal(err)
	}
	if c1 != c2 {
		b.Fatalf("CHECKSUM TABLE: oracle's %d, load data's %d", c1, c2)
	}
	rows := float64(*oracleRows * b.N)
	b.ReportMetric(rows/oracleSec, "oracle-records/s")
	b.ReportMetric(rows/loadSec, "loaddata-records/s")
	b.ReportMetric(loadSec/oracleSec, "ratio")
}

// sep is what joins a query parameter to raw.
func sep(raw string) string {
	if strings.Contains(raw, "?") {
		return "&"
	}
	return "?"
}

// captureCSV cuts a CSV file into assets of chunk rows, the header first
// in each, as `bhctl import csv --rows N` does.
func captureCSV(ctx context.Context, h *blockhub.Hub, root chain.Block, path string, chunk int) error {
	w, err := h.Writer(ctx, root)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Scan()
	header := sc.Text() + "\n"
	var buf bytes.Buffer
	first, n := 1, 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		meta, _ := json.Marshal(map[string]any{"source": "csv", "path": "orders.csv", "rows": []int{first, first + n - 1}})
		_, err := w.Append(ctx, appender.Chunk{Data: append([]byte(header), buf.Bytes()...), Type: "text/csv", Meta: meta})
		first, n = first+n, 0
		buf.Reset()
		return err
	}
	for sc.Scan() {
		buf.WriteString(sc.Text())
		buf.WriteByte('\n')
		if n++; n == chunk {
			if err := flush(); err != nil {
				w.Close()
				return err
			}
		}
	}
	if err := flush(); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// BenchmarkOracleLive times, -oracle-live-n times, one order piped with
// `bhctl pipe` (from the moment the command returns) until its row is
// visible in MariaDB, written there by `bhctl oracle --live`.
func BenchmarkOracleLive(b *testing.B) {
	raw := mysqlURL(b)
	dir := b.TempDir()
	bin := filepath.Join(dir, "bhctl")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/blockhub/blockhub/cmd/bhctl").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "bh")
	db := openMySQL(b, raw)
	defer db.Close()
	table := fmt.Sprintf("bhbench_live_%d", os.Getpid())
	defer db.Exec("DROP TABLE IF EXISTS " + table)
	defer db.Exec("DELETE FROM "+mysqltarget.CheckpointTable+" WHERE name = ?", table)
	db.Exec("DROP TABLE IF EXISTS " + table)
	if _, err := db.Exec("CREATE TABLE " + table + " " + ordersDDL); err != nil {
		b.Fatal(err)
	}
	pipe := func(id int) {
		cmd := exec.Command(bin, "--home", home, "--chain", "live", "-q", "pipe", "--type", "text/csv")
		cmd.Stdin = strings.NewReader(fmt.Sprintf("order_id,contact_id,item,qty,price,status,created_at\n%d,1,Pen,1,1.50,paid,2026-01-01T00:00:00Z\n", id))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("pipe: %v\n%s", err, out)
		}
	}
	pipe(0) // the chain exists before the oracle starts
	live := exec.Command(bin, "--home", home, "--chain", "live", "-q", "oracle", "--target", raw, "--table", table, "--key", "order_id", "--live")
	live.Stderr = os.Stderr
	if err := live.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { live.Process.Signal(syscall.SIGTERM); live.Wait() }()
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		for j := 1; j <= *oracleLiveN; j++ {
			id := i**oracleLiveN + j
			pipe(id)
			start := time.Now()
			for {
				var n int
				db.QueryRow("SELECT COUNT(*) FROM "+table+" WHERE order_id = ?", id).Scan(&n)
				if n == 1 {
					break
				}
				if time.Since(start) > 30*time.Second {
					b.Fatalf("order %d never showed up", id)
				}
				time.Sleep(500 * time.Microsecond)
			}
			lat = append(lat, time.Since(start))
		}
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}
