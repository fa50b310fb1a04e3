package httpcapture

import (
	"errors"
	"sync"
	"sync/atomic"
)

// errCommitClosed is returned by Commit after Close.
var errCommitClosed = errors.New("group commit closed")

// groupCommit makes items durable in groups, as a database does with its
// log: every Commit waits while one flush serves all the items that
// arrived since the previous flush began. Under load, one flush (an
// asset-store sync, a journal append and one fsync) serves every request
// in flight, so the cost of durability grows with the number of flushes,
// not of requests.
type groupCommit[T any] struct {
	flush func([]T) error

	mu     sync.Mutex
	queue  []T
	waits  []chan error
	closed bool
	kick   chan struct{}
	done   chan struct{}

	flushes atomic.Int64
}

// newGroupCommit starts a group commit that makes items durable with
// flush, which gets every waiting item at once, from one goroutine.
func newGroupCommit[T any](flush func([]T) error) *groupCommit[T] {
	g := &groupCommit[T]{flush: flush, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go g.run()
	return g
}

// Commit adds item to the next flush and returns that flush's error once
// it is done.
func (g *groupCommit[T]) Commit(item T) error {
	w := make(chan error, 1)
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errCommitClosed
	}
	g.queue = append(g.queue, item)
	g.waits = append(g.waits, w)
	select { // under mu: Close closes kick
	case g.kick <- struct{}{}:
	default: // a flush is already due
	}
	g.mu.Unlock()
	return <-w
}

// Flushes is the number of flushes so far.
func (g *groupCommit[T]) Flushes() int64 { return g.flushes.Load() }

// Close flushes what waits and stops; later Commits fail.
func (g *groupCommit[T]) Close() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.kick)
	}
	g.mu.Unlock()
	<-g.done
}

func (g *groupCommit[T]) run() {
	defer close(g.done)
	for range g.kick {
		for {
			g.mu.Lock()
			items, waits := g.queue, g.waits
			g.queue, g.waits = nil, nil
			g.mu.Unlock()
			if len(items) == 0 {
				break
			}
			err := g.flush(items)
			g.flushes.Add(1)
			for _, w := range waits {
				w <- err
			}
		}
	}
}
