package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Assets is an asset store: content-addressed, write-once bytes.
type Assets struct {
	d   driver.AssetStore
	url string // redacted
}

// NewAssets wraps a driver; rawURL names it in errors (it is redacted).
func NewAssets(d driver.AssetStore, rawURL string) *Assets {
	return &Assets{d: d, url: Redact(rawURL)}
}

// URL is the store's URL with secrets redacted.
func (a *Assets) URL() string { return a.url }

// Driver returns the wrapped driver, for optional interfaces.
func (a *Assets) Driver() driver.AssetStore { return a.d }

// CryptOf returns the hash function whose digests have hash's length.
func CryptOf(hash string) (chain.Crypt, error) {
	if err := chain.CheckHex("asset hash", hash); err != nil {
		return "", err
	}
	if len(hash) == chain.MD5.HexLen() {
		return chain.MD5, nil
	}
	return chain.SHA256, nil
}

// Put stores the bytes of r under hash unless they are there already,
// reading them once and refusing them (an error matching chain.ErrTampered,
// nothing stored) when they do not hash to hash or are not size bytes long
// (size -1: unknown). created is false when the asset was already stored.
func (a *Assets) Put(ctx context.Context, hash string, r io.Reader, size int64) (created bool, err error) {
	c, err := CryptOf(hash)
	if err != nil {
		return false, fmt.Errorf("asset store %s: %w", a.url, err)
	}
	return a.put(ctx, hash, &verifyingReader{r: r, h: c.New(), want: hash, size: size}, size)
}

// PutBytes hashes b with c and stores it; it returns the hash and whether
// the asset was new.
func (a *Assets) PutBytes(ctx context.Context, c chain.Crypt, b []byte) (hash string, created bool, err error) {
	hash = c.Sum(b)
	created, err = a.PutSummed(ctx, hash, b)
	return hash, created, err
}

// PutSummed stores b under hash, which the caller computed from b itself:
// the bytes are in memory, so what the driver reads is what was hashed,
// and they are not hashed again.
func (a *Assets) PutSummed(ctx context.Context, hash string, b []byte) (created bool, err error) {
	if err := chain.CheckHex("asset hash", hash); err != nil {
		return false, fmt.Errorf("asset store %s: %w", a.url, err)
	}
	return a.put(ctx, hash, bytes.NewReader(b), int64(len(b)))
}

// put hands r to the driver; an asset stored already is no error, only
// not created.
func (a *Assets) put(ctx context.Context, hash string, r io.Reader, size int64) (created bool, err error) {
	err = a.d.Put(ctx, hash, r, size)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, chain.ErrExists):
		return false, nil
	}
	return false, fmt.Errorf("asset store %s: put %s: %w", a.url, hash, err)
}

// Get opens the asset named hash. The reader returns an error matching
// chain.ErrTampered at the end when the stored bytes do not match the hash,
// so a caller that reads to io.EOF has read verified bytes.
func (a *Assets) Get(ctx context.Context, hash string) (io.ReadCloser, error) {
	c, err := CryptOf(hash)
	if err != nil {
		return nil, fmt.Errorf("asset store %s: %w", a.url, err)
	}
	rc, err := a.d.Get(ctx, hash)
	if err != nil {
		return nil, fmt.Errorf("asset store %s: asset %s: %w", a.url, hash, err)
	}
	return &verifyingReadCloser{verifyingReader{r: rc, h: c.New(), want: hash, size: -1}, rc}, nil
}

// ReadAll returns the verified bytes of an asset.
func (a *Assets) ReadAll(ctx context.Context, hash string) ([]byte, error) {
	rc, err := a.Get(ctx, hash)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("asset store %s: asset %s: %w", a.url, hash, err)
	}
	return b, nil
}

// Stat returns the stored size of the asset.
func (a *Assets) Stat(ctx context.Context, hash string) (int64, error) {
	if err := chain.CheckHex("asset hash", hash); err != nil {
		return 0, fmt.Errorf("asset store %s: %w", a.url, err)
	}
	n, err := a.d.Stat(ctx, hash)
	if err != nil {
		return 0, fmt.Errorf("asset store %s: asset %s: %w", a.url, hash, err)
	}
	return n, nil
}

// Has reports whether the asset is stored.
func (a *Assets) Has(ctx context.Context, hash string) (bool, error) {
	_, err := a.Stat(ctx, hash)
	if errors.Is(err, chain.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Reachable asks the store for an asset (the empty one), to tell that it
// answers: start-up checklists call it before they say the store is up.
func (a *Assets) Reachable(ctx context.Context) error {
	_, err := a.Has(ctx, chain.DefaultCrypt.Sum(nil))
	return err
}

// Verify reads the asset back and checks its bytes against its hash and,
// when length >= 0, its length.
func (a *Assets) Verify(ctx context.Context, hash string, length int64) error {
	rc, err := a.Get(ctx, hash)
	if err != nil {
		return err
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil {
		return fmt.Errorf("asset %s: %w", hash, err)
	}
	if length >= 0 && n != length {
		return fmt.Errorf("asset %s: %w: %d bytes, the block says %d", hash, chain.ErrTampered, n, length)
	}
	return nil
}

// All yields every stored asset hash.
func (a *Assets) All(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for h, err := range a.d.All(ctx) {
			if err != nil {
				yield("", fmt.Errorf("asset store %s: list: %w", a.url, err))
				return
			}
			if !yield(h, nil) {
				return
			}
		}
	}
}

// Sync makes every asset put so far durable, for drivers that defer it
// (driver.Syncer); for the others it does nothing.
func (a *Assets) Sync(ctx context.Context) error {
	if s, ok := a.d.(driver.Syncer); ok {
		if err := s.Sync(ctx); err != nil {
			return fmt.Errorf("asset store %s: %w", a.url, err)
		}
	}
	return nil
}

// Close closes the driver.
func (a *Assets) Close() error { return a.d.Close() }

// verifyingReader hashes what passes through it and, at the end, returns
// an error matching chain.ErrTampered instead of io.EOF when the digest or
// the length is wrong.
type verifyingReader struct {
	r    io.Reader
	h    hash.Hash
	want string
	size int64
	n    int64
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		return n, fmt.Errorf("%w: more than the %d bytes announced", chain.ErrTampered, v.size)
	}
	if err == io.EOF {
		if v.size >= 0 && v.n != v.size {
			return n, fmt.Errorf("%w: %d bytes, want %d", chain.ErrTampered, v.n, v.size)
		}
		if got := fmt.Sprintf("%x", v.h.Sum(nil)); got != v.want {
			return n, fmt.Errorf("%w: bytes hash to %s", chain.ErrTampered, got)
		}
	}
	return n, err
}

type verifyingReadCloser struct {
	verifyingReader
	c io.Closer
}

func (v *verifyingReadCloser) Close() error { return v.c.Close() }
