package faults

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeRows writes a CSV file of n data rows under a header: id (1..n),
// a name and an amount, random so that no two files are alike.
func writeRows(t *testing.T, rng *rand.Rand, path string, n int) {
	t.Helper()
	if err := os.WriteFile(path, []byte("id,name,amount\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	appendRows(t, rng, path, 0, n)
}

// appendRows appends n rows (ids from+1 on) to the file of writeRows and
// returns the new number of rows.
func appendRows(t *testing.T, rng *rand.Rand, path string, from, n int) int {
	t.Helper()
	var b strings.Builder
	for i := from + 1; i <= from+n; i++ {
		fmt.Fprintf(&b, "%d,name-%d-%08x,%d.%02d\n", i, i, rng.Uint32(), rng.IntN(100000), rng.IntN(100))
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	return from + n
}

// rowCounts reads every asset of the chain above the root as CSV (a
// header line, then rows) and counts each row's id. A row that does not
// match the file's row of that id counts as torn.
func (r *rig) rowCounts(chainName string, file string) (counts map[int]int, torn int) {
	r.t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		r.t.Fatal(err)
	}
	want := map[int]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(src), "\n"), "\n") {
		if i > 0 {
			want[i] = line
		}
	}
	counts = map[int]int{}
	for _, b := range r.walk(chainName) {
		if b.Height == 0 {
			continue
		}
		for _, a := range b.Assets {
			args := []string{"asset", a.Hash}
			if chainName != "" {
				args = append([]string{"--chain", chainName}, args...)
			}
			recs, err := csv.NewReader(strings.NewReader(r.must(nil, args...))).ReadAll()
			if err != nil {
				r.t.Fatalf("asset %s (block %d): %v", a.Hash, b.Height, err)
			}
			for _, rec := range recs[1:] {
				id, err := strconv.Atoi(rec[0])
				if err != nil || want[id] != strings.Join(rec, ",") {
					torn++
					continue
				}
				counts[id]++
			}
		}
	}
	return counts, torn
}

// rowTally compares counts with the ids 1..n: missing are absent,
// doubled are there more than once.
func rowTally(counts map[int]int, n int) (missing, doubled int) {
	for id := 1; id <= n; id++ {
		switch c := counts[id]; {
		case c == 0:
			missing++
		case c > 1:
			doubled++
		}
	}
	return missing, doubled
}

// tempFile is a path in the test's temp folder.
func tempFile(t *testing.T, name string) string {
	return filepath.Join(t.TempDir(), name)
}
