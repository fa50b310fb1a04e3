package faults

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestRacingWriters starts 4 processes at once, each running bhctl pipe
// 25 times in a row, on a chain that exists and on one that does not yet
// (its first writers race to create it), on every store driver. Every
// printed hash must be on the chain its name resolves to, exactly once;
// the chain must not fork. Extra chains of the name are counted.
func TestRacingWriters(t *testing.T) {
	needBinary(t)
	const writers, pipes = 4, 25
	trials := count(1, 5)
	for _, d := range drivers {
		for _, existing := range []bool{true, false} {
			kind := "new chain"
			if existing {
				kind = "existing chain"
			}
			t.Run(d.name+"/"+strings.ReplaceAll(kind, " ", "_"), func(t *testing.T) {
				rng := newRand(t)
				var acked, lost, dup, forks, extra, failed int
				for trial := range trials {
					tag := fmt.Sprintf("race%08x", rng.Uint32())
					r := d.rig(t, tag)
					name := "race-" + tag
					if existing {
						r.must(nil, "-q", "chain", "create", name)
					}
					hashes := map[string]bool{}
					var mu sync.Mutex
					var wg sync.WaitGroup
					start := make(chan struct{})
					for w := range writers {
						wg.Add(1)
						go func() {
							defer wg.Done()
							<-start
							for i := range pipes {
								body := fmt.Sprintf("trial %d writer %d pipe %d %s\n", trial, w, i, tag)
								res := r.run(strings.NewReader(body), "-q", "--chain", name, "pipe")
								mu.Lock()
								if res.code != 0 {
									failed++
									t.Errorf("writer %d pipe %d: %s", w, i, res)
								}
								for _, h := range printedHashes(res.stdout) {
									hashes[h] = true
								}
								mu.Unlock()
							}
						}()
					}
					close(start)
					wg.Wait()
					acked += len(hashes)
					l, du := tally(hashes, r.onChain(name))
					lost += len(l)
					dup += len(du)
					faults, res := r.verify(name)
					for _, f := range faults {
						if f.Problem == "fork" {
							forks++
						}
					}
					if res.code != 0 {
						t.Errorf("verify: %s", res)
					}
					if n := r.chainsNamed(name); n != 1 {
						extra += n - 1
					}
				}
				summary(t, "race %s %s: %d trials of %dx%d pipes, %d acknowledged, %d lost, %d duplicated, %d forks, %d extra chains of the name, %d failed",
					d.name, kind, trials, writers, pipes, acked, lost, dup, forks, extra, failed)
				// Extra roots of the name are reported, not failed: a fix
				// may leave the losers' empty roots behind as long as
				// every hash is on the chain the name resolves to.
				if lost > 0 || dup > 0 || forks > 0 {
					t.Errorf("want 0 lost, 0 duplicated, 0 forks")
				}
			})
		}
	}
}

// chainsNamed counts the chains whose name is name.
func (r *rig) chainsNamed(name string) int {
	r.t.Helper()
	n := 0
	for line := range strings.Lines(r.must(nil, "chain", "list", "-o", "json")) {
		var c struct {
			Name string `json:"name"`
		}
		if json.Unmarshal([]byte(line), &c) == nil && c.Name == name {
			n++
		}
	}
	return n
}
