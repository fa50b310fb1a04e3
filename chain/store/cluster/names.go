package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// ClaimName implements driver.BlockStore with the rule SetNext follows.
// The members are taken in the name key's order, healthy ones first; the
// first one that answers decides. When it holds a claim for another root,
// that root is the answer and nothing is written elsewhere. When it took
// root, the others take it too and the claim holds when as many members as
// the policy needs hold it. When they do not (a racer saw another first
// member while one was down), the answer is what a read decides
// (NameClaim), so the caller links onto the root every reader finds.
func (c *BlockStore) ClaimName(ctx context.Context, key, name, root string) (string, error) {
	order := healthyFirst(c.order(key))
	var errs []error
	arbiter := -1
	for i, m := range order {
		var won string
		err := c.call(ctx, m, func(ctx context.Context, d driver.BlockStore) (err error) {
			won, err = d.ClaimName(ctx, key, name, root)
			return err
		})
		if err == nil {
			if won != root {
				return won, nil
			}
			arbiter = i
			break
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		errs = append(errs, err)
	}
	if arbiter < 0 {
		return "", fmt.Errorf("no member took the name claim: %w", joined(errs))
	}
	n := len(c.members)
	w := c.writeN(ctx, order[arbiter+1:], c.p.spread(n)-1, c.p.need(n)-1, func(ctx context.Context, m *member[driver.BlockStore]) error {
		return c.call(ctx, m, func(ctx context.Context, d driver.BlockStore) error {
			won, err := d.ClaimName(ctx, key, name, root)
			if err == nil && won != root {
				return fmt.Errorf("member %s: %w: name claimed for %s", m.url, errNameSplit, won)
			}
			return err
		})
	})
	took := w.took + 1 // and the arbiter
	var conflicts []error
	for _, err := range w.errs {
		if errors.Is(err, errNameSplit) {
			conflicts = append(conflicts, err)
		} else {
			errs = append(errs, err)
		}
	}
	if len(conflicts) > 0 {
		c.log.Warn("cluster: members disagree on a name claim; run repair", "name", name, "root", root, "err", joined(conflicts))
	}
	if need := c.p.need(n); took < need {
		if len(conflicts) > 0 {
			return c.NameClaim(ctx, key)
		}
		return "", fmt.Errorf("name claimed on %d of the %d members needed (%s); claiming it again completes it: %w", took, need, c.p, joined(errs))
	}
	return root, nil
}

// errNameSplit marks a member that holds another root's claim.
var errNameSplit = errors.New("members disagree on a name claim")

// NameClaim implements driver.BlockStore. Every member is asked; when
// they disagree, the root a write quorum holds wins, failing that the one
// held by the first member in the key's order (the one that decides
// ClaimName), as Get does for next.
func (c *BlockStore) NameClaim(ctx context.Context, key string) (string, error) {
	order := c.order(key)
	roots := make([]string, len(order))
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	for i, m := range order {
		wg.Go(func() {
			errs[i] = c.call(ctx, m, func(ctx context.Context, d driver.BlockStore) (err error) {
				roots[i], err = d.NameClaim(ctx, key)
				return err
			})
		})
	}
	wg.Wait()
	count := map[string]int{}
	first := ""
	notFound := 0
	var failed []error
	for i := range order {
		switch {
		case errs[i] == nil:
			count[roots[i]]++
			if first == "" {
				first = roots[i]
			}
		case errors.Is(errs[i], chain.ErrNotFound):
			notFound++
		default:
			failed = append(failed, errs[i])
		}
	}
	if len(count) == 0 {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return "", c.absent(notFound, failed)
	}
	if len(count) == 1 {
		return first, nil
	}
	for r, k := range count {
		if k >= c.p.need(len(c.members)) {
			c.log.Warn("cluster: members disagree on a name claim; the one a quorum holds wins", "key", key, "root", r)
			return r, nil
		}
	}
	c.log.Warn("cluster: members disagree on a name claim; the first member's wins", "key", key, "root", first)
	return first, nil
}

// repairName gives the claim of the name of root to the members that
// should hold it and lack it, when the cluster's claim names root (a
// member that was down when the chain was created). A name without a
// claim (a chain made before claims) is left to the next Resolve to
// claim; a member holding another root's claim is counted as split.
func (c *BlockStore) repairName(ctx context.Context, root string, r *Report) error {
	doc, _, err := c.Get(ctx, root)
	if err != nil {
		return err
	}
	b, err := chain.DecodeBlock(doc)
	if err != nil {
		return nil // repairBlock reports it
	}
	s, err := chain.RootSettings(b)
	if err != nil {
		return nil
	}
	key := store.NameKey(s.Name)
	won, err := c.NameClaim(ctx, key)
	if errors.Is(err, chain.ErrNotFound) || (err == nil && won != root) {
		return nil // unclaimed, or a root that lost the name
	}
	if err != nil {
		return fmt.Errorf("name %q: %w", s.Name, err)
	}
	var errs []error
	for _, m := range c.placement(key) {
		var cur string
		err := c.call(ctx, m, func(ctx context.Context, d driver.BlockStore) (err error) {
			cur, err = d.NameClaim(ctx, key)
			if errors.Is(err, chain.ErrNotFound) {
				if cur, err = d.ClaimName(ctx, key, s.Name, root); err == nil && cur == root {
					r.Names++
				}
			}
			return err
		})
		switch {
		case fault(ctx, err):
			continue // unreachable: the listing named it
		case err != nil:
			errs = append(errs, fmt.Errorf("member %s: name %q: %w", m.url, s.Name, err))
		case cur != root:
			r.Split++
			c.log.Warn("cluster repair: member holds another root's name claim", "member", m.url, "name", s.Name, "root", cur, "cluster root", root)
		}
	}
	if len(errs) > 0 {
		return joined(errs)
	}
	return nil
}
