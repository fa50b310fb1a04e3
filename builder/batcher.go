package builder

import "time"

// BatchPolicy says when a batch is ready: when it holds Count items, or
// ByteSize bytes, or when its oldest item has waited Period. A zero field
// is no limit (a zero policy makes every Add ready).
type BatchPolicy struct {
	Count    int
	ByteSize int64
	Period   time.Duration
}

// Batcher collects items under a BatchPolicy. It is not safe for
// concurrent use; the Builder guards it.
type Batcher[T any] struct {
	policy BatchPolicy
	items  []T
	bytes  int64
	oldest time.Time
	now    func() time.Time
}

// NewBatcher returns an empty Batcher.
func NewBatcher[T any](p BatchPolicy) *Batcher[T] {
	return &Batcher[T]{policy: p, now: time.Now}
}

// Add appends an item of size bytes and reports whether the batch is ready.
func (b *Batcher[T]) Add(item T, size int64) bool {
	if len(b.items) == 0 {
		b.oldest = b.now()
	}
	b.items = append(b.items, item)
	b.bytes += size
	return b.Ready()
}

// Len is the number of items waiting.
func (b *Batcher[T]) Len() int { return len(b.items) }

// Ready reports whether the batch should be flushed now.
func (b *Batcher[T]) Ready() bool {
	if len(b.items) == 0 {
		return false
	}
	p := b.policy
	return (p.Count == 0 && p.ByteSize == 0 && p.Period == 0) ||
		(p.Count > 0 && len(b.items) >= p.Count) ||
		(p.ByteSize > 0 && b.bytes >= p.ByteSize) ||
		(p.Period > 0 && b.now().Sub(b.oldest) >= p.Period)
}

// UntilNext returns how long until the batch is ready by age: 0 when it is
// ready now, -1 when nothing waits or the policy has no Period.
func (b *Batcher[T]) UntilNext() time.Duration {
	if len(b.items) == 0 {
		return -1
	}
	if b.Ready() {
		return 0
	}
	if b.policy.Period == 0 {
		return -1
	}
	return b.policy.Period - b.now().Sub(b.oldest)
}

// Flush removes and returns up to max items (all when max <= 0), oldest
// first; what stays keeps its age.
func (b *Batcher[T]) Flush(max int) []T {
	n := len(b.items)
	if max > 0 && n > max {
		n = max
	}
	out := make([]T, n)
	copy(out, b.items)
	rest := copy(b.items, b.items[n:])
	clear(b.items[rest:])
	b.items = b.items[:rest]
	if rest == 0 {
		b.bytes = 0
	} else {
		// Sizes are not kept per item; spread the total evenly.
		b.bytes = b.bytes * int64(rest) / int64(rest+n)
	}
	return out
}
