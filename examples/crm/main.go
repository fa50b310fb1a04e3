// Command crm captures a small CRM (contacts, orders and order status
// updates, the CSV files in data/) into a chain, then rebuilds the orders
// table in MariaDB "as of" two dates by replaying the chain in document
// time, and prints what each date's table says.
//
//	go run ./examples/crm -target mysql://root@127.0.0.1:3306/bhtest
//
// The tables are called PREFIXcontacts, PREFIXorders_<date>; -keep leaves
// them for a look with the mysql client.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/mysqltarget"
)

// Dates are the two moments the example rebuilds the orders table at:
// midday of the first day (orders coming in, no updates yet), and two
// weeks on (every order, half the status updates).
var Dates = []time.Time{
	time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
	time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
}

// Files are the CSV files captured, in order.
var Files = []string{"contacts.csv", "orders.csv", "order_updates.csv"}

// Answer is what one date's orders table says.
type Answer struct {
	At      time.Time
	Orders  int
	Paid    int
	Revenue float64 // of paid orders: qty * price
}

func (a Answer) String() string {
	return fmt.Sprintf("as of %s: %d orders, %d paid, paid revenue %.2f", a.At.Format(time.RFC3339), a.Orders, a.Paid, a.Revenue)
}

// Capture puts each CSV file of dir into the chain in assets of chunk
// rows, each with the header line, as the csv connector does.
func Capture(ctx context.Context, h *blockhub.Hub, root chain.Block, dir string, chunk int) error {
	w, err := h.Writer(ctx, root)
	if err != nil {
		return err
	}
	for _, name := range Files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			w.Close()
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Scan()
		header := sc.Text()
		var buf bytes.Buffer
		first, n := 1, 0
		flush := func() error {
			if n == 0 {
				return nil
			}
			meta, _ := json.Marshal(map[string]any{"source": "csv", "path": name, "rows": []int{first, first + n - 1}})
			_, err := w.Append(ctx, appender.Chunk{Data: append([]byte(header+"\n"), buf.Bytes()...), Type: "text/csv", Meta: meta})
			first += n
			n = 0
			buf.Reset()
			return err
		}
		for sc.Scan() {
			buf.WriteString(sc.Text() + "\n")
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
	}
	return w.Close()
}

// Rebuild replays orders and their status updates into table as of at,
// in document time (created_at of orders, updated_at of updates).
func Rebuild(ctx context.Context, src oracle.Source, target, table string, at time.Time, exceptions *bytes.Buffer) (oracle.Summary, error) {
	t, err := oracle.OpenTarget(ctx, target, &oracle.TargetOptions{Table: table, Key: []string{"order_id"}, Create: true})
	if err != nil {
		return oracle.Summary{}, err
	}
	sum, err := oracle.Run(ctx, src, t, &oracle.Options{
		Key:        []string{"order_id"},
		Mode:       oracle.Upsert,
		Source:     []string{"orders.csv", "order_updates.csv"},
		TSFields:   []string{"created_at", "updated_at"},
		Window:     20,
		At:         at,
		Exceptions: exceptions,
	})
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	return sum, err
}

// Contacts replays the contacts into table (as of now).
func Contacts(ctx context.Context, src oracle.Source, target, table string) (oracle.Summary, error) {
	t, err := oracle.OpenTarget(ctx, target, &oracle.TargetOptions{Table: table, Key: []string{"id"}, Create: true})
	if err != nil {
		return oracle.Summary{}, err
	}
	sum, err := oracle.Run(ctx, src, t, &oracle.Options{Name: table, Key: []string{"id"}, Source: []string{"contacts.csv"}, Hide: []string{"phone"}})
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	return sum, err
}

// Ask reads one date's answer from its table.
func Ask(ctx context.Context, db *sql.DB, table string, at time.Time) (Answer, error) {
	a := Answer{At: at}
	err := db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(status = 'paid'), 0), COALESCE(ROUND(SUM(IF(status = 'paid', qty * price, 0)), 2), 0) FROM `"+table+"`").
		Scan(&a.Orders, &a.Paid, &a.Revenue)
	return a, err
}

// OpenDB connects to a mysql:// URL.
func OpenDB(rawURL string) (*sql.DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	cfg, err := mysqltarget.Config(u, os.Getenv)
	if err != nil {
		return nil, err
	}
	return sql.Open("mysql", cfg.FormatDSN())
}

// TableFor names the orders table of a date.
func TableFor(prefix string, at time.Time) string {
	return prefix + "orders_" + strings.NewReplacer("-", "", ":", "", "T", "_", "Z", "").Replace(at.UTC().Format(time.RFC3339))
}

// Run is the example: capture, rebuild at each date, answer.
func Run(ctx context.Context, home, dataDir, target, prefix string, keep bool) ([]Answer, error) {
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		return nil, err
	}
	defer h.Close()
	root, err := h.Create(ctx, chain.DefaultSettings("crm"))
	if err != nil {
		return nil, err
	}
	if err := Capture(ctx, h, root, dataDir, 100); err != nil {
		return nil, err
	}
	src := oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}
	db, err := OpenDB(target)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tables := []string{prefix + "contacts"}
	if !keep {
		defer func() {
			for _, t := range tables {
				db.Exec("DROP TABLE IF EXISTS `" + t + "`")
				db.Exec("DELETE FROM "+mysqltarget.CheckpointTable+" WHERE name = ?", t)
			}
		}()
	}
	if _, err := Contacts(ctx, src, target, prefix+"contacts"); err != nil {
		return nil, err
	}
	var answers []Answer
	for _, at := range Dates {
		table := TableFor(prefix, at)
		tables = append(tables, table)
		db.ExecContext(ctx, "DROP TABLE IF EXISTS `"+table+"`") // a fresh rebuild
		var exc bytes.Buffer
		sum, err := Rebuild(ctx, src, target, table, at, &exc)
		if err != nil {
			return nil, err
		}
		if sum.Exceptions > 0 {
			return nil, fmt.Errorf("as of %s: %d exceptions:\n%s", at.Format(time.RFC3339), sum.Exceptions, exc.String())
		}
		a, err := Ask(ctx, db, table, at)
		if err != nil {
			return nil, err
		}
		answers = append(answers, a)
	}
	return answers, nil
}

func main() {
	target := flag.String("target", os.Getenv("BH_TEST_MYSQL"), "MariaDB/MySQL URL (default $BH_TEST_MYSQL)")
	prefix := flag.String("prefix", "crm_", "prefix of the tables made")
	data := flag.String("data", "examples/crm/data", "folder of the CSV files")
	keep := flag.Bool("keep", false, "keep the tables")
	flag.Parse()
	if *target == "" {
		log.Fatal("crm: give -target mysql://user:pass@host:3306/db")
	}
	home, err := os.MkdirTemp("", "bh-crm-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)
	answers, err := Run(context.Background(), home, *data, *target, *prefix, *keep)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range answers {
		fmt.Println(a)
	}
}
