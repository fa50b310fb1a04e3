package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/blockhub/blockhub/internal/testenv"
)

func serverURL(t *testing.T) string {
	t.Helper()
	return testenv.URL(t, testenv.MySQL)
}

var seq atomic.Int64

func prefix() string { return fmt.Sprintf("crm%d_%d_", os.Getpid(), seq.Add(1)) }

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("data", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// expected computes a date's answer from the CSV files alone: orders
// created by then, each with the status of its latest update by then.
func expected(t *testing.T, at time.Time) Answer {
	type event struct {
		ts     time.Time
		pos    int
		id     string
		status string
		order  []string
	}
	var evs []event
	for i, r := range readCSV(t, "orders.csv") {
		ts, _ := time.Parse(time.RFC3339, r[6])
		evs = append(evs, event{ts: ts, pos: i, id: r[0], status: r[5], order: r})
	}
	for i, r := range readCSV(t, "order_updates.csv") {
		ts, _ := time.Parse(time.RFC3339, r[2])
		evs = append(evs, event{ts: ts, pos: 10000 + i, id: r[0], status: r[1]})
	}
	slices.SortStableFunc(evs, func(a, b event) int {
		if c := a.ts.Compare(b.ts); c != 0 {
			return c
		}
		return a.pos - b.pos
	})
	orders := map[string][]string{}
	for _, e := range evs {
		if e.ts.After(at) {
			continue
		}
		if e.order != nil {
			orders[e.id] = slices.Clone(e.order)
		} else if o, ok := orders[e.id]; ok {
			o[5] = e.status
		}
	}
	a := Answer{At: at, Orders: len(orders)}
	for _, o := range orders {
		if o[5] == "paid" {
			a.Paid++
			q, _ := strconv.ParseFloat(o[3], 64)
			p, _ := strconv.ParseFloat(o[4], 64)
			a.Revenue += q * p
		}
	}
	a.Revenue = math.Round(a.Revenue*100) / 100
	return a
}

// The chain replayed as of two dates gives each date's right answer.
func TestAsOfTwoDates(t *testing.T) {
	target := serverURL(t)
	answers, err := Run(context.Background(), t.TempDir(), "data", target, prefix(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 2 {
		t.Fatalf("%d answers; want 2", len(answers))
	}
	for i, a := range answers {
		want := expected(t, Dates[i])
		if a.Orders != want.Orders || a.Paid != want.Paid || math.Abs(a.Revenue-want.Revenue) > 0.005 {
			t.Errorf("got  %v\nwant %v", a, want)
		}
		t.Log(a)
	}
	if answers[0].Orders == answers[1].Orders || answers[0].Paid == answers[1].Paid {
		t.Errorf("the two dates give the same table: %v, %v", answers[0], answers[1])
	}
}

var (
	buildOnce sync.Once
	bin       string
	buildErr  error
)

// bhctl builds the CLI once per test binary.
func bhctl(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bh-crm-bin-")
		if err != nil {
			buildErr = err
			return
		}
		bin = filepath.Join(dir, "bhctl")
		out, err := exec.Command("go", "build", "-o", bin, "github.com/blockhub/blockhub/cmd/bhctl").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build bhctl: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bin != "" {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// newOrders is a CSV of n orders from id first on, header first.
func newOrders(first, n int) string {
	var b strings.Builder
	b.WriteString("order_id,contact_id,item,qty,price,status,created_at\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "%d,%d,Live item,1,%d.50,paid,2026-02-01T00:00:00Z\n", i, i%100+1, i%90+1)
	}
	return b.String()
}

func pipe(t *testing.T, bin, home, data string) {
	t.Helper()
	cmd := exec.Command(bin, "--home", home, "--chain", "shop", "-q", "pipe", "--type", "text/csv")
	cmd.Stdin = strings.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bhctl pipe: %v\n%s", err, out)
	}
}

// liveTable opens the MariaDB of target and names a table no other test
// uses, ending in suffix; the table and its oracle checkpoint are dropped,
// and the database closed, when t ends.
func liveTable(t *testing.T, target, suffix string) (*sql.DB, string) {
	t.Helper()
	table := prefix() + suffix
	db, err := OpenDB(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP TABLE IF EXISTS `" + table + "`")
		db.Exec("DELETE FROM bh_oracle_checkpoint WHERE name = ?", table)
		db.Close()
	})
	return db, table
}

// A live oracle shows orders piped into the chain in the table.
func TestLiveSync(t *testing.T) {
	target := serverURL(t)
	bin, home := bhctl(t), t.TempDir()
	db, table := liveTable(t, target, "live")
	pipe(t, bin, home, newOrders(1, 5))
	live := exec.Command(bin, "--home", home, "--chain", "shop", "oracle", "--target", target, "--table", table,
		"--key", "order_id", "--create", "--source", "pipe", "--live")
	live.Stderr = os.Stderr
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { live.Process.Signal(syscall.SIGTERM); live.Wait() }()
	var lat []time.Duration
	for i := 0; i < 10; i++ {
		pipe(t, bin, home, newOrders(100+i, 1))
		start := time.Now()
		for count(t, db, fmt.Sprintf("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '%s'", table)) == 0 ||
			count(t, db, fmt.Sprintf("SELECT COUNT(*) FROM `%s` WHERE order_id = %d", table, 100+i)) == 0 {
			if time.Since(start) > 15*time.Second {
				t.Fatalf("order %d never showed up", 100+i)
			}
			time.Sleep(2 * time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	if n := count(t, db, "SELECT COUNT(*) FROM `"+table+"`"); n != 15 {
		t.Errorf("%d rows; want 15", n)
	}
	slices.Sort(lat)
	t.Logf("pipe returned to row visible: median %v, max %v", lat[len(lat)/2], lat[len(lat)-1])
}

// A live oracle killed with SIGKILL at random moments and restarted
// applies every record exactly once: insert mode into a table without a
// key keeps duplicates, so any record applied twice would show.
func TestLiveKill9ExactlyOnce(t *testing.T) {
	target := serverURL(t)
	bin, home := bhctl(t), t.TempDir()
	db, table := liveTable(t, target, "kill")
	if _, err := db.Exec("CREATE TABLE `" + table + "` (order_id BIGINT NOT NULL, contact_id BIGINT, item VARCHAR(64), qty INT, price DOUBLE, status VARCHAR(16), created_at VARCHAR(32))"); err != nil {
		t.Fatal(err)
	}
	const batches, per = 40, 50
	piped := make(chan error, 1)
	go func() {
		defer close(piped)
		for i := 0; i < batches; i++ {
			cmd := exec.Command(bin, "--home", home, "--chain", "shop", "-q", "pipe", "--type", "text/csv")
			cmd.Stdin = strings.NewReader(newOrders(1+i*per, per))
			if out, err := cmd.CombinedOutput(); err != nil {
				piped <- fmt.Errorf("pipe: %v: %s", err, out)
				return
			}
		}
	}()
	start := func() *exec.Cmd {
		c := exec.Command(bin, "--home", home, "--chain", "shop", "-q", "oracle", "--target", target, "--table", table,
			"--mode", "insert", "--batch", "7", "--live")
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 8; k++ {
		c := start()
		time.Sleep(time.Duration(50+rng.IntN(300)) * time.Millisecond)
		c.Process.Kill() // SIGKILL
		c.Wait()
	}
	if err := <-piped; err != nil {
		t.Fatal(err)
	}
	c := start()
	defer func() { c.Process.Signal(syscall.SIGTERM); c.Wait() }()
	want := batches * per
	deadline := time.Now().Add(30 * time.Second)
	for count(t, db, "SELECT COUNT(*) FROM `"+table+"`") < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything applied twice would land now
	n := count(t, db, "SELECT COUNT(*) FROM `"+table+"`")
	d := count(t, db, "SELECT COUNT(DISTINCT order_id) FROM `"+table+"`")
	if n != want || d != want {
		t.Fatalf("%d rows, %d distinct orders; want %d of each", n, d, want)
	}
}
