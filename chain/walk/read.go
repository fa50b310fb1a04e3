package walk

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// How a walk reads its blocks. Following a chain is serial: a block's
// successor is known only once its next is read. So one goroutine, the
// chaser, follows the next pointers and hands the blocks on in batches,
// to checkers that read and decode them in parallel (one per processor),
// and to the consumer (Walker.All), which takes the batches in chain order
// and checks the links between blocks. On a store that reads next pointers
// apart from documents (the folder store: a file each) the chaser reads
// only those and the checkers read the documents; on others the chaser
// reads whole blocks, many per round trip where the store indexes heights
// (driver.Ranger), and the checkers decode them.

// batchSize is how many consecutive blocks travel together: handing them
// over one by one would cost a channel operation and often a goroutine
// switch per block, about as much as reading the block.
const batchSize = 64

// A batch is a run of consecutive blocks of the chain.
type batch struct {
	items []item
	// end, when set, is the error that stopped the chase after items.
	end error
	// done is closed once a checker has read and decoded the items.
	done chan struct{}
}

// item is one block of a batch.
type item struct {
	raw store.Raw
	// err is why the block could not be read (its document is absent,
	// say); the walk ends there, and the items after it are left unread.
	err error
	// block and fault are what Blocks.Decode made of raw.
	block chain.Block
	fault error
}

// reader is the reading half of one walk.
type reader struct {
	w    *Walker
	live bool
	// apart: the store reads next pointers apart, so the chaser reads
	// them alone and the checkers read the documents.
	apart bool
	size  int         // blocks per batch
	work  chan *batch // from the chaser to the checkers
	out   chan *batch // from the chaser to the consumer, in chain order
	// spent are batches the consumer is done with, for the chaser to
	// fill again: a walk then allocates a few batches, not one per
	// batchSize blocks.
	spent chan *batch
	ahead readAhead
}

// read starts reading the chain from block id; the consumer takes the
// batches in chain order from the reader's out and recycles each once done
// with it. The goroutines read starts end when the chain does (or, when
// live, when ctx does), or once ctx is cancelled; wg counts them.
func (w *Walker) read(ctx context.Context, wg *sync.WaitGroup, id string, opts *Options) *reader {
	depth := opts.Prefetch
	if depth <= 0 {
		depth = 256
	}
	size := min(batchSize, depth)
	r := &reader{
		w:     w,
		live:  opts.Live,
		apart: w.blocks.ReadsNextApart(),
		size:  size,
		work:  make(chan *batch, depth/size),
		out:   make(chan *batch, depth/size),
		spent: make(chan *batch, depth/size),
		ahead: readAhead{w: w, known: id == w.chainID}, // the root is at height 0
	}
	r.ahead.ranger, _ = w.blocks.Driver().(driver.Ranger)
	checkers := runtime.GOMAXPROCS(0)
	wg.Add(1 + checkers)
	go func() {
		defer wg.Done()
		r.chase(ctx, id)
	}()
	for range checkers {
		go func() {
			defer wg.Done()
			r.check(ctx)
		}()
	}
	return r
}

// chase follows the chain from id and hands its blocks on in batches.
func (r *reader) chase(ctx context.Context, id string) {
	defer close(r.out)
	defer close(r.work)
	bt := r.newBatch()
	// hand gives bt to the checkers, then to the consumer (so every batch
	// the consumer gets is checked), and starts a new one. It reports
	// false when the walk is over.
	hand := func() bool {
		for _, to := range []chan<- *batch{r.work, r.out} {
			select {
			case to <- bt:
			case <-ctx.Done():
				return false
			}
		}
		bt = r.newBatch()
		return true
	}
	for {
		raw, err := r.fetch(ctx, id)
		if err != nil {
			bt.end = err
			hand()
			return
		}
		bt.items = append(bt.items, item{raw: raw})
		if raw.Next == "" {
			if !hand() || !r.live {
				return
			}
			for raw.Next == "" {
				if err := r.w.blocks.WaitNext(ctx, id, time.Second); err != nil {
					return
				}
				if raw.Next, err = r.nextOf(ctx, id); err != nil {
					bt.end = err
					hand()
					return
				}
			}
		} else if len(bt.items) == r.size && !hand() {
			return
		}
		id = raw.Next
		r.ahead.height++
	}
}

// newBatch returns an empty batch, a spent one when there is one.
func (r *reader) newBatch() *batch {
	select {
	case bt := <-r.spent:
		clear(bt.items)
		*bt = batch{items: bt.items[:0], done: make(chan struct{})}
		return bt
	default:
		return &batch{items: make([]item, 0, r.size), done: make(chan struct{})}
	}
}

// recycle hands a batch the consumer is done with back to the chaser.
func (r *reader) recycle(bt *batch) {
	select {
	case r.spent <- bt:
	default: // enough spare batches already
	}
}

// fetch reads block id for the chaser: its next alone when the checkers
// read the documents, else the whole block.
func (r *reader) fetch(ctx context.Context, id string) (store.Raw, error) {
	if r.apart {
		next, err := r.w.blocks.FetchNext(ctx, id)
		return store.Raw{ID: id, Next: next}, err
	}
	return r.ahead.fetch(ctx, id)
}

// nextOf reads the next of block id again, for a live walk at the tail.
func (r *reader) nextOf(ctx context.Context, id string) (string, error) {
	if r.apart {
		return r.w.blocks.FetchNext(ctx, id)
	}
	raw, err := r.w.blocks.Fetch(ctx, id)
	return raw.Next, err
}

// check reads (when apart) and decodes the blocks of each batch the chaser
// hands it, until the chaser is done.
func (r *reader) check(ctx context.Context) {
	var doc []byte // reused from block to block: a decoded block keeps none of it
	for bt := range r.work {
		for i := range bt.items {
			it := &bt.items[i]
			if r.apart {
				if it.err = ctx.Err(); it.err == nil {
					doc, it.err = r.w.blocks.FetchDoc(ctx, doc[:0], it.raw.ID)
				}
				if it.err != nil {
					break
				}
				it.raw.Doc = doc
			}
			it.block, it.fault = r.w.blocks.Decode(it.raw)
			it.raw.Doc = nil
		}
		close(bt.done)
	}
}

// readAhead fetches whole blocks one by one, or, from a store that indexes
// heights (driver.Ranger), many per round trip.
type readAhead struct {
	w      *Walker
	ranger driver.Ranger
	ahead  map[string]driver.RawBlock
	height uint64 // height of the block to fetch next, when known
	known  bool
}

func (r *readAhead) fetch(ctx context.Context, id string) (store.Raw, error) {
	if r.ranger != nil && r.known {
		if _, ok := r.ahead[id]; !ok && r.height > 0 {
			r.ahead = map[string]driver.RawBlock{}
			// After is exclusive: ask from the height before.
			if list, err := r.ranger.After(ctx, r.w.chainID, r.height-1, 256); err == nil {
				for _, rb := range list {
					r.ahead[rb.ID] = rb
				}
			}
		}
		if rb, ok := r.ahead[id]; ok {
			delete(r.ahead, id)
			r.height = rb.Height
			return store.Raw{ID: rb.ID, Doc: rb.Doc, Next: rb.Next}, nil
		}
	}
	raw, err := r.w.blocks.Fetch(ctx, id)
	if err == nil && r.ranger != nil && !r.known {
		// A walk from a given block learns its height here, to range from.
		if b, derr := chain.DecodeBlock(raw.Doc); derr == nil {
			r.height, r.known = b.Height, true
		}
	}
	return raw, err
}
