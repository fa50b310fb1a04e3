package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blockhub/blockhub/chain"
)

// cooldown is how long a member that failed is asked last (reads) or left
// out (writes, while enough others answer), so a server that is down costs
// one timeout every few seconds rather than one per call.
const cooldown = 5 * time.Second

// member is one store of a cluster, of driver type D.
type member[D io.Closer] struct {
	key  string // URL without credentials or options: orders and places objects
	url  string // redacted, for messages
	open func(context.Context) (D, error)

	mu     sync.Mutex
	d      D
	opened bool
	down   atomic.Int64 // unix nanoseconds until which the member counts as down
}

// get returns the member's driver, opening it first when an earlier open
// failed (a server that was down when the cluster was opened).
func (m *member[D]) get(ctx context.Context) (D, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.opened {
		return m.d, nil
	}
	var zero D
	if !m.healthy() {
		return zero, fmt.Errorf("member %s: could not be opened; trying again in a few seconds", m.url)
	}
	d, err := m.open(ctx)
	if err != nil {
		m.markDown()
		return zero, fmt.Errorf("member %s: %w", m.url, err)
	}
	m.d, m.opened = d, true
	return d, nil
}

func (m *member[D]) healthy() bool { return time.Now().UnixNano() >= m.down.Load() }

func (m *member[D]) markDown() { m.down.Store(time.Now().Add(cooldown).UnixNano()) }

// note records how a call on the member went: a fault (the member did not
// answer) marks it down for a while; any answer marks it up.
func (m *member[D]) note(ctx context.Context, err error, log *slog.Logger) {
	if fault(ctx, err) {
		if m.healthy() {
			log.Warn("cluster: member failed; it is tried last for a while", "member", m.url, "err", err)
		}
		m.markDown()
		return
	}
	if ctx.Err() == nil {
		m.down.Store(0)
	}
}

func (m *member[D]) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.opened {
		return nil
	}
	m.opened = false
	return m.d.Close()
}

// fault reports whether err means the member failed, rather than answered
// (not found, exists, next set, refused bytes) or the caller gave up.
func fault(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	for _, s := range []error{chain.ErrNotFound, chain.ErrExists, chain.ErrNextSet, chain.ErrTampered, chain.ErrInvalid} {
		if errors.Is(err, s) {
			return false
		}
	}
	return true
}

// memberKey is the member's identity in a cluster: its URL without
// credentials or options, so the same members given with credentials from
// the URL or the environment order and place objects the same way.
func memberKey(redacted string) string {
	u, err := url.Parse(redacted)
	if err != nil || u.Scheme == "" {
		return redacted
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	return u.String()
}

// core holds what both kinds of cluster share: members sorted by key, the
// policy and the logger.
type core[D io.Closer] struct {
	members []*member[D]
	keys    []string
	p       Policy
	log     *slog.Logger
}

func newCore[D io.Closer](members []*member[D], p Policy, log *slog.Logger) (*core[D], error) {
	if err := p.check(len(members)); err != nil {
		return nil, err
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].key < members[j].key })
	keys := make([]string, len(members))
	for i, m := range members {
		if i > 0 && m.key == members[i-1].key {
			return nil, fmt.Errorf("cluster: member %s is listed twice", m.url)
		}
		keys[i] = m.key
	}
	return &core[D]{members: members, keys: keys, p: p, log: log}, nil
}

// name is the cluster as printed: its policy and its (redacted) members.
func (c *core[D]) name() string {
	urls := make([]string, len(c.members))
	for i, m := range c.members {
		urls[i] = m.url
	}
	return "cluster:" + c.p.String() + "[" + strings.Join(urls, ",") + "]"
}

// order is the members in the order that decides for object: sorted by
// key for mirror and quorum, by rendezvous weight for shard.
func (c *core[D]) order(object string) []*member[D] {
	if c.p.Kind != Shard {
		return c.members
	}
	idx := rendezvous(c.keys, object)
	out := make([]*member[D], len(idx))
	for j, i := range idx {
		out[j] = c.members[i]
	}
	return out
}

// healthyFirst keeps order but moves members marked down to the end.
func healthyFirst[D io.Closer](order []*member[D]) []*member[D] {
	out := make([]*member[D], 0, len(order))
	var down []*member[D]
	for _, m := range order {
		if m.healthy() {
			out = append(out, m)
		} else {
			down = append(down, m)
		}
	}
	return append(out, down...)
}

// call runs fn on m's driver and notes how it went.
func (c *core[D]) call(ctx context.Context, m *member[D], fn func(context.Context, D) error) error {
	d, err := m.get(ctx)
	if err != nil {
		return err
	}
	err = fn(ctx, d)
	m.note(ctx, err, c.log)
	if fault(ctx, err) {
		return fmt.Errorf("member %s: %w", m.url, err)
	}
	return err
}

// written is how a write went on the members.
type written struct {
	took    int     // members that hold the object now
	existed int     // of those, the ones that held it before
	errs    []error // the members that failed
}

// write runs fn on the members of order that should take an object, as
// writeN does.
func (c *core[D]) write(ctx context.Context, order []*member[D], fn func(context.Context, D) error) written {
	m := len(c.members)
	return c.writeN(ctx, order, c.p.spread(m), c.p.need(m), func(ctx context.Context, mb *member[D]) error {
		return c.call(ctx, mb, fn)
	})
}

// writeN runs fn concurrently on up to want members of order, healthy ones
// first, of which enough must succeed. Members marked down are left out
// while the healthy ones can make enough (they catch up by repair); under
// shard, where want copies are placed, a member that fails is replaced by
// the next one in order.
func (c *core[D]) writeN(ctx context.Context, order []*member[D], want, enough int, fn func(context.Context, *member[D]) error) written {
	cands, first, target := c.pick(order, want, enough)
	results := make(chan error, len(cands))
	launch := func(m *member[D]) {
		go func() { results <- fn(ctx, m) }()
	}
	for _, m := range cands[:first] {
		launch(m)
	}
	var w written
	for next, pending := first, first; pending > 0; {
		err := <-results
		pending--
		switch {
		case err == nil:
			w.took++
		case errors.Is(err, chain.ErrExists):
			w.took++
			w.existed++
		default:
			w.errs = append(w.errs, err)
			if next < len(cands) && w.took+pending < target && ctx.Err() == nil {
				launch(cands[next])
				next++
				pending++
			}
		}
	}
	return w
}

// pick orders the candidates of a write, healthy ones first, and says how
// many to start with (first) and how many successes to aim for (target).
func (c *core[D]) pick(order []*member[D], want, enough int) (cands []*member[D], first, target int) {
	cands = healthyFirst(order)
	healthy := 0
	for _, m := range cands {
		if m.healthy() {
			healthy++
		}
	}
	target = enough
	if c.p.Kind == Shard {
		target = want
	}
	first = min(want, healthy)
	if first < target {
		first = min(target, len(cands))
	}
	return cands, first, target
}

// check turns a write's outcome into the error the driver returns:
// chain.ErrExists when every member that took it had it already, an error
// naming the failures when too few took it.
func (c *core[D]) check(w written) error {
	if need := c.p.need(len(c.members)); w.took < need {
		return fmt.Errorf("%d of the %d members needed (%s) took the write: %w", w.took, need, c.p, joined(w.errs))
	}
	if w.took == w.existed {
		return chain.ErrExists
	}
	return nil
}

// absent is the error for an object no member that answered has: not found
// when enough members answered that a successful write would have been
// seen, else the failures.
func (c *core[D]) absent(notFound int, errs []error) error {
	if len(errs) == 0 || notFound >= len(c.members)-c.p.need(len(c.members))+1 {
		return chain.ErrNotFound
	}
	return fmt.Errorf("not found on %d members, %d failed: %w", notFound, len(errs), joined(errs))
}

// first runs fn on the members of order, healthy ones first, one after the
// other, until one succeeds.
func (c *core[D]) first(ctx context.Context, order []*member[D], fn func(context.Context, D) error) error {
	var (
		notFound int
		errs     []error
	)
	for _, m := range healthyFirst(order) {
		err := c.call(ctx, m, fn)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, chain.ErrNotFound):
			notFound++
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			errs = append(errs, err)
		}
	}
	return c.absent(notFound, errs)
}

// each runs fn on every member concurrently (but those marked down, unless
// all are) and returns their errors, by member index.
func (c *core[D]) each(ctx context.Context, fn func(context.Context, D) error) []error {
	errs := make([]error, len(c.members))
	anyHealthy := false
	for _, m := range c.members {
		anyHealthy = anyHealthy || m.healthy()
	}
	var wg sync.WaitGroup
	for i, m := range c.members {
		if anyHealthy && !m.healthy() {
			errs[i] = fmt.Errorf("member %s: down", m.url)
			continue
		}
		wg.Go(func() { errs[i] = c.call(ctx, m, fn) })
	}
	wg.Wait()
	return errs
}

func (c *core[D]) close() error {
	var errs []error
	for _, m := range c.members {
		if err := m.close(); err != nil {
			errs = append(errs, fmt.Errorf("member %s: %w", m.url, err))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return joined(errs)
}

// joined is several errors on one line; errors.Is and errors.As see each.
type joined []error

func (e joined) Error() string {
	s := make([]string, len(e))
	for i, err := range e {
		s[i] = err.Error()
	}
	return strings.Join(s, "; ")
}

func (e joined) Unwrap() []error { return e }
