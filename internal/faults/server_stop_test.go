package faults

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestServerStopped kills the store server (a private MariaDB, MinIO or
// FerretDB) in the middle of bhctl import csv --prevent-dups: the command
// must fail with one clear line naming the store, print nothing but the
// hashes it linked, and, once the server is back, a re-run must complete
// with every row of the file on the chain exactly once.
func TestServerStopped(t *testing.T) {
	needBinary(t)
	stores := []struct {
		name   string
		scheme string
		start  func(*testing.T) *server
	}{
		{"mariadb", "mysql://", privateMariaDB},
		{"minio", "s3://", privateMinIO},
		{"ferretdb", "mongodb://", privateFerretDB},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			rng := newRand(t)
			srv := st.start(t)
			srv.up()
			trials := count(1, 5)
			var bad, missing, doubled, torn, lost int
			var slowest time.Duration // from the stop to the command's exit
			var lines []string
			for trial := range trials {
				r := newRig(t).withStores(srv.url)
				name := fmt.Sprintf("stop-%d-%08x", trial, rng.Uint32())
				rows := count(20000, 50000)
				file := tempFile(t, "orders.csv")
				writeRows(t, rng, file, rows)
				args := []string{"-q", "--chain", name, "import", "csv", file, "--rows", "100", "--prevent-dups", "--sensitive", "off"}
				acked := map[string]bool{}

				// Start the import and stop the server once the import has
				// linked something; a run that ends first makes the file
				// grow and goes again.
				var res result
				for try := 0; ; try++ {
					if try == 5 {
						t.Fatalf("the import always ended before the server was stopped")
					}
					p := r.start(nil, args...)
					deadline := time.Now().Add(60 * time.Second)
					for !p.exited() && len(printedHashes(p.stdout.String())) == 0 && time.Now().Before(deadline) {
						time.Sleep(5 * time.Millisecond)
					}
					time.Sleep(between(rng, 0, 200*time.Millisecond))
					if p.exited() {
						for _, h := range printedHashes(p.wait().stdout) {
							acked[h] = true
						}
						rows = appendRows(t, rng, file, rows, rows)
						continue
					}
					srv.kill()
					stopped := time.Now()
					if !p.waitFor(2 * time.Minute) {
						p.kill9()
						t.Errorf("bhctl import still ran 2 minutes after %s was stopped", srv.name)
					}
					res = p.wait()
					if res.code == 0 {
						// It had written its last block before the stop
						// (a success, rightly reported): start the
						// server again and go on with a longer file.
						for _, h := range printedHashes(res.stdout) {
							acked[h] = true
						}
						srv.up()
						rows = appendRows(t, rng, file, rows, rows)
						continue
					}
					slowest = max(slowest, time.Since(stopped))
					break
				}
				for _, h := range printedHashes(res.stdout) {
					acked[h] = true
				}
				if err := oneClearLine(res, st.scheme); err != nil {
					bad++
					t.Errorf("import after %s stopped: %v: %s", srv.name, err, res)
				}
				lines = append(lines, strings.TrimSpace(res.stderr))
				for line := range strings.Lines(res.stdout) {
					if !hashLine.MatchString(strings.TrimSuffix(line, "\n")) {
						t.Errorf("stdout holds more than linked hashes: %q", line)
						break
					}
				}

				srv.up()
				for _, h := range printedHashes(r.must(nil, args...)) {
					acked[h] = true
				}
				if _, res := r.verify(name, "--assets"); res.code != 0 {
					t.Errorf("verify --assets after the re-run: %s", res)
				}
				l, _ := tally(acked, r.onChain(name))
				lost += len(l)
				counts, tr := r.rowCounts(name, file)
				m, d := rowTally(counts, rows)
				missing, doubled, torn = missing+m, doubled+d, torn+tr
			}
			summary(t, "%s stopped mid-import: %d trials, failed within %.1fs, %d without one clear line, %d rows missing, %d doubled, %d torn, %d acknowledged assets lost after the re-run",
				srv.name, trials, slowest.Seconds(), bad, missing, doubled, torn, lost)
			t.Logf("%s: first error line: %s", srv.name, first(lines))
			if missing > 0 || doubled > 0 || torn > 0 || lost > 0 {
				t.Errorf("want every row exactly once and nothing acknowledged lost")
			}
		})
	}
}
