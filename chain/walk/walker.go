package walk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"sync"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// Mode says what a walk does when a block fails its checks.
type Mode int

const (
	// Stop yields the fault and ends the walk (the default).
	Stop Mode = iota
	// Report yields the fault with the block and goes on where it can.
	Report
	// Skip checks nothing beyond what it takes to follow the chain.
	Skip
)

// Options choose the part of the chain to walk. The zero value walks the
// whole chain from its root to its tail, stopping at the first fault.
type Options struct {
	// From is the first block to yield: a block id, or a height in decimal.
	// Empty means the root.
	From string
	// To is the last block to yield, an id or a height. Empty means the
	// tail (or forever, when Live).
	To string
	// Live keeps following the chain after its tail: new blocks are
	// yielded as they are linked, until the context ends.
	Live bool
	// Mode is what to do with faults.
	Mode Mode
	// Prefetch is how many blocks may be read ahead of the consumer;
	// default 256.
	Prefetch int
}

// Fault is a block or asset that fails its checks.
type Fault struct {
	// Block is the id of the faulty block, or of the block naming a faulty
	// or missing asset or block.
	Block  string
	Height uint64
	// Asset is the faulty asset's hash, when the fault is an asset's.
	Asset string
	// Problem is one of: hash mismatch, invalid, missing, broken link, fork,
	// height gap, wrong chain (blocks), or hash mismatch, missing,
	// unreadable (assets; a wrong length is a hash mismatch).
	Problem string
	Err     error
}

func (f *Fault) Error() string {
	what := "block " + f.Block
	if f.Asset != "" {
		what = "asset " + f.Asset + " (block " + f.Block + ")"
	}
	if f.Err != nil {
		return fmt.Sprintf("%s: %s: %v", what, f.Problem, f.Err)
	}
	return fmt.Sprintf("%s: %s", what, f.Problem)
}

func (f *Fault) Unwrap() error { return f.Err }

// Walker walks one chain of a block store.
type Walker struct {
	blocks  *store.Blocks
	chainID string
}

// New returns a Walker over the chain whose root is chainID.
func New(blocks *store.Blocks, chainID string) *Walker {
	return &Walker{blocks: blocks, chainID: chainID}
}

// All yields the chain's blocks in order, as opts say. Faults are yielded
// as *Fault errors (with the block, where it parsed); any other error ends
// the walk. A walk that ctx ends early yields ctx's error last, except a
// Live one, which ctx is how to stop. Memory stays constant whatever the
// chain's length.
func (w *Walker) All(ctx context.Context, opts *Options) iter.Seq2[chain.Block, error] {
	if opts == nil {
		opts = &Options{}
	}
	return func(yield func(chain.Block, error) bool) {
		if err := chain.CheckHex("chain id", w.chainID); err != nil {
			yield(chain.Block{}, err)
			return
		}
		start, fromHeight, err := w.start(opts.From)
		if err != nil {
			yield(chain.Block{}, err)
			return
		}
		toHeight, toID, err := parseEnd(opts.To)
		if err != nil {
			yield(chain.Block{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		// The readers use the store: they are done before the caller,
		// once the walk returns, may close it.
		var readers sync.WaitGroup
		defer readers.Wait()
		defer cancel()
		r := w.read(ctx, &readers, start, opts)

		var prev chain.Block
		var good chain.Block // the last block without a fault
		first := true
		// cut yields ctx's error for a walk that ctx ends before its end.
		// Only the caller's ctx can be done inside the loop below (cancel
		// runs once it is over). A live walk ends with ctx by design; any
		// other walk must say it was cut short, or a verifier that is
		// interrupted would pass a chain it has only partly read.
		cut := func() {
			if !opts.Live {
				yield(chain.Block{}, ctx.Err())
			}
		}
		// ended yields what an error that ends the reading means for the
		// walk: a next block that is not in the store is a fault of the
		// block naming it; a cancelled walk yields ctx's error (see cut).
		ended := func(err error) {
			switch {
			case errors.Is(err, chain.ErrNotFound) && !first:
				yield(chain.Block{}, &Fault{Block: prev.ID, Height: prev.Height, Problem: "missing", Err: fmt.Errorf("next block %s is not in the store", prev.Next)})
			case ctx.Err() == nil:
				yield(chain.Block{}, err)
			default:
				cut()
			}
		}
		for bt := range r.out {
			<-bt.done
			for i := range bt.items {
				it := &bt.items[i]
				if it.err != nil {
					ended(it.err)
					return
				}
				b, fault := w.check(it, prev, first, start, opts.Mode, good)
				first = false
				prev = b
				if fault == nil {
					good = b
				}
				if b.Height >= fromHeight || fault != nil && opts.Mode != Skip {
					if fault != nil {
						if !yield(b, fault) || opts.Mode == Stop || b.ID == "" {
							return
						}
					} else if !yield(b, nil) {
						return
					}
				}
				if (toID != "" && b.ID == toID) || (toHeight >= 0 && b.Height >= uint64(toHeight)) {
					return
				}
			}
			if bt.end != nil {
				ended(bt.end)
				return
			}
			r.recycle(bt)
		}
		// The chaser closes r.out early only when ctx ends; a walk that got
		// to the tail (the last block read has no next) is whole anyway.
		if ctx.Err() != nil && (first || prev.Next != "") {
			cut()
		}
	}
}

// start returns the id to read first and the height from which to yield.
func (w *Walker) start(from string) (string, uint64, error) {
	if from == "" {
		return w.chainID, 0, nil
	}
	if chain.IsHex(from) {
		return from, 0, nil
	}
	h, err := strconv.ParseUint(from, 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("walk: --from %q: want a block id or a height", from)
	}
	return w.chainID, h, nil
}

func parseEnd(to string) (int64, string, error) {
	if to == "" {
		return -1, "", nil
	}
	if chain.IsHex(to) {
		return -1, to, nil
	}
	h, err := strconv.ParseInt(to, 10, 64)
	if err != nil || h < 0 {
		return -1, "", fmt.Errorf("walk: --to %q: want a block id or a height", to)
	}
	return h, "", nil
}

// check checks a decoded block against the one before.
func (w *Walker) check(it *item, prev chain.Block, first bool, start string, mode Mode, good chain.Block) (chain.Block, *Fault) {
	b, err := it.block, it.fault
	if err != nil {
		if mode == Skip && b.ID != "" {
			return b, nil
		}
		problem := "invalid"
		if errors.Is(err, chain.ErrTampered) {
			problem = "hash mismatch"
		}
		if b.ID == "" {
			// Nothing of the document could be read: the block's height is
			// its place in the chain, so that the blocks after it are
			// checked against that (not against height 0).
			b.ID = it.raw.ID
			b.Next = it.raw.Next
			if !first {
				b.Height = prev.Height + 1
			}
		}
		return b, &Fault{Block: it.raw.ID, Height: b.Height, Problem: problem, Err: err}
	}
	if mode == Skip {
		return b, nil
	}
	switch {
	case first && start == w.chainID:
		if !b.IsRoot() {
			return b, &Fault{Block: b.ID, Height: b.Height, Problem: "invalid", Err: errors.New("not a chain root")}
		}
	case first:
		if b.ChainID() != w.chainID {
			return b, &Fault{Block: b.ID, Height: b.Height, Problem: "wrong chain", Err: fmt.Errorf("belongs to chain %s", b.ChainID())}
		}
	case b.Chain != w.chainID:
		return b, &Fault{Block: b.ID, Height: b.Height, Problem: "wrong chain", Err: fmt.Errorf("belongs to chain %s", b.Chain)}
	case b.Prev != prev.ID && b.Height == prev.Height+1:
		return b, &Fault{Block: b.ID, Height: b.Height, Problem: "fork", Err: fmt.Errorf("linked after %s but built on %s", prev.ID, b.Prev)}
	case b.Prev != prev.ID:
		return b, &Fault{Block: b.ID, Height: b.Height, Problem: "broken link", Err: fmt.Errorf("prev is %s, the block before is %s", b.Prev, prev.ID)}
	case b.Height != prev.Height+1:
		err := fmt.Errorf("height %d after %d", b.Height, prev.Height)
		if good.ID != "" && good.ID != prev.ID {
			err = fmt.Errorf("height %d after a faulty block at height %d; the last good block is at height %d", b.Height, prev.Height, good.Height)
		}
		return b, &Fault{Block: b.ID, Height: b.Height, Problem: "height gap", Err: err}
	}
	return b, nil
}
