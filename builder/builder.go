package builder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// Linked says where a receipt landed: the block, its height and the
// receipt's index in it; or the error that kept it off the chain.
type Linked struct {
	Block  string
	Height uint64
	Index  int
	// Queued is set instead of Block when the receipt was handed to a
	// broker (confirmed there) for a builder daemon to link.
	Queued bool
	Err    error
}

// Options tune a Builder; nil means the defaults.
type Options struct {
	// Logger receives one debug line per linked block; nil discards.
	Logger *slog.Logger
	// Retries bounds the attempts of a link that fails for another reason
	// than a lost race (a store that is briefly down). Default 5.
	Retries uint
	// Bulk packs receipts up to the chain's MaxAssets per block, linking
	// when a block is full, when the oldest receipt has waited TTL, or at
	// Close, instead of as soon as MinAssets wait. For one-shot captures
	// (pipe, import): far fewer blocks, and fewer store round trips.
	Bulk bool
	// BeforeLink, when set, runs before each block is created: the hub
	// makes the assets durable there (store.Assets.Sync), so a block
	// never names an asset a power loss could take back.
	BeforeLink func(ctx context.Context) error
	// AfterLink, when set, runs after each block is linked, in the
	// linking goroutine: the hub adds the block to the chain's Merkle
	// tree there (chain/merkle). It cannot fail the link: the block is on
	// the chain already.
	AfterLink func(ctx context.Context, b chain.Block)
}

// Builder links the receipts it is given into blocks of one chain.
type Builder struct {
	blocks   *store.Blocks
	root     chain.Block
	settings chain.Settings
	log      *slog.Logger
	retries  uint
	before   func(ctx context.Context) error
	after    func(ctx context.Context, b chain.Block)

	mu      sync.Mutex
	batch   *Batcher[pending]
	closing bool
	err     error // the first link failure; the builder stops at it
	kick    chan struct{}
	done    chan struct{}

	tail chain.Block // only the run goroutine touches it
}

type pending struct {
	r  chain.Receipt
	ch chan Linked
}

// Start returns a Builder for the chain rooted at root, linking in a
// goroutine until ctx ends or Close is called.
func Start(ctx context.Context, blocks *store.Blocks, root chain.Block, opts *Options) (*Builder, error) {
	s, err := chain.RootSettings(root)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	b := &Builder{
		blocks:   blocks,
		root:     root,
		settings: s,
		log:      opts.Logger,
		retries:  opts.Retries,
		before:   opts.BeforeLink,
		after:    opts.AfterLink,
		batch:    NewBatcher[pending](policy(s, opts.Bulk)),
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.retries == 0 {
		b.retries = 5
	}
	go b.run(ctx)
	return b, nil
}

// policy is the chain's batching: min/max/ttl, or full blocks in bulk.
func policy(s chain.Settings, bulk bool) BatchPolicy {
	if bulk {
		return BatchPolicy{Count: s.MaxAssets, Period: time.Duration(s.TTL)}
	}
	return BatchPolicy{Count: s.MinAssets, Period: time.Duration(s.TTL)}
}

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("builder closed")

// Add queues a receipt for the next block. The returned channel receives
// one Linked once the receipt is on the chain (or failed to get there).
func (b *Builder) Add(r chain.Receipt) (<-chan Linked, error) {
	ch := make(chan Linked, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil, b.err
	}
	if b.closing {
		return nil, ErrClosed
	}
	if b.batch.Add(pending{r, ch}, r.Length) || b.batch.Len() == 1 {
		b.signal()
	}
	return ch, nil
}

func (b *Builder) signal() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// Close links every receipt added so far, stops the builder and returns
// the first error that kept receipts off the chain.
func (b *Builder) Close() error {
	b.mu.Lock()
	b.closing = true
	b.signal()
	b.mu.Unlock()
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Tail is the last block this builder linked or saw ("" before any).
func (b *Builder) Tail() chain.Block {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tail
}

func (b *Builder) run(ctx context.Context) {
	defer close(b.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		b.mu.Lock()
		ready := b.batch.Ready() || (b.closing && b.batch.Len() > 0)
		var items []pending
		if ready && b.err == nil {
			items = b.batch.Flush(b.settings.MaxAssets)
		}
		wait, closing, failed := b.batch.UntilNext(), b.closing, b.err != nil
		b.mu.Unlock()

		if failed {
			b.failPending(b.err)
			return
		}
		if items != nil {
			b.linkAll(ctx, items)
			continue
		}
		if closing {
			return
		}
		if wait < 0 {
			wait = time.Hour
		}
		timer.Reset(wait)
		select {
		case <-b.kick:
		case <-timer.C:
		case <-ctx.Done():
			b.mu.Lock()
			if b.err == nil {
				b.err = fmt.Errorf("builder: %w", ctx.Err())
			}
			b.mu.Unlock()
			b.failPending(ctx.Err())
			return
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

func (b *Builder) failPending(err error) {
	b.mu.Lock()
	items := b.batch.Flush(0)
	b.mu.Unlock()
	for _, p := range items {
		p.ch <- Linked{Err: err}
	}
}

func (b *Builder) linkAll(ctx context.Context, items []pending) {
	receipts := make([]chain.Receipt, len(items))
	for i, p := range items {
		receipts[i] = p.r
	}
	blk, err := backoff.Retry(ctx, func() (chain.Block, error) {
		blk, err := b.link(ctx, receipts)
		if errors.Is(err, chain.ErrInvalid) || errors.Is(err, chain.ErrTampered) || ctx.Err() != nil {
			return blk, backoff.Permanent(err)
		}
		if err != nil {
			b.log.Info("link failed, retrying", "chain", b.settings.Name, "err", err)
		}
		return blk, err
	}, backoff.WithMaxTries(b.retries), backoff.WithMaxElapsedTime(time.Minute))
	if err != nil {
		err = fmt.Errorf("builder: chain %s: %w", b.settings.Name, err)
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
		for _, p := range items {
			p.ch <- Linked{Err: err}
		}
		return
	}
	if b.after != nil {
		b.after(ctx, blk)
	}
	for i, p := range items {
		p.ch <- Linked{Block: blk.ID, Height: blk.Height, Index: i}
	}
}

// link puts receipts in a new block on the current tail, rebuilding on the
// new tail for as long as other builders win the race.
func (b *Builder) link(ctx context.Context, receipts []chain.Receipt) (chain.Block, error) {
	if b.before != nil {
		if err := b.before(ctx); err != nil {
			return chain.Block{}, err
		}
	}
	tail := b.Tail()
	if tail.ID == "" {
		var err error
		if tail, err = b.blocks.Tail(ctx, b.root.ID); err != nil {
			return chain.Block{}, err
		}
	}
	stale := false
	for lost := 0; ; lost++ {
		if stale || tail.Next != "" {
			var err error
			if tail, err = b.blocks.Tail(ctx, b.root.ID); err != nil {
				return chain.Block{}, err
			}
		}
		blk, err := NewBlock(b.root.ID, b.settings.Crypt, tail, receipts)
		if err != nil {
			return chain.Block{}, err
		}
		if err := b.blocks.Create(ctx, blk); err != nil && !errors.Is(err, chain.ErrExists) {
			return chain.Block{}, err
		}
		err = b.blocks.SetNext(ctx, tail.ID, blk.ID)
		if err == nil {
			b.mu.Lock()
			b.tail = blk
			b.mu.Unlock()
			b.blocks.NoteTail(ctx, b.root.ID, blk.ID)
			b.log.Debug("linked block", "chain", b.settings.Name, "height", blk.Height, "id", blk.ID, "assets", len(receipts), "lost_races", lost)
			return blk, nil
		}
		if !errors.Is(err, chain.ErrNextSet) {
			return chain.Block{}, err
		}
		// Another builder linked first: rebuild on the new tail.
		stale = true
	}
}

// NewBlock returns the sealed block that puts receipts onto tail, the
// last block of the chain chainID, hashed with crypt. Its time is now, or
// the tail's when that is later, so times never go back along a chain.
func NewBlock(chainID string, crypt chain.Crypt, tail chain.Block, receipts []chain.Receipt) (chain.Block, error) {
	blk := chain.Block{
		Chain:  chainID,
		Prev:   tail.ID,
		Height: tail.Height + 1,
		Time:   chain.Stamp(time.Now()),
		Crypt:  crypt,
		Assets: receipts,
	}
	if blk.Time < tail.Time {
		blk.Time = tail.Time
	}
	if err := blk.Seal(); err != nil {
		return chain.Block{}, err
	}
	return blk, nil
}
