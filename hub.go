package blockhub

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/all" // every store driver
	"github.com/blockhub/blockhub/chain/walk"
)

// Config says where a hub keeps its data. Zero fields take defaults.
type Config struct {
	// Home is the folder of the embedded store and of derived indexes;
	// default $BH_HOME, else ./.bh.
	Home string
	// BlockStore and AssetStore are store URLs; default Home. Several
	// URLs form a cluster under ClusterPolicy.
	BlockStore []string
	AssetStore []string
	// ClusterPolicy is mirror (default), quorum=N or shard=N.
	ClusterPolicy string
	Logger        *slog.Logger
}

// Hub is an open pair of stores.
type Hub struct {
	Home   string
	Blocks *store.Blocks
	Assets *store.Assets
	log    *slog.Logger
}

// DefaultHome is $BH_HOME, else ./.bh.
func DefaultHome() string {
	if h := os.Getenv("BH_HOME"); h != "" {
		return h
	}
	return ".bh"
}

// Open opens the stores cfg names.
func Open(ctx context.Context, cfg Config) (*Hub, error) {
	if cfg.Home == "" {
		cfg.Home = DefaultHome()
	}
	home, err := filepath.Abs(cfg.Home)
	if err != nil {
		return nil, fmt.Errorf("home %s: %w", cfg.Home, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.BlockStore) == 0 {
		cfg.BlockStore = []string{home}
	}
	if len(cfg.AssetStore) == 0 {
		cfg.AssetStore = []string{home}
	}
	opts := &store.Options{Logger: log}
	blocks, err := openBlocks(ctx, cfg.BlockStore, cfg.ClusterPolicy, opts)
	if err != nil {
		return nil, err
	}
	assets, err := openAssets(ctx, cfg.AssetStore, cfg.ClusterPolicy, opts)
	if err != nil {
		blocks.Close()
		return nil, err
	}
	return &Hub{Home: home, Blocks: blocks, Assets: assets, log: log}, nil
}

// Close closes both stores.
func (h *Hub) Close() error {
	return errors.Join(h.Blocks.Close(), h.Assets.Close())
}

// Chains yields the root of every chain in the block store, oldest first.
func (h *Hub) Chains(ctx context.Context) iter.Seq2[chain.Block, error] {
	return func(yield func(chain.Block, error) bool) {
		var roots []chain.Block
		for r, err := range h.Blocks.Roots(ctx) {
			if err != nil {
				if !yield(chain.Block{}, err) {
					return
				}
				continue
			}
			roots = append(roots, r)
		}
		slices.SortFunc(roots, func(a, b chain.Block) int {
			return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.ID, b.ID))
		})
		for _, r := range roots {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Resolve returns the root of the chain named nameOrID (a chain id, or a
// chain's name). When two chains share a name (two processes created it at
// once), the oldest wins, for every process alike.
func (h *Hub) Resolve(ctx context.Context, nameOrID string) (chain.Block, error) {
	if chain.IsHex(nameOrID) {
		r, err := h.Blocks.Get(ctx, nameOrID)
		if err != nil {
			return chain.Block{}, fmt.Errorf("chain %s: %w", nameOrID, err)
		}
		if !r.IsRoot() {
			return chain.Block{}, fmt.Errorf("chain %s: %w: block at height %d is not a root", nameOrID, chain.ErrInvalid, r.Height)
		}
		return r, nil
	}
	for r, err := range h.Chains(ctx) {
		if err != nil {
			h.log.Warn("skipping unreadable root", "err", err)
			continue
		}
		if s, err := chain.RootSettings(r); err == nil && s.Name == nameOrID {
			return r, nil
		}
	}
	return chain.Block{}, fmt.Errorf("chain %q: %w (create it with: bhctl chain create %s)", nameOrID, chain.ErrNotFound, nameOrID)
}

// Create makes a new chain with settings s; it fails with an error
// matching chain.ErrExists when a chain of that name exists.
func (h *Hub) Create(ctx context.Context, s chain.Settings) (chain.Block, error) {
	if _, err := h.Resolve(ctx, s.Name); err == nil {
		return chain.Block{}, fmt.Errorf("chain %q: %w", s.Name, chain.ErrExists)
	} else if !errors.Is(err, chain.ErrNotFound) {
		return chain.Block{}, err
	}
	return h.create(ctx, s)
}

func (h *Hub) create(ctx context.Context, s chain.Settings) (chain.Block, error) {
	root, err := chain.NewRoot(s, time.Now())
	if err != nil {
		return chain.Block{}, err
	}
	if _, _, err := h.Assets.PutBytes(ctx, s.Crypt, s.Encode()); err != nil {
		return chain.Block{}, err
	}
	if err := h.Blocks.Create(ctx, root); err != nil {
		return chain.Block{}, err
	}
	// Two processes may have created the name at once: settle on the
	// oldest, as Resolve does.
	return h.Resolve(ctx, s.Name)
}

// Chain returns the root of the chain nameOrID, creating a chain of that
// name with settings s (nil: the defaults) when there is none. created
// tells the caller to say so.
func (h *Hub) Chain(ctx context.Context, nameOrID string, s *chain.Settings) (root chain.Block, created bool, err error) {
	root, err = h.Resolve(ctx, nameOrID)
	if err == nil || !errors.Is(err, chain.ErrNotFound) || chain.IsHex(nameOrID) {
		return root, false, err
	}
	set := chain.DefaultSettings(nameOrID)
	if s != nil {
		set = *s
		set.Name = nameOrID
	}
	root, err = h.create(ctx, set)
	return root, err == nil, err
}

// Writer appends to one chain: an appender over a running builder.
type Writer struct {
	*appender.Appender
	Builder *builder.Builder
	Root    chain.Block
}

// Writer starts a builder for the chain rooted at root and returns an
// appender feeding it. Close it to link everything appended.
func (h *Hub) Writer(ctx context.Context, root chain.Block) (*Writer, error) {
	return h.writer(ctx, root, false)
}

// BulkWriter is Writer for one-shot captures (bhctl pipe and import):
// receipts fill blocks up to the chain's max assets, linked when full,
// after the chain's ttl, or at Close. Services that answer per request
// (serve http) use Writer.
func (h *Hub) BulkWriter(ctx context.Context, root chain.Block) (*Writer, error) {
	return h.writer(ctx, root, true)
}

func (h *Hub) writer(ctx context.Context, root chain.Block, bulk bool) (*Writer, error) {
	s, err := chain.RootSettings(root)
	if err != nil {
		return nil, err
	}
	b, err := builder.Start(ctx, h.Blocks, root, &builder.Options{Logger: h.log, Bulk: bulk, BeforeLink: h.Assets.Sync})
	if err != nil {
		return nil, err
	}
	app := appender.New(h.Assets, b, s.Crypt)
	app.SpoolIn(h.SpoolDir())
	// Spool files a killed run left behind go now.
	if n, size, err := appender.CleanSpools(h.SpoolDir()); err != nil {
		h.log.Warn("cleaning stale spool files", "err", err)
	} else if n > 0 {
		h.log.Info("removed stale spool files", "files", n, "bytes", size)
	}
	return &Writer{Appender: app, Builder: b, Root: root}, nil
}

// SpoolDir is the folder, in the home, where writers spool input of
// unknown length (the folder store's tmp/ when the home is the store).
func (h *Hub) SpoolDir() string { return filepath.Join(h.Home, "tmp") }

// Close links every receipt appended and stops the builder.
func (w *Writer) Close() error { return w.Builder.Close() }

// Walker returns a walker over the chain rooted at root.
func (h *Hub) Walker(root chain.Block) *walk.Walker { return walk.New(h.Blocks, root.ID) }
