package cluster

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// BlockStore is a cluster of block stores; it implements driver.BlockStore,
// driver.TailHinter and driver.NextWaiter, and NewBlocks wraps it in a
// store.Blocks.
type BlockStore struct {
	*core[driver.BlockStore]
}

var (
	_ driver.BlockStore = (*BlockStore)(nil)
	_ driver.TailHinter = (*BlockStore)(nil)
	_ driver.NextWaiter = (*BlockStore)(nil)
)

// Create implements driver.BlockStore.
func (c *BlockStore) Create(ctx context.Context, info driver.BlockInfo, doc []byte) error {
	return c.check(c.write(ctx, c.order(info.ID), func(ctx context.Context, d driver.BlockStore) error {
		return d.Create(ctx, info, doc)
	}))
}

// answer is one member's reply to a block read.
type answer struct {
	m    *member[driver.BlockStore]
	doc  []byte
	next string
	err  error
}

// gather reads block id from the members of its order, healthy first, in
// waves, until enough answered (Policy.reads) and one had the block, or,
// with all, from every member.
func (c *BlockStore) gather(ctx context.Context, id string, all bool) []answer {
	cands := healthyFirst(c.order(id))
	want := c.p.reads(len(c.members))
	var out []answer
	for asked := 0; asked < len(cands); {
		answered, found := tally(out)
		if !all && answered >= want && found > 0 {
			break
		}
		k := max(want-answered, 1)
		if all {
			k = len(cands) - asked
		}
		k = min(k, len(cands)-asked)
		wave := make([]answer, k)
		var wg sync.WaitGroup
		for i, m := range cands[asked : asked+k] {
			wg.Go(func() {
				a := answer{m: m}
				a.err = c.call(ctx, m, func(ctx context.Context, d driver.BlockStore) (err error) {
					a.doc, a.next, err = d.Get(ctx, id)
					return err
				})
				wave[i] = a
			})
		}
		wg.Wait()
		asked += k
		out = append(out, wave...)
		if ctx.Err() != nil {
			break
		}
	}
	return out
}

// tally counts the members that answered (had the block or said it is not
// there) and those that had it.
func tally(as []answer) (answered, found int) {
	for _, a := range as {
		switch {
		case a.err == nil:
			answered++
			found++
		case errors.Is(a.err, chain.ErrNotFound):
			answered++
		}
	}
	return answered, found
}

// Get implements driver.BlockStore. The document comes from the first
// member of the block's order that has a copy that checks out. When the
// members read disagree on next, every member is asked and the next held
// by as many members as a write needs wins; failing that, the one held by
// the first member in the block's order (the one that decides SetNext).
func (c *BlockStore) Get(ctx context.Context, id string) ([]byte, string, error) {
	as := c.gather(ctx, id, false)
	doc, ok := goodDoc(id, as)
	if !ok && len(as) < len(c.members) && ctx.Err() == nil {
		as = c.gather(ctx, id, true) // a copy was bad: look at every member
		doc, ok = goodDoc(id, as)
	}
	if doc == nil {
		if err := ctx.Err(); err != nil {
			return nil, "", err
		}
		var errs []error
		notFound := 0
		for _, a := range as {
			if errors.Is(a.err, chain.ErrNotFound) {
				notFound++
			} else if a.err != nil {
				errs = append(errs, a.err)
			}
		}
		return nil, "", c.absent(notFound, errs)
	}
	next, agreed := c.agree(id, as)
	if !agreed && len(as) < len(c.members) && ctx.Err() == nil {
		as = c.gather(ctx, id, true)
		next, _ = c.agree(id, as)
	}
	return doc, next, nil
}

// goodDoc returns the first document among the answers that decodes and
// hashes to id; when none does, the first one (the caller reports it) and
// false.
func goodDoc(id string, as []answer) ([]byte, bool) {
	var first []byte
	for _, a := range as {
		if a.err != nil {
			continue
		}
		if first == nil {
			first = a.doc
		}
		if b, err := chain.DecodeBlock(a.doc); err == nil && b.ID == id {
			return a.doc, true
		}
	}
	return first, false
}

// agree returns the next the answers hold, and false when they hold more
// than one (the caller then asks every member and calls again).
func (c *BlockStore) agree(id string, as []answer) (string, bool) {
	count := map[string]int{}
	for _, a := range as {
		if a.err == nil && a.next != "" {
			count[a.next]++
		}
	}
	switch len(count) {
	case 0:
		return "", true
	case 1:
		for n := range count {
			return n, true
		}
	}
	for n, k := range count {
		if k >= c.p.need(len(c.members)) {
			c.log.Warn("cluster: members disagree on a next; the one a quorum holds wins (a member holds a lost racer's next)", "block", id, "next", n)
			return n, false
		}
	}
	// No value reached a quorum: the first member in the block's order
	// that holds a next decides, as it does in SetNext.
	for _, m := range c.order(id) {
		for _, a := range as {
			if a.m == m && a.err == nil && a.next != "" {
				c.log.Warn("cluster: members disagree on a next; the first member's wins", "block", id, "next", a.next, "member", m.url)
				return a.next, false
			}
		}
	}
	return "", false
}

// SetNext implements driver.BlockStore.
//
// The members are taken in the block's order (sorted by URL; by
// rendezvous weight under shard), healthy ones first. The first member
// that answers decides: when it says next is set to another block, the
// caller lost (chain.ErrNextSet) and nothing was written anywhere. When it
// took next, the others are set too, at once, and the call succeeds when
// as many members as the policy needs hold next. A member that lacks the
// block (it was down when the block was written) gets a copy first.
func (c *BlockStore) SetNext(ctx context.Context, id, next string) error {
	order := healthyFirst(c.order(id))
	h := &healer{c: c, id: id}
	setOn := func(ctx context.Context, m *member[driver.BlockStore]) error {
		set := func(ctx context.Context, d driver.BlockStore) error { return d.SetNext(ctx, id, next) }
		err := c.call(ctx, m, set)
		if !errors.Is(err, chain.ErrNotFound) {
			return err
		}
		if err := h.copyTo(ctx, m); err != nil {
			return err
		}
		return c.call(ctx, m, set)
	}
	var errs []error
	arbiter := -1
	for i, m := range order {
		err := setOn(ctx, m)
		if err == nil {
			arbiter = i
			break
		}
		if errors.Is(err, chain.ErrNextSet) || errors.Is(err, chain.ErrNotFound) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		errs = append(errs, err)
	}
	if arbiter < 0 {
		return fmt.Errorf("no member took the next: %w", joined(errs))
	}
	m := len(c.members)
	w := c.writeN(ctx, order[arbiter+1:], c.p.spread(m)-1, c.p.need(m)-1, setOn)
	took := w.took + 1 // and the arbiter
	var conflicts []error
	for _, err := range w.errs {
		if errors.Is(err, chain.ErrNextSet) {
			conflicts = append(conflicts, err)
		} else {
			errs = append(errs, err)
		}
	}
	if need := c.p.need(len(c.members)); took < need {
		if len(conflicts) > 0 {
			return fmt.Errorf("%w: %d of the %d members needed hold this next, others another: %w", chain.ErrNextSet, took, need, joined(conflicts))
		}
		return fmt.Errorf("next set on %d of the %d members needed (%s); setting it again completes it: %w", took, need, c.p, joined(errs))
	}
	if len(conflicts) > 0 {
		c.log.Warn("cluster: members disagree on a next; run repair", "block", id, "next", next, "err", joined(conflicts))
	}
	return nil
}

// healer copies a block to members that lack it, fetching it once.
type healer struct {
	c  *BlockStore
	id string

	mu   sync.Mutex
	info driver.BlockInfo
	doc  []byte
}

// copyTo creates the block on m from a copy another member holds that
// checks out; chain.ErrNotFound when no member has one.
func (h *healer) copyTo(ctx context.Context, m *member[driver.BlockStore]) error {
	h.mu.Lock()
	if h.doc == nil {
		doc, ok := goodDoc(h.id, h.c.gather(ctx, h.id, true))
		if !ok {
			h.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return err
			}
			return chain.ErrNotFound
		}
		b, _ := chain.DecodeBlock(doc)
		h.doc, h.info = doc, driver.BlockInfo{ID: b.ID, Chain: b.Chain, Prev: b.Prev, Height: b.Height}
	}
	info, doc := h.info, h.doc
	h.mu.Unlock()
	err := h.c.call(ctx, m, func(ctx context.Context, d driver.BlockStore) error { return d.Create(ctx, info, doc) })
	if errors.Is(err, chain.ErrExists) {
		return nil
	}
	return err
}

// Roots implements driver.BlockStore: the roots of every member, once
// each (see AssetStore.All).
func (c *BlockStore) Roots(ctx context.Context) iter.Seq2[string, error] {
	return union(ctx, c.core, func(ctx context.Context, d driver.BlockStore) iter.Seq2[string, error] {
		return d.Roots(ctx)
	})
}

// TailHint implements driver.TailHinter: the first member's hint that
// answers. A stale or missing hint only costs a longer walk.
func (c *BlockStore) TailHint(ctx context.Context, chainID string) (string, error) {
	var id string
	err := c.first(ctx, c.members, func(ctx context.Context, d driver.BlockStore) (err error) {
		h, ok := d.(driver.TailHinter)
		if !ok {
			return chain.ErrNotFound
		}
		id, err = h.TailHint(ctx, chainID)
		return err
	})
	return id, err
}

// SetTailHint implements driver.TailHinter on every member that keeps
// hints; it succeeds when one took it.
func (c *BlockStore) SetTailHint(ctx context.Context, chainID, id string) error {
	errs := c.each(ctx, func(ctx context.Context, d driver.BlockStore) error {
		if h, ok := d.(driver.TailHinter); ok {
			return h.SetTailHint(ctx, chainID, id)
		}
		return chain.ErrNotFound
	})
	for _, err := range errs {
		if err == nil {
			return nil
		}
	}
	return joined(errs)
}

// WaitNext implements driver.NextWaiter with the first healthy member that
// can watch; with none, it fails and the caller polls.
func (c *BlockStore) WaitNext(ctx context.Context, id string, timeout time.Duration) error {
	for _, m := range healthyFirst(c.order(id)) {
		d, err := m.get(ctx)
		if err != nil {
			continue
		}
		if w, ok := d.(driver.NextWaiter); ok {
			return w.WaitNext(ctx, id, timeout)
		}
	}
	return errors.New("no member can watch for next")
}

// Close implements driver.BlockStore; it closes every member.
func (c *BlockStore) Close() error { return c.close() }
