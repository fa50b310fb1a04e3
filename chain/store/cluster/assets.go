package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/blockhub/blockhub/chain/store/internal/pieces"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// AssetStore is a cluster of asset stores; it implements
// driver.AssetStore, and NewAssets wraps it in a store.Assets.
type AssetStore struct {
	*core[driver.AssetStore]
	buffer int64 // assets up to this size are buffered, larger ones streamed
}

var _ driver.AssetStore = (*AssetStore)(nil)

// bufferMax is the largest asset held in memory while it is written: the
// members then get it from memory, and under shard a member that fails is
// replaced by the next one. Larger assets stream to their members at once.
const bufferMax = 16 << 20

// Put implements driver.AssetStore.
func (c *AssetStore) Put(ctx context.Context, hash string, r io.Reader, size int64) error {
	head, done, err := pieces.ReadUpTo(r, size, c.buffer)
	if err != nil {
		return err // the bytes did not check out: no member saw them
	}
	order := c.order(hash)
	if done {
		w := c.write(ctx, order, func(ctx context.Context, d driver.AssetStore) error {
			return d.Put(ctx, hash, bytes.NewReader(head), int64(len(head)))
		})
		return c.check(w)
	}
	return c.check(c.stream(ctx, order, hash, io.MultiReader(bytes.NewReader(head), r), size))
}

// stream writes a large asset to the spread of order at once, through one
// pipe per member; when src fails (the bytes do not match the hash) every
// pipe fails with it, so no member makes the asset visible. A member that
// fails mid-way drops out; none can take its place, the bytes being gone.
func (c *AssetStore) stream(ctx context.Context, order []*member[driver.AssetStore], hash string, src io.Reader, size int64) written {
	m := len(c.members)
	cands, first, _ := c.pick(order, c.p.spread(m), c.p.need(m))
	targets := cands[:first]
	pipes := make([]*io.PipeWriter, len(targets))
	results := make(chan error, len(targets))
	for i, m := range targets {
		pr, pw := io.Pipe()
		pipes[i] = pw
		go func() {
			err := c.call(ctx, m, func(ctx context.Context, d driver.AssetStore) error {
				return d.Put(ctx, hash, pr, size)
			})
			if err == nil || errors.Is(err, chain.ErrExists) {
				pr.Close()
			} else {
				pr.CloseWithError(err)
			}
			results <- err
		}()
	}
	srcErr := fanOut(src, pipes)
	var w written
	for range targets {
		err := <-results
		switch {
		case srcErr != nil:
		case err == nil:
			w.took++
		case errors.Is(err, chain.ErrExists):
			w.took++
			w.existed++
		default:
			w.errs = append(w.errs, err)
		}
	}
	if srcErr != nil {
		w.took, w.existed, w.errs = 0, 0, []error{srcErr}
	}
	return w
}

// fanOut copies src to every pipe still open and closes them with src's
// end: nil, or src's error.
func fanOut(src io.Reader, pipes []*io.PipeWriter) error {
	buf := make([]byte, 256<<10)
	live := append([]*io.PipeWriter(nil), pipes...)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			kept := live[:0]
			for _, pw := range live {
				// A member that stopped reading (it failed, or found the
				// asset there) closed its end: leave it.
				if _, werr := pw.Write(buf[:n]); werr == nil {
					kept = append(kept, pw)
				}
			}
			live = kept
		}
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			for _, pw := range pipes {
				if err != nil {
					pw.CloseWithError(err)
				} else {
					pw.Close()
				}
			}
			return err
		}
	}
}

// Get implements driver.AssetStore: the first member that has the asset,
// in the asset's order, healthy members first.
func (c *AssetStore) Get(ctx context.Context, hash string) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := c.first(ctx, c.order(hash), func(ctx context.Context, d driver.AssetStore) (err error) {
		rc, err = d.Get(ctx, hash)
		return err
	})
	return rc, err
}

// Stat implements driver.AssetStore.
func (c *AssetStore) Stat(ctx context.Context, hash string) (int64, error) {
	var n int64
	err := c.first(ctx, c.order(hash), func(ctx context.Context, d driver.AssetStore) (err error) {
		n, err = d.Stat(ctx, hash)
		return err
	})
	return n, err
}

// All implements driver.AssetStore: every hash any member holds, once. It
// keeps the hashes seen in memory. A member that cannot list is left out
// while enough others list that every asset written with success is seen;
// otherwise its error ends the listing.
func (c *AssetStore) All(ctx context.Context) iter.Seq2[string, error] {
	return union(ctx, c.core, func(ctx context.Context, d driver.AssetStore) iter.Seq2[string, error] {
		return d.All(ctx)
	})
}

// union yields, once each, the names list yields on every member.
func union[D io.Closer](ctx context.Context, c *core[D], list func(context.Context, D) iter.Seq2[string, error]) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		seen := map[string]struct{}{}
		var errs []error
		for _, m := range c.members {
			d, err := m.get(ctx)
			if err == nil {
				err = func() error {
					for name, err := range list(ctx, d) {
						if err != nil {
							return err
						}
						if _, ok := seen[name]; ok {
							continue
						}
						seen[name] = struct{}{}
						if !yield(name, nil) {
							return errStop
						}
					}
					return nil
				}()
				if err == errStop {
					return
				}
				m.note(ctx, err, c.log)
			}
			if ctx.Err() != nil {
				yield("", ctx.Err())
				return
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("member %s: %w", m.url, err))
			}
		}
		if len(errs) > 0 && len(c.members)-len(errs) < len(c.members)-c.p.need(len(c.members))+1 {
			yield("", fmt.Errorf("%d of %d members could not list: %w", len(errs), len(c.members), joined(errs)))
		}
	}
}

// errStop ends a member's listing when the consumer stops.
var errStop = errors.New("stop")

// Close implements driver.AssetStore; it closes every member.
func (c *AssetStore) Close() error { return c.close() }
