// Package driver defines the small interfaces a store driver implements.
// Callers never use a driver directly: chain/store wraps it in a portable
// type that validates ids, checks hashes and wraps errors once, so a driver
// only moves bytes. Optional capabilities are extra interfaces found by type
// assertion.
//
// It imports only chain (for the shared errors).
package driver

import (
	"context"
	"hash"
	"io"
	"iter"
	"time"
)

// AssetStore keeps assets by hash. Hashes reaching a driver are already
// validated lower-case hex.
type AssetStore interface {
	// Put stores the bytes read from r under hash unless it is there. It
	// must read r to io.EOF before making the asset visible: the reader
	// returns an error instead of io.EOF when the bytes do not match the
	// hash, and the driver must then store nothing. size is the length, or
	// -1 when unknown. Put returns an error matching chain.ErrExists when the
	// asset was already stored (the new bytes are then discarded). Put
	// does not read r once it has returned (a member still writing after a
	// cluster's quorum answered writes from a copy), so the caller may
	// reuse the bytes behind r.
	Put(ctx context.Context, hash string, r io.Reader, size int64) error
	// Get opens the asset; an error matching chain.ErrNotFound when absent.
	Get(ctx context.Context, hash string) (io.ReadCloser, error)
	// Stat returns the asset's size; an error matching chain.ErrNotFound
	// when absent.
	Stat(ctx context.Context, hash string) (int64, error)
	// All yields every stored hash, in no particular order.
	All(ctx context.Context) iter.Seq2[string, error]
	// Close releases the driver's resources.
	Close() error
}

// BlockInfo is what a block store may index a block by.
type BlockInfo struct {
	ID     string
	Chain  string // empty for a root
	Prev   string
	Height uint64
}

// BlockStore keeps block documents and their next pointers.
type BlockStore interface {
	// Create stores doc (the block's canonical JSON without next) under
	// info.ID; an error matching chain.ErrExists when the id is taken.
	// Roots (height 0) must be listed by Roots once Create returns.
	Create(ctx context.Context, info BlockInfo, doc []byte) error
	// Get returns the document and the next id ("" when unset); an error
	// matching chain.ErrNotFound when absent.
	Get(ctx context.Context, id string) (doc []byte, next string, err error)
	// SetNext sets the block's next to next, once, atomically: when next is
	// already set to another id it returns an error matching
	// chain.ErrNextSet; when set to the same id it returns nil; when the
	// block is absent, an error matching chain.ErrNotFound. It must never be
	// a read followed by a write that a racing writer can slip between.
	SetNext(ctx context.Context, id, next string) error
	// Roots yields the ids of every root block.
	Roots(ctx context.Context) iter.Seq2[string, error]
	// ClaimName gives a chain name to the root block root, once,
	// atomically, as SetNext sets next: when the name is unclaimed it
	// records root, and either way it returns the root the name is claimed
	// for after the call (root itself when this call won, or an earlier
	// claim with the same root did). key is the name's key, the lower-case
	// hex SHA-256 of its bytes (store.NameKey), under which the claim is
	// kept; name is the name itself, kept beside it where a store has room,
	// for people reading the store. Like SetNext it must never be a read
	// followed by a write that a racing claimer, in this process or
	// another, can slip between. It does not check that root exists.
	ClaimName(ctx context.Context, key, name, root string) (string, error)
	// NameClaim returns the root the name whose key is key is claimed
	// for; an error matching chain.ErrNotFound when it is unclaimed.
	NameClaim(ctx context.Context, key string) (string, error)
	// Close releases the driver's resources.
	Close() error
}

// NextWaiter is implemented by block stores that can tell when a block's
// next is set (the folder store watches with fsnotify). WaitNext returns
// when next may have changed, when ctx ends or after about timeout; the
// caller then reads the block again, so spurious wake-ups are harmless.
type NextWaiter interface {
	WaitNext(ctx context.Context, id string, timeout time.Duration) error
}

// NextReader is implemented by block stores that keep a block's next apart
// from its document (the folder store: a file each), so that a walker can
// follow a chain reading the next pointers alone, one after the other,
// while other goroutines read and check the documents.
type NextReader interface {
	// Next returns the next id of block id, "" when it is unset. It may
	// also return "" for an absent block: reading its document tells.
	Next(ctx context.Context, id string) (string, error)
	// AppendDoc appends the document of block id to buf and returns it;
	// an error matching chain.ErrNotFound when the block is absent.
	AppendDoc(ctx context.Context, buf []byte, id string) ([]byte, error)
}

// TailHinter is implemented by block stores that remember the last known
// tail of a chain, so appending does not follow every next from the root.
// A hint may be stale (the caller follows next from it) but must name a
// block of that chain.
type TailHinter interface {
	TailHint(ctx context.Context, chain string) (id string, err error)
	SetTailHint(ctx context.Context, chain, id string) error
}

// Ranger is implemented by block stores that index blocks by chain and
// height (MySQL, MongoDB), so a walker can fetch many blocks per round trip
// instead of following next one block at a time.
type Ranger interface {
	// After returns up to limit blocks of chain with a height above
	// height, in height order. It may include blocks that lost a race to
	// be linked (same height, not on the chain); the walker keeps only
	// those the next pointers name.
	After(ctx context.Context, chain string, height uint64, limit int) ([]RawBlock, error)
}

// RawBlock is one block as a Ranger returns it.
type RawBlock struct {
	ID     string
	Height uint64
	Doc    []byte
	Next   string
}

// Syncer is implemented by asset stores whose Put may return before the
// bytes are durable (the folder store groups its fsyncs). Sync makes every
// asset put before it durable; the builder calls it before linking a block
// that names them.
type Syncer interface {
	Sync(ctx context.Context) error
}

// Spooler is implemented by asset stores that can take bytes whose hash
// is not known yet (a pipe of unknown length), hashing them with h as they
// are written and naming the asset by the hash at the end: one pass over
// the bytes, where the caller would otherwise spool them elsewhere, hash
// them, and have Put read them again. PutUnsummed reads r to io.EOF and
// returns the lower-case hex digest and the length; like Put it returns
// an error matching chain.ErrExists (with the hash and length) when the
// asset was already stored, and stores nothing when r fails.
type Spooler interface {
	PutUnsummed(ctx context.Context, r io.Reader, h hash.Hash) (sum string, n int64, err error)
}
