package index

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/walk"
)

var (
	bucketAssets  = []byte("assets")  // hash -> height (8 bytes) + index (4 bytes) of its first receipt
	bucketSources = []byte("sources") // source key -> meta of its latest asset
	bucketState   = []byte("state")   // "tail" -> id of the last indexed block
	bucketBlocks  = []byte("blocks")  // block id -> height (8 bytes)
	keyTail       = []byte("tail")
)

// Index answers what one chain holds.
type Index struct {
	db    *bolt.DB
	root  chain.Block
	Added int // blocks indexed by the last catch-up
}

// Path is where the index of chain rootID lives under home.
func Path(home, rootID string) string {
	return filepath.Join(home, "index", rootID+".db")
}

// Open opens (creating it if needed) the index of the chain rooted at
// root, brings it up to date from blocks, and returns it. Close it when
// done.
//
// The index file stays locked (bbolt's exclusive flock) from the catch-up
// until Close, so of two captures on one chain in one home, the second
// catches up only once the first closed the index, after linking what it
// captured: what the first captured, the second finds on the chain. (A
// catch-up, then a second open of the file for reading, would leave a
// moment between the two in which another capture could catch up to the
// same tail, and both would capture the same chunks.) The lock is waited
// for up to a minute.
func Open(ctx context.Context, home string, blocks *store.Blocks, root chain.Block) (*Index, error) {
	return OpenWait(ctx, home, blocks, root, time.Minute)
}

// ErrBusy is what OpenWait returns when another process holds the index
// for longer than the wait (an import with --prevent-dups holds it for its
// whole run).
var ErrBusy = errors.New("index busy")

// OpenWait is Open waiting at most wait for another process to release the
// index; after that it returns an error matching ErrBusy. Readers that can
// do without the index (walking the chain instead) wait briefly.
func OpenWait(ctx context.Context, home string, blocks *store.Blocks, root chain.Block, wait time.Duration) (*Index, error) {
	path := Path(home, root.ID)
	db, err := openFile(path, wait)
	if err != nil {
		return nil, err
	}
	added, err := catchUp(ctx, db, path, blocks, root, false)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Index{db: db, root: root, Added: added}, nil
}

// Rebuild empties the index of the chain and makes it anew from the chain,
// under the index's lock: a capture holding the index meanwhile is waited
// for, and never left reading a file that was removed under it.
func Rebuild(ctx context.Context, home string, blocks *store.Blocks, root chain.Block) (int, error) {
	path := Path(home, root.ID)
	db, err := openFile(path, time.Minute)
	if err != nil && !errors.Is(err, ErrBusy) {
		// A file bbolt cannot read (a rebuild's usual reason) is no one's
		// to hold: make a new one.
		if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return 0, fmt.Errorf("index: %w", rerr)
		}
		db, err = openFile(path, time.Minute)
	}
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return catchUp(ctx, db, path, blocks, root, true)
}

// openFile opens the index file at path for writing, waiting up to wait
// for another process to close it.
func openFile(path string, wait time.Duration) (*bolt.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: wait})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("index %s: %w: %w (another bhctl holds it)", path, ErrBusy, err)
	}
	if err != nil {
		return nil, fmt.Errorf("index %s: %w (another bhctl may hold it; bhctl index rebuild makes it anew)", path, err)
	}
	return db, nil
}

// catchUp indexes the blocks linked after the last indexed one; with
// anew, it empties the index first.
func catchUp(ctx context.Context, db *bolt.DB, path string, blocks *store.Blocks, root chain.Block, anew bool) (int, error) {
	var from string
	err := db.Update(func(tx *bolt.Tx) error {
		// An index made before block ids were kept lacks their bucket:
		// index the chain again from its root to fill it.
		anew = anew || tx.Bucket(bucketBlocks) == nil
		for _, b := range [][]byte{bucketAssets, bucketSources, bucketState, bucketBlocks} {
			if anew {
				if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
					return err
				}
			}
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		from = string(tx.Bucket(bucketState).Get(keyTail))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("index %s: %w", path, err)
	}
	opts := &walk.Options{From: from}
	if from == "" {
		opts.From = root.ID
	}
	// Write in batches so a long catch-up is not one huge transaction, and
	// a killed catch-up keeps what it did.
	const batch = 1000
	var pending []chain.Block
	added, receipts := 0, 0 // receipts pending: full blocks make big transactions
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := db.Update(func(tx *bolt.Tx) error {
			assets, sources, ids := tx.Bucket(bucketAssets), tx.Bucket(bucketSources), tx.Bucket(bucketBlocks)
			for _, b := range pending {
				var height [8]byte
				binary.BigEndian.PutUint64(height[:], b.Height)
				if err := ids.Put([]byte(b.ID), height[:]); err != nil {
					return err
				}
				for i, r := range b.Assets {
					var pos [12]byte
					binary.BigEndian.PutUint64(pos[:8], b.Height)
					binary.BigEndian.PutUint32(pos[8:], uint32(i))
					// The first receipt of an asset is the one kept (bhctl
					// prove proves it).
					if assets.Get([]byte(r.Hash)) == nil {
						if err := assets.Put([]byte(r.Hash), pos[:]); err != nil {
							return err
						}
					}
					if key := sourceKey(r.Meta); key != "" {
						if err := sources.Put([]byte(key), r.Meta); err != nil {
							return err
						}
					}
				}
			}
			return tx.Bucket(bucketState).Put(keyTail, []byte(pending[len(pending)-1].ID))
		})
		added += len(pending)
		pending = pending[:0]
		return err
	}
	for b, err := range walk.New(blocks, root.ID).All(ctx, opts) {
		if err != nil {
			return added, fmt.Errorf("index: %w", err)
		}
		if b.ID == from {
			continue // indexed last time
		}
		pending = append(pending, b)
		receipts += len(b.Assets)
		if len(pending) == batch || receipts >= batch*10 {
			receipts = 0
			if err := flush(); err != nil {
				return added, fmt.Errorf("index %s: %w", path, err)
			}
		}
	}
	if err := flush(); err != nil {
		return added, fmt.Errorf("index %s: %w", path, err)
	}
	return added, nil
}

// sourceKey reads the "key" field of an asset's meta.
func sourceKey(meta json.RawMessage) string {
	if len(meta) == 0 {
		return ""
	}
	var m struct {
		Key string `json:"key"`
	}
	if json.Unmarshal(meta, &m) != nil {
		return ""
	}
	return m.Key
}

// Has reports whether an asset with this hash is on the chain.
func (x *Index) Has(hash string) bool {
	found := false
	x.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketAssets).Get([]byte(hash)) != nil
		return nil
	})
	return found
}

// Position returns the height and index of an asset's first receipt on
// the chain.
func (x *Index) Position(hash string) (height uint64, index int, ok bool) {
	x.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketAssets).Get([]byte(hash)); len(v) == 12 {
			height, index, ok = binary.BigEndian.Uint64(v[:8]), int(binary.BigEndian.Uint32(v[8:])), true
		}
		return nil
	})
	return height, index, ok
}

// Last returns the meta of the latest asset captured under a source key.
func (x *Index) Last(key string) (json.RawMessage, bool) {
	var out json.RawMessage
	x.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketSources).Get([]byte(key)); v != nil {
			out = append(json.RawMessage(nil), v...)
		}
		return nil
	})
	return out, out != nil
}

// Count returns the number of assets indexed.
func (x *Index) Count() int {
	n := 0
	x.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketAssets).Stats().KeyN
		return nil
	})
	return n
}

// Close closes the index file.
func (x *Index) Close() error { return x.db.Close() }
