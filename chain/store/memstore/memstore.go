// Package memstore is an in-process asset and block store under the mem://
// scheme, for unit tests of the core. Every open of the same mem:// URL
// (mem://, mem://a, ...) reaches the same store for the life of the process.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"net/url"
	"sync"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Scheme is the URL scheme of this driver.
const Scheme = "mem"

func init() { store.Register(Scheme, opener{}) }

var (
	mu     sync.Mutex
	assets = map[string]*AssetStore{}
	blocks = map[string]*BlockStore{}
)

type opener struct{}

func (opener) OpenAssets(_ context.Context, u *url.URL, _ *store.Options) (driver.AssetStore, error) {
	mu.Lock()
	defer mu.Unlock()
	name := u.Host + u.Path
	if assets[name] == nil {
		assets[name] = NewAssets()
	}
	return assets[name], nil
}

func (opener) OpenBlocks(_ context.Context, u *url.URL, _ *store.Options) (driver.BlockStore, error) {
	mu.Lock()
	defer mu.Unlock()
	name := u.Host + u.Path
	if blocks[name] == nil {
		blocks[name] = NewBlocks()
	}
	return blocks[name], nil
}

// AssetStore keeps assets in a map.
type AssetStore struct {
	mu     sync.Mutex
	assets map[string][]byte
}

// BlockStore keeps blocks and next pointers in maps.
type BlockStore struct {
	mu      sync.Mutex
	blocks  map[string][]byte
	next    map[string]string
	roots   []string
	tails   map[string]string
	names   map[string]string // name key -> root, set once
	changed chan struct{}     // closed and replaced whenever a next is set
	tiles   tiles
}

var (
	_ driver.AssetStore = (*AssetStore)(nil)
	_ driver.BlockStore = (*BlockStore)(nil)
	_ driver.NextWaiter = (*BlockStore)(nil)
	_ driver.TailHinter = (*BlockStore)(nil)
)

// NewAssets returns an empty asset store that no URL reaches.
func NewAssets() *AssetStore { return &AssetStore{assets: map[string][]byte{}} }

// NewBlocks returns an empty block store that no URL reaches.
func NewBlocks() *BlockStore {
	return &BlockStore{
		blocks:  map[string][]byte{},
		next:    map[string]string{},
		tails:   map[string]string{},
		names:   map[string]string{},
		changed: make(chan struct{}),
	}
}

// Put implements driver.AssetStore.
func (s *AssetStore) Put(_ context.Context, hash string, r io.Reader, _ int64) error {
	s.mu.Lock()
	_, ok := s.assets[hash]
	s.mu.Unlock()
	if ok {
		return chain.ErrExists
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.assets[hash]; ok {
		return chain.ErrExists
	}
	s.assets[hash] = b
	return nil
}

// Get implements driver.AssetStore.
func (s *AssetStore) Get(_ context.Context, hash string) (io.ReadCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.assets[hash]
	if !ok {
		return nil, chain.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Stat implements driver.AssetStore.
func (s *AssetStore) Stat(_ context.Context, hash string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.assets[hash]
	if !ok {
		return 0, chain.ErrNotFound
	}
	return int64(len(b)), nil
}

// All implements driver.AssetStore.
func (s *AssetStore) All(context.Context) iter.Seq2[string, error] {
	s.mu.Lock()
	keys := make([]string, 0, len(s.assets))
	for k := range s.assets {
		keys = append(keys, k)
	}
	s.mu.Unlock()
	return func(yield func(string, error) bool) {
		for _, k := range keys {
			if !yield(k, nil) {
				return
			}
		}
	}
}

// Create implements driver.BlockStore.
func (s *BlockStore) Create(_ context.Context, info driver.BlockInfo, doc []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.blocks[info.ID]; ok {
		return chain.ErrExists
	}
	s.blocks[info.ID] = bytes.Clone(doc)
	if info.Height == 0 {
		s.roots = append(s.roots, info.ID)
	}
	return nil
}

// Get implements driver.BlockStore.
func (s *BlockStore) Get(_ context.Context, id string) ([]byte, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, ok := s.blocks[id]
	if !ok {
		return nil, "", chain.ErrNotFound
	}
	return doc, s.next[id], nil
}

// SetNext implements driver.BlockStore.
func (s *BlockStore) SetNext(_ context.Context, id, next string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.blocks[id]; !ok {
		return chain.ErrNotFound
	}
	if cur, ok := s.next[id]; ok {
		if cur == next {
			return nil
		}
		return fmt.Errorf("%w (to %s)", chain.ErrNextSet, cur)
	}
	s.next[id] = next
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

// ClaimName implements driver.BlockStore: the map, under the mutex.
func (s *BlockStore) ClaimName(_ context.Context, key, _, root string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.names[key]; ok {
		return cur, nil
	}
	s.names[key] = root
	return root, nil
}

// NameClaim implements driver.BlockStore.
func (s *BlockStore) NameClaim(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.names[key]; ok {
		return cur, nil
	}
	return "", chain.ErrNotFound
}

// Roots implements driver.BlockStore.
func (s *BlockStore) Roots(context.Context) iter.Seq2[string, error] {
	s.mu.Lock()
	roots := append([]string(nil), s.roots...)
	s.mu.Unlock()
	return func(yield func(string, error) bool) {
		for _, id := range roots {
			if !yield(id, nil) {
				return
			}
		}
	}
}

// WaitNext implements driver.NextWaiter.
func (s *BlockStore) WaitNext(ctx context.Context, id string, timeout time.Duration) error {
	s.mu.Lock()
	_, set := s.next[id]
	ch := s.changed
	s.mu.Unlock()
	if set {
		return nil
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// TailHint implements driver.TailHinter.
func (s *BlockStore) TailHint(_ context.Context, chainID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.tails[chainID]; ok {
		return id, nil
	}
	return "", chain.ErrNotFound
}

// SetTailHint implements driver.TailHinter.
func (s *BlockStore) SetTailHint(_ context.Context, chainID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tails[chainID] = id
	return nil
}

// Close implements driver.BlockStore; the data stays for the next Open of
// the same URL.
func (s *BlockStore) Close() error { return nil }

// Close implements driver.AssetStore; the data stays for the next Open of
// the same URL.
func (s *AssetStore) Close() error { return nil }
