package cluster

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// NewAssets makes one asset store of members, spread by p. The cluster
// owns the members: closing it closes them.
func NewAssets(members []*store.Assets, p Policy, opts *store.Options) (*store.Assets, error) {
	ms := make([]*member[driver.AssetStore], len(members))
	for i, a := range members {
		ms[i] = &member[driver.AssetStore]{key: memberKey(a.URL()), url: a.URL(), d: a.Driver(), opened: true}
	}
	return assetsOf(ms, p, opts)
}

// NewBlocks makes one block store of members, spread by p. The cluster
// owns the members: closing it closes them.
func NewBlocks(members []*store.Blocks, p Policy, opts *store.Options) (*store.Blocks, error) {
	ms := make([]*member[driver.BlockStore], len(members))
	for i, b := range members {
		ms[i] = &member[driver.BlockStore]{key: memberKey(b.URL()), url: b.URL(), d: b.Driver(), opened: true}
	}
	return blocksOf(ms, p, opts)
}

func assetsOf(ms []*member[driver.AssetStore], p Policy, opts *store.Options) (*store.Assets, error) {
	c, err := newCore(ms, p, opts.Log())
	if err != nil {
		return nil, err
	}
	return store.NewAssets(&AssetStore{core: c, buffer: bufferMax}, c.name()), nil
}

func blocksOf(ms []*member[driver.BlockStore], p Policy, opts *store.Options) (*store.Blocks, error) {
	c, err := newCore(ms, p, opts.Log())
	if err != nil {
		return nil, err
	}
	return store.NewBlocks(&BlockStore{core: c}, c.name()), nil
}

// OpenAssets opens the asset stores at urls as one, spread by policy (see
// ParsePolicy; "" is mirror). One URL opens that store alone. Members that
// cannot be opened now (a server that is down) are tried again when used,
// as long as enough open for the policy's writes.
func OpenAssets(ctx context.Context, urls []string, policy string, opts *store.Options) (*store.Assets, error) {
	p, err := ParsePolicy(policy)
	if err != nil {
		return nil, err
	}
	if len(urls) == 1 {
		if err := p.check(1); err != nil {
			return nil, err
		}
		return store.OpenAssets(ctx, urls[0], opts)
	}
	ms, err := openMembers(ctx, urls, p, opts, func(ctx context.Context, raw string) (driver.AssetStore, error) {
		a, err := store.OpenAssets(ctx, raw, opts)
		if err != nil {
			return nil, err
		}
		return a.Driver(), nil
	})
	if err != nil {
		return nil, err
	}
	return assetsOf(ms, p, opts)
}

// OpenBlocks opens the block stores at urls as one, spread by policy, as
// OpenAssets does.
func OpenBlocks(ctx context.Context, urls []string, policy string, opts *store.Options) (*store.Blocks, error) {
	p, err := ParsePolicy(policy)
	if err != nil {
		return nil, err
	}
	if len(urls) == 1 {
		if err := p.check(1); err != nil {
			return nil, err
		}
		return store.OpenBlocks(ctx, urls[0], opts)
	}
	ms, err := openMembers(ctx, urls, p, opts, func(ctx context.Context, raw string) (driver.BlockStore, error) {
		b, err := store.OpenBlocks(ctx, raw, opts)
		if err != nil {
			return nil, err
		}
		return b.Driver(), nil
	})
	if err != nil {
		return nil, err
	}
	return blocksOf(ms, p, opts)
}

// openMembers opens every URL at once. URLs that do not parse or name no
// driver fail the whole open; stores that fail to open are kept, to be
// opened when used, while enough others opened for the policy's writes.
func openMembers[D io.Closer](ctx context.Context, urls []string, p Policy, opts *store.Options, open func(context.Context, string) (D, error)) ([]*member[D], error) {
	if err := p.check(len(urls)); err != nil {
		return nil, err
	}
	ms := make([]*member[D], len(urls))
	for i, raw := range urls {
		u, err := store.ParseURL(raw)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(store.Schemes(), u.Scheme) {
			return nil, fmt.Errorf("store %s: unknown scheme %q (known: %v)", store.Redact(raw), u.Scheme, store.Schemes())
		}
		ms[i] = &member[D]{key: memberKey(store.Redact(u.String())), url: store.Redact(raw), open: func(ctx context.Context) (D, error) { return open(ctx, raw) }}
	}
	var (
		wg   sync.WaitGroup
		errs = make([]error, len(ms))
	)
	for i, m := range ms {
		wg.Go(func() { _, errs[i] = m.get(ctx) })
	}
	wg.Wait()
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(ms)-len(failed) < p.need(len(ms)) {
		for _, m := range ms {
			m.close()
		}
		return nil, fmt.Errorf("cluster (%s): %d of %d members could not be opened: %w", p, len(failed), len(ms), joined(failed))
	}
	for _, err := range failed {
		opts.Log().Warn("cluster: member not opened; it is tried again when used", "err", err)
	}
	return ms, nil
}
