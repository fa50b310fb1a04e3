package walk

import (
	"context"
	"errors"
	"iter"
	"sync"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// Verifier checks a whole chain: every block, and with Assets set every
// asset the blocks name.
type Verifier struct {
	Blocks *store.Blocks
	// Assets, when set, has every named asset read back and checked
	// against its hash and length.
	Assets *store.Assets
	// Workers read assets in parallel; default 4.
	Workers int

	// Counts, valid once All has finished.
	BlocksChecked int
	AssetsChecked int
}

// All walks the chain rooted at chainID and yields one Fault per problem
// found, going on past each where it can. An error that is not about the
// chain's content (an unreachable store, a cancelled context) is yielded
// as a plain error and ends the run.
func (v *Verifier) All(ctx context.Context, chainID string) iter.Seq2[*Fault, error] {
	return func(yield func(*Fault, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type job struct {
			block  string
			height uint64
			r      chain.Receipt
		}
		workers := v.Workers
		if workers <= 0 {
			workers = 4
		}
		jobs := make(chan job, 64)
		faults := make(chan *Fault, 64)
		var wg sync.WaitGroup
		if v.Assets != nil {
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := range jobs {
						if err := v.Assets.Verify(ctx, j.r.Hash, j.r.Length); err != nil {
							f := &Fault{Block: j.block, Height: j.height, Asset: j.r.Hash, Problem: "hash mismatch", Err: err}
							if errors.Is(err, chain.ErrNotFound) {
								f.Problem = "missing"
							} else if !errors.Is(err, chain.ErrTampered) {
								f.Problem = "unreadable"
							}
							select {
							case faults <- f:
							case <-ctx.Done():
								return
							}
						}
					}
				}()
			}
		}
		go func() {
			wg.Wait()
			close(faults)
		}()
		// Until jobs is closed, faults stays open: receiving never sees
		// it closed here.
		stopped := false
		w := New(v.Blocks, chainID)
	walk:
		for b, err := range w.All(ctx, &Options{Mode: Report}) {
			var f *Fault
			if err != nil && !errors.As(err, &f) {
				close(jobs)
				yield(nil, err)
				return
			}
			v.BlocksChecked++
			if f != nil && !yield(f, nil) {
				stopped = true
				break
			}
			if v.Assets == nil || (f != nil && f.Problem == "missing") {
				continue
			}
			for _, r := range b.Assets {
				v.AssetsChecked++
				for sent := false; !sent; {
					select {
					case jobs <- job{b.ID, b.Height, r}:
						sent = true
					case f := <-faults:
						if !yield(f, nil) {
							stopped = true
							break walk
						}
					}
				}
			}
		}
		close(jobs)
		if stopped {
			return
		}
		for f := range faults {
			if !yield(f, nil) {
				return
			}
		}
	}
}
