package appender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"

	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// Chunk is one asset-to-be: its bytes, content type and meta (a JSON
// object, or nil).
type Chunk struct {
	Data []byte
	Type string
	Meta json.RawMessage
	// Prepare, when set, completes the chunk before it is hashed, on the
	// goroutine that stores it (one of AppendAll's workers), so that the
	// goroutine yielding the chunks can go on reading: a scan for
	// sensitive data, the encoding of the meta, a digest still being
	// computed. Its error stops the run as a store's would, in the
	// chunk's order.
	Prepare func(*Chunk) error
	// Tag is the caller's own, handed back in the chunk's Result: what it
	// knows of the chunk (or Prepare learnt), to act on in order.
	Tag any
}

// Prepared returns c completed by its Prepare, if any (AppendAll and
// Store call it; a dry run that stores nothing calls it itself).
func (c Chunk) Prepared() (Chunk, error) {
	if c.Prepare == nil {
		return c, nil
	}
	p, tag := c.Prepare, c.Tag
	c.Prepare = nil
	err := p(&c)
	c.Tag = tag // kept, should Prepare fill in a new chunk whole
	return c, err
}

// Appended is the outcome of appending one chunk.
type Appended struct {
	Receipt chain.Receipt
	// New is false when the asset store already held these bytes.
	New bool
	// Linked receives where the receipt landed once its block is linked.
	Linked <-chan builder.Linked
}

// Linker takes the receipts of stored assets onto the chain: a local
// *builder.Builder, or a broker's publisher that hands them to builder
// daemons. The channel receives the receipt's outcome.
type Linker interface {
	Add(r chain.Receipt) (<-chan builder.Linked, error)
}

// Appender stores assets of one chain and queues their receipts.
type Appender struct {
	assets *store.Assets
	linker Linker
	crypt  chain.Crypt
	// spoolDir is where AppendReader spools ("": the system's temporary
	// folder); see SpoolIn.
	spoolDir string
}

// New returns an Appender that hashes with crypt, stores into assets and
// queues receipts with l.
func New(assets *store.Assets, l Linker, crypt chain.Crypt) *Appender {
	return &Appender{assets: assets, linker: l, crypt: crypt}
}

// Crypt is the hash function of the appender's chain.
func (a *Appender) Crypt() chain.Crypt { return a.crypt }

// Store hashes and stores a chunk without queueing its receipt.
func (a *Appender) Store(ctx context.Context, c Chunk) (chain.Receipt, bool, error) {
	c, err := c.Prepared()
	if err != nil {
		return chain.Receipt{}, false, err
	}
	r, err := a.receipt(c)
	if err != nil {
		return chain.Receipt{}, false, err
	}
	created, err := a.assets.PutSummed(ctx, r.Hash, c.Data)
	if err != nil {
		return chain.Receipt{}, false, err
	}
	return r, created, nil
}

// receipt checks a chunk's meta and hashes its bytes.
func (a *Appender) receipt(c Chunk) (chain.Receipt, error) {
	if len(c.Meta) > 0 && (c.Meta[0] != '{' || !json.Valid(c.Meta)) {
		return chain.Receipt{}, fmt.Errorf("appender: %w meta: not a JSON object", chain.ErrInvalid)
	}
	return chain.Receipt{Hash: a.crypt.Sum(c.Data), Crypt: a.crypt, Length: int64(len(c.Data)), Type: c.Type, Meta: c.Meta}, nil
}

// Queue hands a stored asset's receipt to the linker.
func (a *Appender) Queue(r chain.Receipt) (<-chan builder.Linked, error) {
	return a.linker.Add(r)
}

// Append stores one chunk and queues its receipt.
func (a *Appender) Append(ctx context.Context, c Chunk) (Appended, error) {
	r, created, err := a.Store(ctx, c)
	if err != nil {
		return Appended{}, err
	}
	ch, err := a.Queue(r)
	if err != nil {
		return Appended{}, err
	}
	return Appended{Receipt: r, New: created, Linked: ch}, nil
}

// AppendReader stores everything r yields as one asset, spooling it to a
// temporary file so that memory stays constant whatever its size, then
// queues its receipt. A store that can name an asset after its bytes
// (store.Assets.Spools: the folder store) takes r directly, in one pass.
func (a *Appender) AppendReader(ctx context.Context, r io.Reader, typ string, meta json.RawMessage) (Appended, error) {
	rc, created, err := a.StoreReader(ctx, r, typ, meta)
	if err != nil {
		return Appended{}, err
	}
	ch, err := a.Queue(rc)
	if err != nil {
		return Appended{}, err
	}
	return Appended{Receipt: rc, New: created, Linked: ch}, nil
}

// StoreReader is AppendReader without queueing the receipt.
func (a *Appender) StoreReader(ctx context.Context, r io.Reader, typ string, meta json.RawMessage) (chain.Receipt, bool, error) {
	if a.assets.Spools() {
		return a.storeUnsummed(ctx, r, typ, meta)
	}
	f, err := newSpool(a.spoolDir)
	if err != nil {
		return chain.Receipt{}, false, fmt.Errorf("appender: spool: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := a.crypt.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		return chain.Receipt{}, false, fmt.Errorf("appender: read input: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return chain.Receipt{}, false, err
	}
	hash := fmt.Sprintf("%x", h.Sum(nil))
	created, err := a.assets.Put(ctx, hash, f, n)
	if err != nil {
		return chain.Receipt{}, false, err
	}
	return chain.Receipt{Hash: hash, Crypt: a.crypt, Length: n, Type: typ, Meta: meta}, created, nil
}

// Options tune AppendAll; nil means the defaults.
type Options struct {
	// Workers prepare, hash and store chunks in parallel; default four
	// times GOMAXPROCS: a worker spends part of each chunk waiting for
	// the store (an O_DIRECT write, a fsync, a network put), when another
	// can hash (a 1 MiB-chunk pipe: 1.14 s with two per core, 1.0 s with
	// four; docs/BENCHMARKS.md).
	Workers int
	// Skip, when set, is asked about every chunk, in order, before its
	// receipt is queued; returning true leaves it off the chain
	// (--prevent-dups).
	Skip func(chain.Receipt) bool
	// Known, when set, is asked by the workers (so it must be safe for
	// concurrent use) whether the chain already holds a hash; such a chunk
	// is not stored again, only handed to Skip. It saves re-uploading what
	// --prevent-dups will skip anyway.
	Known func(hash string) bool
}

// Result is one chunk's outcome in AppendAll.
type Result struct {
	Appended
	// Skipped is true when Options.Skip left the chunk off the chain.
	Skipped bool
	// Tag is the chunk's Tag.
	Tag any
}

// AppendAll appends every chunk of chunks, hashing and storing with
// several workers, and queues the receipts in the chunks' order. It yields
// each chunk's result in order; the first error (from chunks or a store)
// is yielded last and stops the run. Memory holds at most a few chunks per
// worker. A chunk's Data is not read once its result is yielded, so the
// caller may use its buffer again (bhctl pipe does).
func (a *Appender) AppendAll(ctx context.Context, chunks iter.Seq2[Chunk, error], opts *Options) iter.Seq2[Result, error] {
	workers := 4 * runtime.GOMAXPROCS(0)
	var (
		skip  func(chain.Receipt) bool
		known func(string) bool
	)
	if opts != nil {
		if opts.Workers > 0 {
			workers = opts.Workers
		}
		skip, known = opts.Skip, opts.Known
	}
	return func(yield func(Result, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// A chunk is stored only once every chunk before it was prepared
		// without error: each job tells the next (ok) whether it and all
		// before it were, so a chunk refused by its Prepare (--sensitive
		// =block) leaves no chunk after it stored, even by a worker that
		// took that one first.
		type job struct {
			c        Chunk
			out      chan stored
			prev, ok chan bool // prev is nil for the first chunk
		}
		jobs := make(chan job, workers)
		order := make(chan chan stored, 2*workers)
		for range workers {
			go func() {
				for j := range jobs {
					c, err := j.c.Prepared()
					if j.prev != nil && !<-j.prev && err == nil {
						err = errEarlierRefused // never yielded: the earlier error is
					}
					j.ok <- err == nil
					if err != nil {
						j.out <- stored{err: err}
						continue
					}
					s := a.storeUnlessKnown(ctx, c, known)
					s.tag = c.Tag
					j.out <- s
				}
			}()
		}
		var inputErr error
		go func() {
			defer close(order)
			defer close(jobs)
			var prev chan bool
			for c, err := range chunks {
				if err != nil {
					inputErr = err
					return
				}
				out := make(chan stored, 1)
				ok := make(chan bool, 1)
				select {
				case jobs <- job{c, out, prev, ok}:
					prev = ok
				case <-ctx.Done():
					return
				}
				select {
				case order <- out:
				case <-ctx.Done():
					return
				}
			}
		}()
		for out := range order {
			s := <-out
			if s.err != nil {
				cancel()
				yield(Result{}, s.err)
				return
			}
			if skip != nil && skip(s.r) {
				if !yield(Result{Appended: Appended{Receipt: s.r, New: s.created}, Skipped: true, Tag: s.tag}, nil) {
					return
				}
				continue
			}
			ch, err := a.Queue(s.r)
			if err != nil {
				cancel()
				yield(Result{}, err)
				return
			}
			if !yield(Result{Appended: Appended{Receipt: s.r, New: s.created, Linked: ch}, Tag: s.tag}, nil) {
				return
			}
		}
		// order is closed only after the producer returned, so inputErr is
		// safe to read here.
		if inputErr != nil {
			yield(Result{}, inputErr)
		}
	}
}

// errEarlierRefused stops a chunk whose predecessor's Prepare failed.
var errEarlierRefused = errors.New("appender: an earlier chunk was refused")

// storeUnlessKnown stores a prepared chunk, unless known says the chain
// holds it.
func (a *Appender) storeUnlessKnown(ctx context.Context, c Chunk, known func(string) bool) stored {
	r, err := a.receipt(c)
	if err != nil {
		return stored{err: err}
	}
	if known != nil && known(r.Hash) {
		return stored{r: r}
	}
	created, err := a.assets.PutSummed(ctx, r.Hash, c.Data)
	return stored{r: r, created: created, err: err}
}

type stored struct {
	r       chain.Receipt
	created bool
	err     error
	tag     any // the chunk's Tag
}
