package faults

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub/internal/testenv"
)

// TestKill9OracleLive kills bhctl oracle --live, replaying into MariaDB,
// at random moments while another process keeps capturing CSV assets,
// and restarts it each time; then a last run catches up. The table must
// hold every captured row exactly once, and the stored position must be
// the chain's last asset.
func TestKill9OracleLive(t *testing.T) {
	needBinary(t)
	target := testenv.URL(t, testenv.MySQL)
	rng := newRand(t)
	kills := count(10, 50)
	assets := count(40, 200)
	const perAsset = 50
	table := fmt.Sprintf("fx_oracle_%08x", rng.Uint32())
	t.Cleanup(func() {
		db := openMySQL(t, target)
		defer db.Close()
		db.Exec("DROP TABLE IF EXISTS `" + table + "`")
		db.Exec("DELETE FROM bh_oracle_checkpoint WHERE name = ?", table)
	})
	r := newRig(t)
	capture := func(a int) {
		var b strings.Builder
		b.WriteString("id,asset,v\n")
		for i := 1; i <= perAsset; i++ {
			fmt.Fprintf(&b, "%d,%d,%08x\n", a*perAsset+i, a, rng.Uint32())
		}
		r.must(strings.NewReader(b.String()), "-q", "pipe", "--type", "text/csv")
	}
	capture(0) // the chain exists before the follower starts
	oracle := []string{"-q", "oracle", "--target", target, "--table", table, "--mode", "insert", "--create"}

	// The feeder captures the rest of the assets while the follower is
	// killed and restarted. (rng is not safe for concurrent use: the
	// feeder gets its own delays up front.)
	gaps := make([]time.Duration, assets)
	for i := range gaps {
		gaps[i] = between(rng, 0, 300*time.Millisecond)
	}
	var feeder sync.WaitGroup
	var feedMu sync.Mutex
	feeder.Add(1)
	go func() {
		defer feeder.Done()
		for a := 1; a < assets; a++ {
			time.Sleep(gaps[a])
			feedMu.Lock()
			capture(a)
			feedMu.Unlock()
		}
	}()
	var early int
	for range kills {
		p := r.start(nil, append(oracle, "--live")...)
		feedMu.Lock()
		d := between(rng, 50*time.Millisecond, 1500*time.Millisecond)
		feedMu.Unlock()
		time.Sleep(d)
		if p.exited() {
			early++
			t.Errorf("oracle --live exited by itself: %s", p.wait())
			continue
		}
		p.kill9()
		p.wait()
	}
	feeder.Wait()
	r.must(nil, oracle...)

	db := openMySQL(t, target)
	defer db.Close()
	var n, distinct int
	if err := db.QueryRow("SELECT COUNT(*), COUNT(DISTINCT id) FROM `"+table+"`").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	want := assets * perAsset
	var pos struct {
		block  string
		height uint64
		index  int
	}
	if err := db.QueryRow("SELECT block, height, asset_index FROM bh_oracle_checkpoint WHERE name = ?", table).
		Scan(&pos.block, &pos.height, &pos.index); err != nil {
		t.Fatalf("read the checkpoint: %v", err)
	}
	blocks := r.walk("")
	tail := blocks[len(blocks)-1]
	atTail := pos.block == tail.ID && pos.height == tail.Height && pos.index == len(tail.Assets)-1
	checkpoint := "checkpoint at the tail"
	if !atTail {
		checkpoint = fmt.Sprintf("checkpoint at height %d asset %d, tail at height %d asset %d", pos.height, pos.index, tail.Height, len(tail.Assets)-1)
	}
	summary(t, "kill9 oracle --live: %d kills, %d rows captured, %d in the table, %d missing, %d doubled, %s",
		kills, want, n, want-distinct, n-distinct, checkpoint)
	if n != want || distinct != want {
		t.Errorf("table holds %d rows (%d distinct ids), want each of %d exactly once", n, distinct, want)
	}
	if !atTail {
		t.Errorf("%s (block %s, tail %s)", checkpoint, pos.block, tail.ID)
	}
}
