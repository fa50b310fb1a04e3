package faults

import (
	"strings"
	"testing"
	"time"
)

// TestKill9ImportCSV kills bhctl import csv --prevent-dups at random
// moments while it captures a large file, again and again (each run goes
// on where the last one stopped), then runs it to the end: every row of
// the file must be on the chain exactly once, and a last run must find
// nothing new.
func TestKill9ImportCSV(t *testing.T) {
	needBinary(t)
	rng := newRand(t)
	rows := count(20000, 200000)
	kills := count(10, 50)
	file := tempFile(t, "orders.csv")
	writeRows(t, rng, file, rows)
	args := []string{"-q", "import", "csv", file, "--rows", "250", "--prevent-dups", "--sensitive", "off"}

	// A whole run on a throwaway rig measures the import.
	start := time.Now()
	newRig(t).must(nil, args...)
	full := time.Since(start)

	r := newRig(t)
	acked := map[string]bool{}
	ack := func(stdout string) {
		for _, h := range printedHashes(stdout) {
			acked[h] = true
		}
	}
	var incomplete, hit, grown int
	for try := 0; hit < kills && try < 5*kills; try++ {
		// Each run resumes, so a kill within twice a run's share of the
		// import lands anywhere in the file over the series.
		p := r.start(nil, args...)
		time.Sleep(between(rng, 0, 2*full/time.Duration(kills)+50*time.Millisecond))
		if p.exited() {
			// That run captured the whole file: the file grows (whole
			// rows), and the next kill falls in its new part.
			ack(p.wait().stdout)
			rows = appendRows(t, rng, file, rows, rows/10)
			grown++
			continue
		}
		hit++
		p.kill9()
		ack(p.wait().stdout)
		faults, res := r.verify("")
		if res.code != 0 && len(acked) == 0 && len(faults) == 0 && strings.Contains(res.stderr, "not found") {
			continue // killed before it made the chain: nothing to check yet
		}
		if res.code != 0 {
			incomplete++
			if len(faults) == 0 {
				t.Errorf("kill %d: verify failed without naming a fault: %s", hit, res)
			}
		}
	}
	ack(r.must(nil, args...))
	again := r.must(nil, args...)
	if n := len(printedHashes(again)); n != 0 {
		t.Errorf("a run after the complete one captured %d assets again", n)
	}
	_, res := r.verify("", "--assets")
	verdict := "verify clean"
	if res.code != 0 {
		verdict = "verify FAILED"
		t.Errorf("verify --assets after the re-run: %s", res)
	}
	lost, dup := tally(acked, r.onChain(""))
	counts, torn := r.rowCounts("", file)
	missing, doubled := rowTally(counts, rows)

	summary(t, "kill9 import csv: %d kills, %d rows (the file grew %d times), %d missing, %d doubled, %d torn, %d acknowledged assets lost, %d duplicated, %s, %d incomplete after a kill",
		hit, rows, grown, missing, doubled, torn, len(lost), len(dup), verdict, incomplete)
	if missing > 0 || doubled > 0 || torn > 0 {
		t.Errorf("after the re-run: %d rows missing, %d doubled, %d torn (want every row exactly once)", missing, doubled, torn)
	}
	if len(lost) > 0 || len(dup) > 0 {
		t.Errorf("%d acknowledged assets lost, %d duplicated", len(lost), len(dup))
	}
}
