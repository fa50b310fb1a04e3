package faults

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestKill9Pipe kills bhctl pipe at random moments while it captures a
// large stdin, in both of its modes (one asset of all stdin, spooled; and
// fixed-size chunks), then runs it once more to the end, on every store
// driver (the folder store with the largest input). Every run reads fresh
// random bytes, so no two assets are alike and every acknowledged
// (printed) hash must be on the chain exactly once.
func TestKill9Pipe(t *testing.T) {
	needBinary(t)
	for _, d := range drivers {
		t.Run(d.name, func(t *testing.T) {
			size := int64(count(24<<20, 300<<20))
			if d.name != "folder" {
				size = int64(count(8<<20, 64<<20))
			}
			rng := newRand(t)
			kill9Pipe(t, rng, d.rig(t, fmt.Sprintf("pipe%08x", rng.Uint32())), d.name, size, count(10, 50))
		})
	}
}

func kill9Pipe(t *testing.T, rng *rand.Rand, r *rig, store string, size int64, kills int) {
	modes := [][]string{
		{"-q", "pipe", "--chunk-size", "1MiB"},
		{"-q", "pipe"},
	}
	acked := map[string]bool{}
	ack := func(stdout string) {
		for _, h := range printedHashes(stdout) {
			acked[h] = true
		}
	}
	// One whole run of each mode measures how long a run takes, so the
	// kills fall anywhere in it.
	full := make([]time.Duration, len(modes))
	for i, args := range modes {
		start := time.Now()
		ack(r.must(randomBytes(rng.Uint64(), size), args...))
		full[i] = time.Since(start)
	}

	var incomplete []string // verify lines right after a kill
	for i := range kills {
		m := i % len(modes)
		p := r.start(randomBytes(rng.Uint64(), size), modes[m]...)
		time.Sleep(between(rng, 0, full[m]*11/10))
		p.kill9()
		ack(p.wait().stdout)
		if faults, res := r.verify(""); res.code != 0 {
			if len(faults) == 0 {
				t.Errorf("kill %d: verify failed without naming a fault: %s", i+1, res)
			}
			for _, f := range faults {
				incomplete = append(incomplete, f.Error)
			}
		}
	}

	// The re-run completes, and afterwards the chain is sound.
	ack(r.must(randomBytes(rng.Uint64(), size), modes[0]...))
	faults, res := r.verify("", "--assets", "--orphans")
	verdict := "verify clean"
	if res.code != 0 {
		verdict = "verify FAILED"
		t.Errorf("verify --assets after the re-run: %s", res)
	}
	orphans := strings.Count(res.stdout, `"orphan"`)
	left := r.leftovers()
	lost, dup := tally(acked, r.onChain(""))

	summary(t, "kill9 pipe %s: %d kills (%d MiB stdin), %d acknowledged, %d lost, %d duplicated, %s, %d incomplete after a kill, %s left, %d orphan assets",
		store, kills, size>>20, len(acked), len(lost), len(dup), verdict, len(incomplete), plural(len(left), "temp file"), orphans)
	if len(faults) > 0 {
		t.Errorf("faults after the re-run: %v", faults)
	}
	if len(lost) > 0 {
		t.Errorf("%d acknowledged hashes are not on the chain, e.g. %s", len(lost), lost[0])
	}
	if len(dup) > 0 {
		t.Errorf("%d acknowledged hashes are on the chain more than once, e.g. %s", len(dup), dup[0])
	}
	if len(left) > 0 {
		t.Errorf("killed runs left %d files behind after the re-run (a spool outside the store, or tmp/ not cleaned), e.g. %s", len(left), left[0])
	}
}
