package mysqltarget_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockhub/blockhub/internal/testenv"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/mysqltarget"
	"github.com/blockhub/blockhub/oracle/oracletest"
)

// serverURL is the MariaDB of BH_TEST_MYSQL, which scripts/test exports.
func serverURL(t *testing.T) string {
	t.Helper()
	return testenv.URL(t, testenv.MySQL)
}

var seq atomic.Int64

// freshTable returns a table name no other test uses, dropped (with its
// checkpoint rows) when t ends.
func freshTable(t *testing.T, base string) string {
	t.Helper()
	name := fmt.Sprintf("bho%d_%d", os.Getpid(), seq.Add(1))
	t.Cleanup(func() {
		u, _ := url.Parse(base)
		tg, err := mysqltarget.Open(context.Background(), u, &oracle.TargetOptions{Table: name})
		if err != nil {
			return
		}
		tg.DB().Exec("DROP TABLE IF EXISTS `" + name + "`")
		tg.DB().Exec("DELETE FROM "+mysqltarget.CheckpointTable+" WHERE name LIKE ?", name+"%")
		tg.Close()
	})
	return name
}

func open(t *testing.T, base, table string, key []string, create bool) *mysqltarget.Target {
	t.Helper()
	u, _ := url.Parse(base)
	tg, err := mysqltarget.Open(context.Background(), u, &oracle.TargetOptions{Table: table, Key: key, Create: create})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func dump(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var f []string
		for _, v := range vals {
			if v.Valid {
				f = append(f, v.String)
			} else {
				f = append(f, "NULL")
			}
		}
		out = append(out, strings.Join(f, ","))
	}
	return strings.Join(out, "\n")
}

func TestModes(t *testing.T) {
	base := serverURL(t)
	table := freshTable(t, base)
	src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{
		oracletest.CSV("o", "op,id,name,note", "insert,1,ann,", `insert,2,"it's ""b""",x`, "insert,1,dup,", "update,1,ANN,n", "delete,2,,", "upsert,3,cy,", "update,9,nobody,", "upsert,3,CY,z"),
	}}})
	tg := open(t, base, table, []string{"id"}, true)
	defer tg.Close()
	sum, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Key: []string{"id"}, OpField: "op"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, tg.DB(), "SELECT id, name, note FROM `"+table+"` ORDER BY id"), "1,ANN,n\n3,CY,z"; got != want {
		t.Errorf("table:\n%s\nwant\n%s", got, want)
	}
	if sum.Records != 8 {
		t.Errorf("records %d; want 8", sum.Records)
	}
	// Quotes and backslashes survive.
	src2, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{
		oracletest.CSV("o", "id,name", `4,"it's \ ""q"" `+"\u00e9\"")}}})
	if _, err := oracle.Run(context.Background(), src2, tg, &oracle.Options{Name: table + "_2", Key: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, tg.DB(), "SELECT name FROM `"+table+"` WHERE id = 4"), `it's \ "q" é`; got != want {
		t.Errorf("name %q; want %q", got, want)
	}
}

func TestNoTableWithoutCreate(t *testing.T) {
	base := serverURL(t)
	table := freshTable(t, base)
	src, _ := oracletest.NewChain(t, []oracletest.Block{{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", "1,a")}}})
	tg := open(t, base, table, []string{"id"}, false)
	defer tg.Close()
	_, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Key: []string{"id"}})
	if err == nil || !strings.Contains(err.Error(), "--create") {
		t.Fatalf("err = %v; want one suggesting --create", err)
	}
}

// Runs cancelled at random moments, each followed by a restart, leave
// every record applied exactly once: with insert mode and no key a record
// applied twice would be a duplicate row. Both ways of writing rows are
// cancelled: LOAD DATA and the statements.
func TestExactlyOnceAfterCancels(t *testing.T) {
	base := serverURL(t)
	var blocks []oracletest.Block
	want := 0
	for b := 0; b < 40; b++ {
		var as []oracletest.Asset
		for a := 0; a < 3; a++ {
			var rows []string
			for r := 0; r < 200; r++ {
				want++
				rows = append(rows, fmt.Sprintf("%d,%d-%d-%d", want, b, a, r))
			}
			as = append(as, oracletest.CSV("n", "n,tag", rows...))
		}
		blocks = append(blocks, oracletest.Block{Assets: as})
	}
	src, _ := oracletest.NewChain(t, blocks)
	for seed, param := range []string{"local_infile=true", "local_infile=false"} {
		t.Run(param, func(t *testing.T) {
			raw := base + "?" + param
			replay := func(ctx context.Context, table string, batch int) error {
				tg := open(t, raw, table, nil, false)
				defer tg.Close()
				_, err := oracle.Run(ctx, src, tg, &oracle.Options{Name: table, Mode: oracle.Insert, BatchRows: batch})
				return err
			}
			create := func() string {
				table := freshTable(t, base)
				setup := open(t, base, table, nil, false)
				defer setup.Close()
				if _, err := setup.DB().Exec("CREATE TABLE `" + table + "` (n BIGINT NOT NULL, tag VARCHAR(64)) ENGINE=InnoDB"); err != nil {
					t.Fatal(err)
				}
				return table
			}
			// A whole run's time: cancels land anywhere in the first
			// quarter of what is left, and later ones a little later
			// each run, so that a machine slower than when whole was
			// measured (the other tests of a CI run) still gets there.
			start := time.Now()
			if err := replay(context.Background(), create(), 1000); err != nil {
				t.Fatal(err)
			}
			whole := time.Since(start)
			table := create()
			rng := rand.New(rand.NewPCG(1, uint64(seed)))
			for run := 0; ; run++ {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.Int64N(int64(whole/4+time.Duration(run)*whole/50))+1))
				err := replay(ctx, table, 1+rng.IntN(2000))
				cancel()
				if err == nil {
					t.Logf("finished after %d interrupted runs (a whole run takes %v)", run, whole)
					break
				}
				if run > 500 {
					t.Fatalf("never finished: %v", err)
				}
			}
			db := open(t, base, table, nil, false)
			defer db.Close()
			if got := dump(t, db.DB(), "SELECT COUNT(*), COUNT(DISTINCT n), MIN(n), MAX(n) FROM `"+table+"`"); got != fmt.Sprintf("%d,%d,1,%d", want, want, want) {
				t.Fatalf("count, distinct, min, max = %s; want %d rows, each once", got, want)
			}
		})
	}
}

func TestAddsColumnsWithCreate(t *testing.T) {
	base := serverURL(t)
	table := freshTable(t, base)
	src, _ := oracletest.NewChain(t, []oracletest.Block{
		{Assets: []oracletest.Asset{oracletest.CSV("o", "order_id,status,price", "1,paid,2.50", "2,pending,3")}},
		{Assets: []oracletest.Asset{oracletest.CSV("u", "order_id,status,updated_at", "2,paid,2026-01-02T00:00:00Z", "7,paid,2026-01-02T00:00:00Z")}},
	})
	tg := open(t, base, table, []string{"order_id"}, true)
	defer tg.Close()
	if _, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Key: []string{"order_id"}, Source: []string{"o"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table + "_u", Key: []string{"order_id"}, Mode: oracle.Update, Source: []string{"u"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, tg.DB(), "SELECT order_id, status, price, updated_at FROM `"+table+"` ORDER BY order_id"), "1,paid,2.5,NULL\n2,paid,3,2026-01-02T00:00:00Z"; got != want {
		t.Errorf("table:\n%s\nwant\n%s", got, want)
	}
}

// Replays of one name started at once (cron runs that overlap) on a
// keyless insert-mode table: each batch is applied by one of them, the
// others stop with oracle.ErrMoved, and a last run finishes; every record
// is in the table exactly once.
func TestOneReplayPerName(t *testing.T) {
	base := serverURL(t)
	var blocks []oracletest.Block
	want := 0
	for b := 0; b < 20; b++ {
		var rows []string
		for r := 0; r < 50; r++ {
			want++
			rows = append(rows, fmt.Sprintf("%d,%d-%d", want, b, r))
		}
		blocks = append(blocks, oracletest.Block{Assets: []oracletest.Asset{oracletest.CSV("n", "n,tag", rows...)}})
	}
	src, _ := oracletest.NewChain(t, blocks)
	for trial := range 3 {
		table := freshTable(t, base)
		setup := open(t, base, table, nil, false)
		if _, err := setup.DB().Exec("CREATE TABLE `" + table + "` (n BIGINT NOT NULL, tag VARCHAR(64)) ENGINE=InnoDB"); err != nil {
			t.Fatal(err)
		}
		replay := func() error {
			tg := open(t, base, table, nil, false) // a pool of its own, as another process has
			defer tg.Close()
			_, err := oracle.Run(context.Background(), src, tg, &oracle.Options{Name: table, Mode: oracle.Insert, BatchRows: 50})
			return err
		}
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { errs[i] = replay() })
		}
		wg.Wait()
		moved := 0
		for i, err := range errs {
			switch {
			case errors.Is(err, oracle.ErrMoved):
				moved++
			case err != nil:
				t.Fatalf("trial %d: replay %d: %v; want success or ErrMoved", trial, i, err)
			}
		}
		if err := replay(); err != nil {
			t.Fatalf("trial %d: the run after: %v", trial, err)
		}
		if got := dump(t, setup.DB(), "SELECT COUNT(*), COUNT(DISTINCT n) FROM `"+table+"`"); got != fmt.Sprintf("%d,%d", want, want) {
			t.Fatalf("trial %d: count, distinct = %s; want %d rows, each once (%d of 4 replays stopped on a moved checkpoint)", trial, got, want, moved)
		}
		setup.Close()
	}
}

// Two replays (of different names) into one table with --create: the one
// that read the columns before the other added a new one adds it too, and
// finds it there, which is no error.
func TestColumnAddedByAnotherReplay(t *testing.T) {
	base := serverURL(t)
	table := freshTable(t, base)
	ctx := context.Background()
	first := oracletest.Block{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v", "1,a")}}
	wider := oracletest.Block{Assets: []oracletest.Asset{oracletest.CSV("o", "id,v,w", "2,b,x")}}
	a, b := open(t, base, table, []string{"id"}, true), open(t, base, table, []string{"id"}, true)
	defer a.Close()
	defer b.Close()
	src1, _ := oracletest.NewChain(t, []oracletest.Block{first})
	for i, tg := range []*mysqltarget.Target{a, b} { // both read the columns id, v
		if _, err := oracle.Run(ctx, src1, tg, &oracle.Options{Name: fmt.Sprint(table, "_first", i), Key: []string{"id"}}); err != nil {
			t.Fatal(err)
		}
	}
	src2, _ := oracletest.NewChain(t, []oracletest.Block{wider})
	for i, tg := range []*mysqltarget.Target{a, b} { // a adds w; b, not knowing, too
		if _, err := oracle.Run(ctx, src2, tg, &oracle.Options{Name: fmt.Sprint(table, "_wider", i), Key: []string{"id"}}); err != nil {
			t.Fatalf("replay %d adding column w: %v", i, err)
		}
	}
	if got, want := dump(t, a.DB(), "SELECT id, v, w FROM `"+table+"` ORDER BY id"), "1,a,NULL\n2,b,x"; got != want {
		t.Errorf("table:\n%s\nwant\n%s", got, want)
	}
}
