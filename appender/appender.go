package appender

import (
	"context"
	"encoding/json"
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
}

// Appended is the outcome of appending one chunk.
type Appended struct {
	Receipt chain.Receipt
	// New is false when the asset store already held these bytes.
	New bool
	// Linked receives where the receipt landed once its block is linked.
	Linked <-chan builder.Linked
}

// Appender stores assets of one chain and queues their receipts.
type Appender struct {
	assets  *store.Assets
	builder *builder.Builder
	crypt   chain.Crypt
}

// New returns an Appender that hashes with crypt, stores into assets and
// queues receipts with b.
func New(assets *store.Assets, b *builder.Builder, crypt chain.Crypt) *Appender {
	return &Appender{assets: assets, builder: b, crypt: crypt}
}

// Crypt is the hash function of the appender's chain.
func (a *Appender) Crypt() chain.Crypt { return a.crypt }

// Store hashes and stores a chunk without queueing its receipt.
func (a *Appender) Store(ctx context.Context, c Chunk) (chain.Receipt, bool, error) {
	if len(c.Meta) > 0 && (c.Meta[0] != '{' || !json.Valid(c.Meta)) {
		return chain.Receipt{}, false, fmt.Errorf("appender: %w meta: not a JSON object", chain.ErrInvalid)
	}
	hash, created, err := a.assets.PutBytes(ctx, a.crypt, c.Data)
	if err != nil {
		return chain.Receipt{}, false, err
	}
	return chain.Receipt{Hash: hash, Crypt: a.crypt, Length: int64(len(c.Data)), Type: c.Type, Meta: c.Meta}, created, nil
}

// Queue hands a stored asset's receipt to the builder.
func (a *Appender) Queue(r chain.Receipt) (<-chan builder.Linked, error) {
	return a.builder.Add(r)
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
// queues its receipt.
func (a *Appender) AppendReader(ctx context.Context, r io.Reader, typ string, meta json.RawMessage) (Appended, error) {
	f, err := os.CreateTemp("", "bh-spool-*")
	if err != nil {
		return Appended{}, fmt.Errorf("appender: spool: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := a.crypt.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		return Appended{}, fmt.Errorf("appender: read input: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Appended{}, err
	}
	hash := fmt.Sprintf("%x", h.Sum(nil))
	created, err := a.assets.Put(ctx, hash, f, n)
	if err != nil {
		return Appended{}, err
	}
	rc := chain.Receipt{Hash: hash, Crypt: a.crypt, Length: n, Type: typ, Meta: meta}
	ch, err := a.Queue(rc)
	if err != nil {
		return Appended{}, err
	}
	return Appended{Receipt: rc, New: created, Linked: ch}, nil
}

// Options tune AppendAll; nil means the defaults.
type Options struct {
	// Workers hash and store chunks in parallel; default GOMAXPROCS.
	Workers int
	// Skip, when set, is asked about every stored chunk before its receipt
	// is queued; returning true leaves it off the chain (--prevent-dups).
	Skip func(chain.Receipt) bool
}

// Result is one chunk's outcome in AppendAll.
type Result struct {
	Appended
	// Skipped is true when Options.Skip left the chunk off the chain.
	Skipped bool
}

// AppendAll appends every chunk of chunks, hashing and storing with
// several workers, and queues the receipts in the chunks' order. It yields
// each chunk's result in order; the first error (from chunks or a store)
// is yielded last and stops the run. Memory holds at most a few chunks per
// worker.
func (a *Appender) AppendAll(ctx context.Context, chunks iter.Seq2[Chunk, error], opts *Options) iter.Seq2[Result, error] {
	workers := runtime.GOMAXPROCS(0)
	var skip func(chain.Receipt) bool
	if opts != nil {
		if opts.Workers > 0 {
			workers = opts.Workers
		}
		skip = opts.Skip
	}
	return func(yield func(Result, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type job struct {
			c   Chunk
			out chan stored
		}
		jobs := make(chan job, workers)
		order := make(chan chan stored, 2*workers)
		for range workers {
			go func() {
				for j := range jobs {
					r, created, err := a.Store(ctx, j.c)
					j.out <- stored{r, created, err}
				}
			}()
		}
		var inputErr error
		go func() {
			defer close(order)
			defer close(jobs)
			for c, err := range chunks {
				if err != nil {
					inputErr = err
					return
				}
				out := make(chan stored, 1)
				select {
				case jobs <- job{c, out}:
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
				if !yield(Result{Appended: Appended{Receipt: s.r, New: s.created}, Skipped: true}, nil) {
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
			if !yield(Result{Appended: Appended{Receipt: s.r, New: s.created, Linked: ch}}, nil) {
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

type stored struct {
	r       chain.Receipt
	created bool
	err     error
}
