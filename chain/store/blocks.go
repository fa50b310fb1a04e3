package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Blocks is a block store: create-only block documents whose next is set
// once.
type Blocks struct {
	d   driver.BlockStore
	url string // redacted
}

// NewBlocks wraps a driver; rawURL names it in errors (it is redacted).
func NewBlocks(d driver.BlockStore, rawURL string) *Blocks {
	return &Blocks{d: d, url: Redact(rawURL)}
}

// URL is the store's URL with secrets redacted.
func (s *Blocks) URL() string { return s.url }

// Driver returns the wrapped driver, for optional interfaces.
func (s *Blocks) Driver() driver.BlockStore { return s.d }

// Create stores a sealed block; it is refused (nothing stored) when the
// block does not check out, and fails with an error matching
// chain.ErrExists when its id is taken.
func (s *Blocks) Create(ctx context.Context, b chain.Block) error {
	if b.Next != "" {
		return fmt.Errorf("block store %s: block %s: %w: a new block has no next", s.url, b.ID, chain.ErrInvalid)
	}
	if err := b.Check(); err != nil {
		return fmt.Errorf("block store %s: refusing block: %w", s.url, err)
	}
	doc, err := b.Canonical(true)
	if err != nil {
		return fmt.Errorf("block store %s: block %s: %w", s.url, b.ID, err)
	}
	info := driver.BlockInfo{ID: b.ID, Chain: b.Chain, Prev: b.Prev, Height: b.Height}
	if err := s.d.Create(ctx, info, doc); err != nil {
		return fmt.Errorf("block store %s: create %s: %w", s.url, b.ID, err)
	}
	return nil
}

// Get reads, decodes and checks the block id. A block whose document is
// malformed or does not hash to its id gives an error matching
// chain.ErrInvalid or chain.ErrTampered; when the document parsed, the
// block is returned beside that error (see chain.DecodeBlock).
func (s *Blocks) Get(ctx context.Context, id string) (chain.Block, error) {
	raw, err := s.Fetch(ctx, id)
	if err != nil {
		return chain.Block{}, err
	}
	return s.Decode(raw)
}

// Raw is a block as a driver returns it, before decoding.
type Raw struct {
	ID   string
	Doc  []byte
	Next string
}

// Fetch reads the block id without decoding it.
func (s *Blocks) Fetch(ctx context.Context, id string) (Raw, error) {
	if err := chain.CheckHex("block id", id); err != nil {
		return Raw{}, fmt.Errorf("block store %s: %w", s.url, err)
	}
	doc, next, err := s.d.Get(ctx, id)
	if err != nil {
		return Raw{}, fmt.Errorf("block store %s: block %s: %w", s.url, id, err)
	}
	return Raw{ID: id, Doc: doc, Next: next}, nil
}

// ReadsNextApart reports whether the store reads a block's next apart
// from its document (driver.NextReader): then a walker that follows next
// pointers with FetchNext and reads documents with FetchDoc on other
// goroutines reads each file once. On other stores those two read the
// whole block, as Fetch does.
func (s *Blocks) ReadsNextApart() bool {
	_, ok := s.d.(driver.NextReader)
	return ok
}

// FetchNext returns the next of block id ("" when unset). On a store that
// reads next apart, it may also return "" for an absent block, which
// FetchDoc then reports.
func (s *Blocks) FetchNext(ctx context.Context, id string) (string, error) {
	nr, ok := s.d.(driver.NextReader)
	if !ok {
		raw, err := s.Fetch(ctx, id)
		return raw.Next, err
	}
	if err := chain.CheckHex("block id", id); err != nil {
		return "", fmt.Errorf("block store %s: %w", s.url, err)
	}
	next, err := nr.Next(ctx, id)
	if err != nil {
		return "", fmt.Errorf("block store %s: next of block %s: %w", s.url, id, err)
	}
	return next, nil
}

// FetchDoc appends the document of block id to buf and returns it; an
// error matching chain.ErrNotFound when the block is absent.
func (s *Blocks) FetchDoc(ctx context.Context, buf []byte, id string) ([]byte, error) {
	nr, ok := s.d.(driver.NextReader)
	if !ok {
		raw, err := s.Fetch(ctx, id)
		return append(buf, raw.Doc...), err
	}
	if err := chain.CheckHex("block id", id); err != nil {
		return buf, fmt.Errorf("block store %s: %w", s.url, err)
	}
	buf, err := nr.AppendDoc(ctx, buf, id)
	if err != nil {
		return buf, fmt.Errorf("block store %s: block %s: %w", s.url, id, err)
	}
	return buf, nil
}

// Decode decodes and checks a fetched block, as Get does.
func (s *Blocks) Decode(raw Raw) (chain.Block, error) {
	b, err := chain.DecodeBlock(raw.Doc)
	if err == nil && b.ID != raw.ID {
		err = fmt.Errorf("%w: stored under the wrong id (holds %s)", chain.ErrTampered, b.ID)
	}
	if raw.Next != "" && chain.IsHex(raw.Next) && b.Next == "" {
		b.Next = raw.Next
	}
	if err != nil {
		return b, fmt.Errorf("block store %s: block %s: %w", s.url, raw.ID, err)
	}
	if raw.Next != "" && (b.Next != raw.Next || !chain.IsHex(raw.Next)) {
		return b, fmt.Errorf("block store %s: block %s: %w next %q", s.url, raw.ID, chain.ErrInvalid, raw.Next)
	}
	return b, nil
}

// SetNext links next after id, once. When next is already set to another
// block it fails with an error matching chain.ErrNextSet.
func (s *Blocks) SetNext(ctx context.Context, id, next string) error {
	if err := chain.CheckHex("block id", id); err != nil {
		return fmt.Errorf("block store %s: %w", s.url, err)
	}
	if err := chain.CheckHex("block id", next); err != nil {
		return fmt.Errorf("block store %s: %w", s.url, err)
	}
	if err := s.d.SetNext(ctx, id, next); err != nil {
		return fmt.Errorf("block store %s: set next of %s: %w", s.url, id, err)
	}
	return nil
}

// Roots yields every chain's root block. Roots that fail to read are
// yielded as errors and the listing goes on.
func (s *Blocks) Roots(ctx context.Context) iter.Seq2[chain.Block, error] {
	return func(yield func(chain.Block, error) bool) {
		for id, err := range s.d.Roots(ctx) {
			if err != nil {
				yield(chain.Block{}, fmt.Errorf("block store %s: list roots: %w", s.url, err))
				return
			}
			b, err := s.Get(ctx, id)
			if err == nil && !b.IsRoot() {
				err = fmt.Errorf("block store %s: %w: %s is listed as a root but has height %d", s.url, chain.ErrInvalid, id, b.Height)
			}
			if !yield(b, err) {
				return
			}
		}
	}
}

// Tail returns the last linked block of the chain rooted at chainID,
// starting from the store's tail hint when it has one.
func (s *Blocks) Tail(ctx context.Context, chainID string) (chain.Block, error) {
	start := chainID
	if h, ok := s.d.(driver.TailHinter); ok {
		if id, err := h.TailHint(ctx, chainID); err == nil && chain.IsHex(id) {
			start = id
		}
	}
	b, err := s.Get(ctx, start)
	if err != nil && start != chainID {
		b, err = s.Get(ctx, chainID) // a bad hint is only a hint
	}
	if err != nil {
		return chain.Block{}, err
	}
	if b.ChainID() != chainID {
		if b, err = s.Get(ctx, chainID); err != nil {
			return chain.Block{}, err
		}
	}
	for b.Next != "" {
		if err := ctx.Err(); err != nil {
			return chain.Block{}, err
		}
		if b, err = s.Get(ctx, b.Next); err != nil {
			return chain.Block{}, err
		}
	}
	return b, nil
}

// NoteTail records id as the chain's latest tail when the driver keeps a
// hint; failures only cost speed, so they are ignored.
func (s *Blocks) NoteTail(ctx context.Context, chainID, id string) {
	if h, ok := s.d.(driver.TailHinter); ok {
		_ = h.SetTailHint(ctx, chainID, id)
	}
}

// WaitNext returns when the next of id may have been set, when ctx ends
// or after about timeout. Drivers that can watch (driver.NextWaiter) wake
// at once; others are polled.
func (s *Blocks) WaitNext(ctx context.Context, id string, timeout time.Duration) error {
	if w, ok := s.d.(driver.NextWaiter); ok {
		err := w.WaitNext(ctx, id, timeout)
		if err == nil || ctx.Err() != nil {
			return ctx.Err()
		}
		// The watch failed (no inotify left, say): fall back to polling.
	}
	poll := 100 * time.Millisecond
	if timeout < poll {
		poll = timeout
	}
	t := time.NewTimer(poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Close closes the driver.
func (s *Blocks) Close() error { return s.d.Close() }

// IsNotFound reports whether err means a missing object.
func IsNotFound(err error) bool { return errors.Is(err, chain.ErrNotFound) }
