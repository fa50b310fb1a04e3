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
	"github.com/blockhub/blockhub/broker"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
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
	// Broker, when set, makes writers hand their receipts to builder
	// daemons over RabbitMQ instead of linking blocks themselves.
	Broker *BrokerConfig
	Logger *slog.Logger
}

// BrokerConfig says how captures publish receipts to a broker (see
// package broker).
type BrokerConfig struct {
	// URL is amqp://user:pass@host:port/vhost.
	URL string
	// WaitLinked makes a receipt's outcome wait until a builder daemon
	// has linked it; ConfirmTTL is how long before it is published again.
	WaitLinked bool
	ConfirmTTL time.Duration
	// Timeout bounds how long the broker may stay unreachable.
	Timeout time.Duration
	// Shutdown, when it ends, stops the wait for confirmations: what is
	// pending is saved in home/broker for the next run.
	Shutdown context.Context
}

// Hub is an open pair of stores.
type Hub struct {
	Home   string
	Blocks *store.Blocks
	Assets *store.Assets
	log    *slog.Logger

	broker     *BrokerConfig
	brokerConn *broker.Conn // dialed by the first writer
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
	return &Hub{Home: home, Blocks: blocks, Assets: assets, log: log, broker: cfg.Broker}, nil
}

// Close closes both stores (and the broker connection).
func (h *Hub) Close() error {
	var err error
	if h.brokerConn != nil {
		err = h.brokerConn.Close()
	}
	return errors.Join(err, h.Blocks.Close(), h.Assets.Close())
}

// Chains yields the root of every chain in the block store, oldest first.
// A root that lost the race for its name (its creator found the name
// claimed for another root and used that one) is left out while it holds
// no block: it is no chain of its own (LostRoots lists them). One that
// holds blocks (written before names were claimed, or by id) is listed.
func (h *Hub) Chains(ctx context.Context) iter.Seq2[chain.Block, error] {
	return func(yield func(chain.Block, error) bool) {
		h.roots(ctx, func(r chain.Block, lostTo string, err error) bool {
			if err != nil || lostTo == "" {
				return yield(r, err)
			}
			return true
		})
	}
}

// LostRoot is a root left by a creator that lost the race for its name:
// it holds no block, and the name belongs to Winner.
type LostRoot struct {
	Root   chain.Block
	Name   string
	Winner string
}

// LostRoots yields the roots that Chains leaves out, oldest first. They
// are harmless (an empty root and the settings asset it shares with the
// winner); bhctl verify --orphans lists them.
func (h *Hub) LostRoots(ctx context.Context) iter.Seq2[LostRoot, error] {
	return func(yield func(LostRoot, error) bool) {
		h.roots(ctx, func(r chain.Block, lostTo string, err error) bool {
			if err != nil {
				return yield(LostRoot{}, err)
			}
			if lostTo == "" {
				return true
			}
			s, _ := chain.RootSettings(r)
			return yield(LostRoot{Root: r, Name: s.Name, Winner: lostTo}, nil)
		})
	}
}

// roots calls fn with every root of the block store, oldest first, and
// for an empty root whose name is claimed for another root, that root's
// id (lostTo); read errors are passed on. It stops when fn returns false.
func (h *Hub) roots(ctx context.Context, fn func(r chain.Block, lostTo string, err error) bool) {
	var roots []chain.Block
	for r, err := range h.Blocks.Roots(ctx) {
		if err != nil {
			if !fn(chain.Block{}, "", err) {
				return
			}
			continue
		}
		roots = append(roots, r)
	}
	slices.SortFunc(roots, func(a, b chain.Block) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.ID, b.ID))
	})
	claims := map[string]string{} // name -> claimed root, "" when unclaimed
	for _, r := range roots {
		lostTo := ""
		if s, err := chain.RootSettings(r); err == nil && r.Next == "" {
			claim, ok := claims[s.Name]
			if !ok {
				claim, err = h.Blocks.NameClaim(ctx, s.Name)
				if err != nil && !errors.Is(err, chain.ErrNotFound) {
					if !fn(chain.Block{}, "", err) {
						return
					}
				}
				claims[s.Name] = claim
			}
			if claim != "" && claim != r.ID {
				lostTo = claim
			}
		}
		if !fn(r, lostTo, nil) {
			return
		}
	}
}

// Resolve returns the root of the chain named nameOrID (a chain id, or a
// chain's name). A name resolves to the root it is claimed for in the
// block store (Blocks.ClaimName): the first root a creator claimed it
// for, the same in every process. A name with no claim (its chain was
// made before names were claimed) resolves to its oldest root (time, then
// id), which Resolve then claims it for, so that it stays the answer.
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
	id, err := h.Blocks.NameClaim(ctx, nameOrID)
	if err == nil {
		return h.claimedRoot(ctx, nameOrID, id)
	}
	if !errors.Is(err, chain.ErrNotFound) {
		return chain.Block{}, fmt.Errorf("chain %q: %w", nameOrID, err)
	}
	old, err := h.oldestRoot(ctx, nameOrID)
	if err != nil {
		return chain.Block{}, err
	}
	won, err := h.Blocks.ClaimName(ctx, nameOrID, old.ID)
	if err != nil {
		// A store this process may only read: the oldest root is what a
		// writer claims too.
		h.log.Warn("cannot claim the chain name; using its oldest root", "chain", nameOrID, "root", old.ID, "err", err)
		return old, nil
	}
	if won == old.ID {
		return old, nil
	}
	return h.claimedRoot(ctx, nameOrID, won)
}

// oldestRoot finds the oldest root named name by listing the roots: the
// rule for names that have no claim yet.
func (h *Hub) oldestRoot(ctx context.Context, name string) (chain.Block, error) {
	var best chain.Block
	found := false
	for r, err := range h.Blocks.Roots(ctx) {
		if err != nil {
			h.log.Warn("skipping unreadable root", "err", err)
			continue
		}
		s, err := chain.RootSettings(r)
		if err != nil || s.Name != name {
			continue
		}
		if !found || cmp.Or(cmp.Compare(r.Time, best.Time), cmp.Compare(r.ID, best.ID)) < 0 {
			best, found = r, true
		}
	}
	if !found {
		return chain.Block{}, fmt.Errorf("chain %q: %w (create it with: bhctl chain create %s)", name, chain.ErrNotFound, name)
	}
	return best, nil
}

// claimedRoot reads the root a name is claimed for and checks that it is
// a root of that name.
func (h *Hub) claimedRoot(ctx context.Context, name, id string) (chain.Block, error) {
	r, err := h.Blocks.Get(ctx, id)
	if err != nil {
		return chain.Block{}, fmt.Errorf("chain %q: claimed root: %w", name, err)
	}
	if s, err := chain.RootSettings(r); !r.IsRoot() || err != nil || s.Name != name {
		return chain.Block{}, fmt.Errorf("chain %q: %w: the name is claimed for block %s, which is not a root of that name", name, chain.ErrInvalid, id)
	}
	return r, nil
}

// Create makes a new chain with settings s; it fails with an error
// matching chain.ErrExists when a chain of that name exists, also when
// another process created it at the same moment: of two creators, one
// succeeds.
func (h *Hub) Create(ctx context.Context, s chain.Settings) (chain.Block, error) {
	if _, err := h.Resolve(ctx, s.Name); err == nil {
		return chain.Block{}, fmt.Errorf("chain %q: %w", s.Name, chain.ErrExists)
	} else if !errors.Is(err, chain.ErrNotFound) {
		return chain.Block{}, err
	}
	root, won, err := h.create(ctx, s)
	if err != nil {
		return chain.Block{}, err
	}
	if !won {
		return chain.Block{}, fmt.Errorf("chain %q: %w (created by another process at the same moment)", s.Name, chain.ErrExists)
	}
	return root, nil
}

// create writes a root with settings s and claims its name for it. When
// another root won the name (a racer created it at the same moment), that
// root is returned and won is false; the new root stays behind, empty.
func (h *Hub) create(ctx context.Context, s chain.Settings) (root chain.Block, won bool, err error) {
	mine, err := chain.NewRoot(s, time.Now())
	if err != nil {
		return chain.Block{}, false, err
	}
	if _, _, err := h.Assets.PutBytes(ctx, s.Crypt, s.Encode()); err != nil {
		return chain.Block{}, false, err
	}
	if err := h.Blocks.Create(ctx, mine); err != nil {
		return chain.Block{}, false, err
	}
	id, err := h.Blocks.ClaimName(ctx, s.Name, mine.ID)
	if err != nil {
		return chain.Block{}, false, fmt.Errorf("chain %q: %w", s.Name, err)
	}
	if id == mine.ID {
		return mine, true, nil
	}
	root, err = h.claimedRoot(ctx, s.Name, id)
	return root, false, err
}

// Chain returns the root of the chain nameOrID, creating a chain of that
// name with settings s (nil: the defaults) when there is none. created
// tells the caller to say so: the chain did not exist when the call
// began. It is also true for a caller that lost a race to create it (and
// was given the winner's root), so that every racer says the same.
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
	root, _, err = h.create(ctx, set)
	return root, err == nil, err
}

// Writer appends to one chain: an appender over a running builder, or
// over a broker publisher when the hub has a broker.
type Writer struct {
	*appender.Appender
	Root   chain.Block
	linker interface {
		appender.Linker
		Close() error
	}
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
	if h.broker != nil {
		p, err := h.publisher(ctx, root)
		if err != nil {
			return nil, err
		}
		return &Writer{Appender: h.appender(p, s.Crypt), Root: root, linker: p}, nil
	}
	tree, err := h.Tree(root)
	if err != nil {
		return nil, err
	}
	b, err := builder.Start(ctx, h.Blocks, root, &builder.Options{Logger: h.log, Bulk: bulk, BeforeLink: h.Assets.Sync,
		AfterLink: func(ctx context.Context, blk chain.Block) {
			// The tree is derived: a failure here leaves it behind, and
			// the next Update catches up.
			if err := tree.Appended(ctx, blk); err != nil {
				h.log.Warn("merkle tree not updated", "chain", root.ID, "height", blk.Height, "err", err)
			}
		}})
	if err != nil {
		return nil, err
	}
	return &Writer{Appender: h.appender(b, s.Crypt), Root: root, linker: b}, nil
}

// appender returns an appender of the hub's assets that queues with l and
// spools in the home; spool files a killed run left behind go now.
func (h *Hub) appender(l appender.Linker, crypt chain.Crypt) *appender.Appender {
	app := appender.New(h.Assets, l, crypt)
	app.SpoolIn(h.SpoolDir())
	if n, size, err := appender.CleanSpools(h.SpoolDir()); err != nil {
		h.log.Warn("cleaning stale spool files", "err", err)
	} else if n > 0 {
		h.log.Info("removed stale spool files", "files", n, "bytes", size)
	}
	return app
}

// SpoolDir is the folder, in the home, where writers spool input of
// unknown length (the folder store's tmp/ when the home is the store).
func (h *Hub) SpoolDir() string { return filepath.Join(h.Home, "tmp") }

// ConnectBroker dials the hub's broker, once: its writers share the
// connection. ctx bounds the dial only. Without a broker it returns nil.
func (h *Hub) ConnectBroker(ctx context.Context) (*broker.Conn, error) {
	if h.broker == nil {
		return nil, nil
	}
	if h.brokerConn == nil {
		conn, err := broker.Dial(ctx, h.broker.URL, &broker.Options{Logger: h.log, Timeout: h.broker.Timeout})
		if err != nil {
			return nil, err
		}
		h.brokerConn = conn
	}
	return h.brokerConn, nil
}

// publisher dials the hub's broker (once) and returns a publisher of the
// chain's receipts.
func (h *Hub) publisher(ctx context.Context, root chain.Block) (*broker.Publisher, error) {
	conn, err := h.ConnectBroker(ctx)
	if err != nil {
		return nil, err
	}
	return broker.NewPublisher(ctx, conn, root, &broker.PublisherOptions{
		Assets: h.Assets, Blocks: h.Blocks, Logger: h.log,
		WaitLinked: h.broker.WaitLinked, ConfirmTTL: h.broker.ConfirmTTL, Timeout: h.broker.Timeout,
		PendingDir: filepath.Join(h.Home, "broker"), Shutdown: h.broker.Shutdown,
	})
}

// Close links (or, with a broker, has confirmed) every receipt appended.
func (w *Writer) Close() error { return w.linker.Close() }

// Tree returns the Merkle tree of the chain rooted at root (its tiles in
// the block store, or under Home when the block store keeps none).
func (h *Hub) Tree(root chain.Block) (*merkle.Tree, error) {
	return merkle.Open(h.Blocks, root, &merkle.Options{Home: h.Home})
}

// Walker returns a walker over the chain rooted at root.
func (h *Hub) Walker(root chain.Block) *walk.Walker { return walk.New(h.Blocks, root.ID) }
