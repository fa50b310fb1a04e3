package httpcapture

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// Concurrent commits share flushes, every item is flushed exactly once,
// and each caller gets its own flush's error.
func TestGroupCommit(t *testing.T) {
	var (
		mu      sync.Mutex
		flushed []int
	)
	fail := errors.New("disk full")
	g := newGroupCommit(func(items []int) error {
		time.Sleep(5 * time.Millisecond) // an fsync
		mu.Lock()
		defer mu.Unlock()
		flushed = append(flushed, items...)
		if slices.Contains(items, -1) {
			return fail
		}
		return nil
	})
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := g.Commit(i); err != nil {
				t.Errorf("commit %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if err := g.Commit(-1); !errors.Is(err, fail) {
		t.Errorf("commit of a failing flush: got %v; want %v", err, fail)
	}
	g.Close()
	if err := g.Commit(1); !errors.Is(err, errCommitClosed) {
		t.Errorf("commit after close: got %v; want %v", err, errCommitClosed)
	}
	slices.Sort(flushed)
	want := []int{-1}
	for i := range n {
		want = append(want, i)
	}
	if !slices.Equal(flushed, want) {
		t.Errorf("flushed %d items %v; want each of %d once", len(flushed), flushed, len(want))
	}
	if f := g.Flushes(); f >= n/2 {
		t.Errorf("%d flushes for %d concurrent commits; want them grouped", f, n+1)
	}
	t.Logf("%d commits in %d flushes", n+1, g.Flushes())
}
