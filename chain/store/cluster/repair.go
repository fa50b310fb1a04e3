package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Report counts what a repair did.
type Report struct {
	Assets int // asset copies made
	Blocks int // block copies made
	Nexts  int // next pointers set
	Roots  int // root markers written for roots a member did not list
	Names  int // name claims copied to members that lacked them
	Split  int // blocks whose members hold different nexts (or names different roots), left as they are
	// Replaced counts asset copies whose bytes did not match their hash,
	// replaced by a good member's copy.
	Replaced int
	// Damaged counts copies that do not check out and were left as they
	// are: block copies (create-only), asset copies on a driver that
	// cannot replace them or of which no member holds a good copy.
	Damaged int
}

// String is the report on one line.
func (r Report) String() string {
	return fmt.Sprintf("copied %d assets, %d blocks, %d nexts, %d root markers, %d name claims; replaced %d damaged asset copies; %d split nexts, %d damaged copies left",
		r.Assets, r.Blocks, r.Nexts, r.Roots, r.Names, r.Replaced, r.Split, r.Damaged)
}

func (r *Report) add(o Report) {
	r.Assets += o.Assets
	r.Blocks += o.Blocks
	r.Nexts += o.Nexts
	r.Roots += o.Roots
	r.Names += o.Names
	r.Split += o.Split
	r.Replaced += o.Replaced
	r.Damaged += o.Damaged
}

// ErrNotCluster is returned by Repair when neither store is a cluster.
var ErrNotCluster = errors.New("not a cluster: nothing to repair (give several store URLs)")

// Repair copies objects back to the members of a and b that lack them; a
// or b may be nil or a single store. See AssetStore.Repair and
// BlockStore.Repair.
func Repair(ctx context.Context, a *store.Assets, b *store.Blocks) (Report, error) {
	var (
		r    Report
		errs []error
		any  bool
	)
	if a != nil {
		if c, ok := a.Driver().(*AssetStore); ok {
			any = true
			got, err := c.Repair(ctx)
			r.add(got)
			if err != nil {
				errs = append(errs, fmt.Errorf("asset store %s: %w", a.URL(), err))
			}
		}
	}
	if b != nil {
		if c, ok := b.Driver().(*BlockStore); ok {
			any = true
			got, err := c.Repair(ctx)
			r.add(got)
			if err != nil {
				errs = append(errs, fmt.Errorf("block store %s: %w", b.URL(), err))
			}
		}
	}
	if !any {
		return r, ErrNotCluster
	}
	if len(errs) > 0 {
		return r, joined(errs)
	}
	return r, nil
}

// placement is the members that should hold object: all of them, or under
// shard the first N of its order.
func (c *core[D]) placement(object string) []*member[D] {
	return c.order(object)[:c.p.spread(len(c.members))]
}

// Repair reads every copy of every asset back and checks it against its
// hash; it gives each asset to the members that should hold it and lack
// it, and replaces each copy whose bytes do not match (on drivers with
// driver.Replacer), both from a member whose copy checks out. It lists
// every member first, keeping the hashes in memory. Members that cannot
// be reached are left out and named in the error; the rest is repaired.
// An asset no member holds a good copy of is counted as damaged and named
// in the error.
func (c *AssetStore) Repair(ctx context.Context) (Report, error) {
	var r Report
	have, hashes, errs := listMembers(ctx, c.members, "assets", func(d driver.AssetStore) iter.Seq2[string, error] { return d.All(ctx) })
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		// Every copy is read back: the good ones are sources, the bad
		// ones are replaced.
		var good, bad []*member[driver.AssetStore]
		failed := false
		for _, m := range c.members {
			if !have[m][h] {
				continue
			}
			switch err := checkAsset(ctx, m, h); {
			case err == nil:
				good = append(good, m)
			case errors.Is(err, chain.ErrTampered):
				bad = append(bad, m)
				c.log.Warn("cluster repair: damaged asset copy", "member", m.url, "asset", h, "err", err)
			default:
				errs = append(errs, err)
				failed = true
			}
		}
		if len(good) == 0 {
			r.Damaged += len(bad)
			if len(bad) > 0 && !failed {
				errs = append(errs, fmt.Errorf("asset %s: no member holds a copy that checks out", h))
			}
			continue
		}
		for _, dst := range bad {
			if err := replaceAsset(ctx, good, dst, h); err != nil {
				r.Damaged++
				if !errors.Is(err, store.ErrCannotReplace) {
					errs = append(errs, err)
				}
				continue
			}
			r.Replaced++
		}
		for _, dst := range c.placement(h) {
			if set, ok := have[dst]; !ok || set[h] {
				continue // unreachable, or holds it (replaced above when bad)
			}
			for _, src := range good {
				created, err := copyAsset(ctx, src, dst, h)
				if err == nil {
					if created {
						r.Assets++
					}
					have[dst][h] = true
					break
				}
				if errors.Is(err, chain.ErrTampered) {
					continue // src went bad since it was read: try the next
				}
				errs = append(errs, err)
				break
			}
		}
	}
	if len(errs) > 0 {
		return r, joined(errs)
	}
	return r, nil
}

// checkAsset reads m's copy of asset h to its end: an error matching
// chain.ErrTampered when its bytes do not match h.
func checkAsset(ctx context.Context, m *member[driver.AssetStore], h string) error {
	d, err := m.get(ctx)
	if err != nil {
		return err
	}
	if err := store.NewAssets(d, m.url).Verify(ctx, h, -1); err != nil {
		return fmt.Errorf("member %s: %w", m.url, err)
	}
	return nil
}

// replaceAsset puts the copy of asset h of the first good member that
// gives it whole in place of dst's damaged copy.
func replaceAsset(ctx context.Context, good []*member[driver.AssetStore], dst *member[driver.AssetStore], h string) error {
	d, err := dst.get(ctx)
	if err != nil {
		return err
	}
	var last error
	for _, src := range good {
		s, err := src.get(ctx)
		if err != nil {
			last = err
			continue
		}
		rc, err := s.Get(ctx, h)
		if err != nil {
			last = fmt.Errorf("member %s: asset %s: %w", src.url, h, err)
			continue
		}
		err = store.NewAssets(d, dst.url).Replace(ctx, h, rc, -1)
		rc.Close()
		if err == nil || errors.Is(err, store.ErrCannotReplace) {
			return err
		}
		last = err
	}
	return last
}

// copyAsset copies asset h from src to dst, checking it against its hash
// on the way (chain.ErrTampered when src's copy is damaged).
func copyAsset(ctx context.Context, src, dst *member[driver.AssetStore], h string) (created bool, err error) {
	s, err := src.get(ctx)
	if err != nil {
		return false, err
	}
	d, err := dst.get(ctx)
	if err != nil {
		return false, err
	}
	rc, err := s.Get(ctx, h)
	if err != nil {
		return false, fmt.Errorf("member %s: asset %s: %w", src.url, h, err)
	}
	defer rc.Close()
	// The portable type checks the bytes against h before dst shows them.
	created, err = store.NewAssets(d, dst.url).Put(ctx, h, rc, -1)
	if errors.Is(err, chain.ErrTampered) {
		return false, fmt.Errorf("member %s: asset %s: %w", src.url, h, chain.ErrTampered)
	}
	return created, err
}

// Repair walks every chain from its root (the roots of all members) and
// gives each block, its next pointer and, for roots, its root marker to
// the members that should hold them and lack them, from a copy that
// checks out. Blocks no chain reaches (a lost racer's) are left alone. A
// member whose next differs from the one the cluster reads is counted as
// split and left as it is, as are damaged copies: stores are create-only.
func (c *BlockStore) Repair(ctx context.Context) (Report, error) {
	var r Report
	listed, roots, errs := listMembers(ctx, c.members, "roots", func(d driver.BlockStore) iter.Seq2[string, error] { return d.Roots(ctx) })
	for _, root := range roots {
		for id := root; id != ""; {
			if err := ctx.Err(); err != nil {
				return r, err
			}
			next, err := c.repairBlock(ctx, id, id == root, listed, &r)
			if err != nil {
				errs = append(errs, err)
				break
			}
			id = next
		}
		if err := c.repairName(ctx, root, &r); err != nil {
			errs = append(errs, fmt.Errorf("root %s: %w", root, err))
		}
	}
	if len(errs) > 0 {
		return r, joined(errs)
	}
	return r, nil
}

// repairBlock repairs one block and returns the next the cluster reads.
func (c *BlockStore) repairBlock(ctx context.Context, id string, root bool, listed map[*member[driver.BlockStore]]map[string]bool, r *Report) (string, error) {
	as := c.gather(ctx, id, true)
	doc, ok := goodDoc(id, as)
	if !ok {
		return "", fmt.Errorf("block %s: no member holds a copy that checks out", id)
	}
	next, _ := c.agree(id, as)
	b, _ := chain.DecodeBlock(doc)
	info := driver.BlockInfo{ID: id, Chain: b.Chain, Prev: b.Prev, Height: b.Height}
	byMember := map[*member[driver.BlockStore]]answer{}
	for _, a := range as {
		byMember[a.m] = a
	}
	var errs []error
	for _, m := range c.placement(id) {
		a := byMember[m]
		if fault(ctx, a.err) {
			continue // unreachable: named by the listing
		}
		d, err := m.get(ctx)
		if err != nil {
			continue
		}
		have, cur := a.err == nil, a.next
		if have {
			if bb, err := chain.DecodeBlock(a.doc); err != nil || bb.ID != id {
				r.Damaged++
				c.log.Warn("cluster repair: damaged block copy", "member", m.url, "block", id)
			}
		}
		if !have || (root && listed[m] != nil && !listed[m][id]) {
			// Create also writes the root marker of a root; drivers write
			// a missing marker again when the block exists.
			err := d.Create(ctx, info, doc)
			switch {
			case err == nil && !have:
				r.Blocks++
				if root {
					r.Roots++
				}
			case err == nil || errors.Is(err, chain.ErrExists):
				if root && have {
					r.Roots++
				}
			default:
				errs = append(errs, fmt.Errorf("member %s: block %s: %w", m.url, id, err))
				continue
			}
		}
		switch {
		case next == "" || cur == next:
		case cur == "":
			err := d.SetNext(ctx, id, next)
			switch {
			case err == nil:
				r.Nexts++
			case errors.Is(err, chain.ErrNextSet):
				r.Split++
			default:
				errs = append(errs, fmt.Errorf("member %s: next of %s: %w", m.url, id, err))
			}
		default:
			r.Split++
			c.log.Warn("cluster repair: member holds another next", "member", m.url, "block", id, "next", cur, "cluster next", next)
		}
	}
	if len(errs) > 0 {
		return next, joined(errs)
	}
	return next, nil
}

// listMembers lists what every member holds (its assets, or its roots):
// the keys of each member that could be listed in full, and every key any
// member holds, sorted. Members that fail are left out and named in errs.
func listMembers[D io.Closer](ctx context.Context, members []*member[D], what string, list func(D) iter.Seq2[string, error]) (have map[*member[D]]map[string]bool, all []string, errs []error) {
	have = make(map[*member[D]]map[string]bool, len(members))
	seen := map[string]bool{}
	for _, m := range members {
		d, err := m.get(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set := map[string]bool{}
		for key, err := range list(d) {
			if err != nil {
				errs = append(errs, fmt.Errorf("member %s: list %s: %w", m.url, what, err))
				set = nil
				break
			}
			set[key] = true
			if !seen[key] {
				seen[key] = true
				all = append(all, key)
			}
		}
		if set != nil {
			have[m] = set
		}
	}
	sort.Strings(all)
	return have, all, errs
}
