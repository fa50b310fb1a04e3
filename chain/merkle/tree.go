package merkle

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/walk"
)

// ErrDamaged is matched by errors about a stored tree that does not fit
// its chain or itself (a missing tile, a head naming a block the chain
// does not hold): bhctl index rebuild makes the tree anew.
var ErrDamaged = errors.New("merkle tree damaged")

// commitEvery is how many leaves a catch-up adds before it stores what it
// has (at a block's end), so a long one keeps memory bounded and a killed
// one keeps its work.
const commitEvery = 1 << 16

// Options tune a Tree; nil means the defaults.
type Options struct {
	// Home is the folder the tiles go to when the block store keeps none
	// (Home/tree/<chain id>/). Needed only for such stores.
	Home string
}

// Tree is the Merkle tree of one chain's receipts, as stored. Its methods
// are safe for concurrent use.
type Tree struct {
	blocks *store.Blocks
	root   chain.Block
	tiles  tileStore
	idLen  int

	mu     sync.Mutex
	head   Head
	loaded bool
	cache  map[string][]byte // full tiles read or written
}

// Open returns the tree of the chain rooted at root. It reads nothing:
// Update (or Load) does.
func Open(blocks *store.Blocks, root chain.Block, opts *Options) (*Tree, error) {
	if !root.IsRoot() {
		return nil, fmt.Errorf("merkle: %w block %s is not a root", chain.ErrInvalid, root.ID)
	}
	t := &Tree{blocks: blocks, root: root, idLen: root.Crypt.HexLen() / 2, cache: map[string][]byte{}}
	if ts := blocks.Tiles(); ts != nil {
		t.tiles = storeTiles{t: ts, chain: root.ID}
	} else {
		if opts == nil || opts.Home == "" {
			return nil, fmt.Errorf("merkle: block store %s keeps no tiles, and no home folder was given for them", blocks.URL())
		}
		t.tiles = dirTiles{dir: filepath.Join(opts.Home, "tree", root.ID)}
	}
	return t, nil
}

// Where names where the tiles are kept.
func (t *Tree) Where() string { return t.tiles.where() }

// Origin is the checkpoint origin of the chain: blockhub/<chain id>.
func (t *Tree) Origin() string { return Origin(t.root.ID) }

// Head returns the state last loaded or stored.
func (t *Tree) Head() Head {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.head
}

// Load reads the stored head (the zero Head when there is none yet).
func (t *Tree) Load(ctx context.Context) (Head, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return Head{}, err
	}
	return t.head, nil
}

func (t *Tree) load(ctx context.Context) error {
	b, err := t.tiles.get(ctx, headName)
	if errors.Is(err, chain.ErrNotFound) {
		t.head, t.loaded = Head{}, true
		return nil
	}
	if err != nil {
		return fmt.Errorf("merkle: %w", err)
	}
	h, err := decodeHead(b)
	if err != nil {
		return fmt.Errorf("merkle: %s: %w: %w", t.tiles.where(), ErrDamaged, err)
	}
	if !t.loaded || h.Size > t.head.Size {
		t.head = h
	}
	t.loaded = true
	return nil
}

// Update brings the stored tree up to the chain's tail, walking only the
// blocks linked after the last one it covers, and returns its head.
func (t *Tree) Update(ctx context.Context) (Head, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return Head{}, err
	}
	if err := t.catchUp(ctx); err != nil {
		return Head{}, err
	}
	return t.head, nil
}

// Rebuild makes the tree anew from the whole chain, replacing what is
// stored, and returns its head.
func (t *Tree) Rebuild(ctx context.Context) (Head, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.head, t.loaded, t.cache = Head{}, true, map[string][]byte{}
	if err := t.catchUp(ctx); err != nil {
		return Head{}, err
	}
	return t.head, nil
}

// Appended adds block b, just linked, to the tree. When b follows the
// block the tree last covered (the common case for a writer), no store
// is read; otherwise the tree catches up from the store.
func (t *Tree) Appended(ctx context.Context, b chain.Block) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.loaded && t.head.Block != "" && b.Prev == t.head.Block && b.Height == t.head.Height+1 && b.Chain == t.root.ID {
		g := t.grow()
		if err := g.add(b); err != nil {
			return err
		}
		return g.commit(ctx)
	}
	if !t.loaded || t.head.Block == "" {
		if err := t.load(ctx); err != nil {
			return err
		}
	}
	return t.catchUp(ctx)
}

// catchUp walks from the block the head covers to the tail.
func (t *Tree) catchUp(ctx context.Context) error {
	from := t.head.Block
	if from == "" {
		from = t.root.ID
	}
	if err := t.checkLinked(ctx); err != nil {
		return err
	}
	g := t.grow()
	for b, err := range walk.New(t.blocks, t.root.ID).All(ctx, &walk.Options{From: from}) {
		if err != nil {
			if t.head.Block != "" && errors.Is(err, chain.ErrNotFound) && g.added == 0 {
				return fmt.Errorf("merkle: %s: %w: the tree covers block %s (height %d), which the block store no longer holds: the chain was cut, or run bhctl index rebuild", t.tiles.where(), ErrDamaged, t.head.Block, t.head.Height)
			}
			return fmt.Errorf("merkle: %w", err)
		}
		if b.ID == t.head.Block {
			continue
		}
		if err := g.add(b); err != nil {
			return err
		}
		if g.leaves() >= commitEvery {
			if err := g.commit(ctx); err != nil {
				return err
			}
			g = t.grow()
		}
	}
	return g.commit(ctx)
}

// checkLinked checks that the block the head covers last is still linked
// after the block before it: a cheap guard against signing a checkpoint of
// a tree whose chain was cut just there. (A cut or a rewrite further back
// is for bhctl verify --checkpoint to find: it reads the whole chain.)
func (t *Tree) checkLinked(ctx context.Context) error {
	h := t.head
	if h.Block == "" || h.Height == 0 {
		return nil
	}
	b, err := t.blocks.Get(ctx, h.Block)
	if err != nil {
		if errors.Is(err, chain.ErrNotFound) {
			return fmt.Errorf("merkle: %s: %w: the tree covers block %s (height %d), which the block store no longer holds: the chain was cut, or run bhctl index rebuild", t.tiles.where(), ErrDamaged, h.Block, h.Height)
		}
		return fmt.Errorf("merkle: %w", err)
	}
	next, err := t.blocks.FetchNext(ctx, b.Prev)
	if err != nil {
		return fmt.Errorf("merkle: %w", err)
	}
	if next != h.Block {
		return fmt.Errorf("merkle: %s: %w: the tree covers block %s (height %d), but the chain no longer links it after block %s: the chain was cut or rewritten (bhctl verify --checkpoint tells where), or run bhctl index rebuild", t.tiles.where(), ErrDamaged, h.Block, h.Height, b.Prev)
	}
	return nil
}

// growth is leaves and blocks added to the head, not stored yet.
type growth struct {
	t       *Tree
	base    int64 // tlog.StoredHashCount(head.Size)
	size    int64
	hashes  []Hash // stored hashes from index base on
	entries []entry
	height  uint64
	block   string
	added   int
}

func (t *Tree) grow() *growth {
	h := t.head
	return &growth{t: t, base: tlog.StoredHashCount(h.Size), size: h.Size, height: h.Height, block: h.Block}
}

func (g *growth) leaves() int64 { return g.size - g.t.head.Size }

// add adds the receipts of b, which must follow the last block added.
func (g *growth) add(b chain.Block) error {
	switch {
	case g.block == "" && !b.IsRoot():
		return fmt.Errorf("merkle: %w: the tree starts at the root, not block %s at height %d", ErrDamaged, b.ID, b.Height)
	case g.block != "" && (b.Prev != g.block || b.Height != g.height+1):
		return fmt.Errorf("merkle: %w: block %s (height %d) does not follow block %s (height %d)", ErrDamaged, b.ID, b.Height, g.block, g.height)
	}
	r := reader{g: g}
	for i, rc := range b.Assets {
		leaf, err := LeafHash(rc)
		if err != nil {
			return fmt.Errorf("merkle: block %s receipt %d: %w", b.ID, i, err)
		}
		hs, err := tlog.StoredHashesForRecordHash(g.size, leaf, r)
		if err != nil {
			return fmt.Errorf("merkle: block %s receipt %d: %w", b.ID, i, err)
		}
		g.hashes = append(g.hashes, hs...)
		g.size++
	}
	g.entries = append(g.entries, entry{end: g.size, id: b.ID})
	g.height, g.block = b.Height, b.ID
	g.added++
	return nil
}

// commit stores the full tiles the growth completes, then the new head.
func (g *growth) commit(ctx context.Context) error {
	t := g.t
	old := t.head
	if g.added == 0 {
		return nil
	}
	r := reader{g: g}
	for _, tile := range tlog.NewTiles(TileHeight, old.Size, g.size) {
		if tile.W != tileWidth {
			continue
		}
		data, err := tlog.ReadTileData(tile, r)
		if err != nil {
			return fmt.Errorf("merkle: tile %s: %w", tile.Path(), err)
		}
		if err := t.putTile(ctx, tile.Path(), data); err != nil {
			return err
		}
	}
	next := Head{Size: g.size, Height: g.height, Block: g.block}
	for l := 0; g.size>>(TileHeight*l) > 0; l++ {
		count := g.size >> (TileHeight * l)
		w := int(count % tileWidth)
		var data []byte
		if w > 0 {
			var err error
			data, err = tlog.ReadTileData(tlog.Tile{H: TileHeight, L: l, N: count / tileWidth, W: w}, r)
			if err != nil {
				return fmt.Errorf("merkle: edge of level %d: %w", l, err)
			}
		}
		next.edge = append(next.edge, data)
	}
	root, err := tlog.TreeHash(g.size, r)
	if err != nil {
		return fmt.Errorf("merkle: root at %d: %w", g.size, err)
	}
	next.Root = root
	// Block entries: the old incomplete tile, then the new ones.
	first := old.Blocks() / tileWidth * tileWidth
	buf := append([]byte(nil), old.bedge...)
	for _, e := range g.entries {
		if buf, err = e.append(buf); err != nil {
			return fmt.Errorf("merkle: %w", err)
		}
	}
	for n := first / tileWidth; len(buf) >= tileWidth*entrySize; n++ {
		if err := t.putTile(ctx, blockTileName(n), buf[:tileWidth*entrySize]); err != nil {
			return err
		}
		buf = buf[tileWidth*entrySize:]
	}
	next.bedge = buf
	if err := t.tiles.put(ctx, headName, next.encode()); err != nil {
		return fmt.Errorf("merkle: %w", err)
	}
	t.head = next
	g.hashes, g.entries = nil, nil
	return nil
}

func (t *Tree) putTile(ctx context.Context, name string, data []byte) error {
	if err := t.tiles.put(ctx, name, data); err != nil {
		return fmt.Errorf("merkle: %w", err)
	}
	t.remember(name, data)
	return nil
}

func (t *Tree) remember(name string, data []byte) {
	if len(t.cache) >= 512 {
		clear(t.cache)
	}
	t.cache[name] = data
}

// fullTile returns a full tile, from the cache or the store.
func (t *Tree) fullTile(ctx context.Context, name string, size int) ([]byte, error) {
	if b, ok := t.cache[name]; ok {
		return b, nil
	}
	b, err := t.tiles.get(ctx, name)
	if err != nil {
		if errors.Is(err, chain.ErrNotFound) {
			return nil, fmt.Errorf("merkle: %s: %w: tile %s is missing (run bhctl index rebuild)", t.tiles.where(), ErrDamaged, name)
		}
		return nil, fmt.Errorf("merkle: %w", err)
	}
	if len(b) != size {
		return nil, fmt.Errorf("merkle: %s: %w: tile %s has %d bytes, want %d (run bhctl index rebuild)", t.tiles.where(), ErrDamaged, name, len(b), size)
	}
	t.remember(name, b)
	return b, nil
}

// reader reads stored hashes: those of the head from its tiles and edge,
// those of a growth from memory. It is a tlog.HashReader.
type reader struct {
	g   *growth // nil: the head alone
	t   *Tree
	ctx context.Context
}

func (r reader) tree() *Tree {
	if r.g != nil {
		return r.g.t
	}
	return r.t
}

func (r reader) ReadHashes(indexes []int64) ([]Hash, error) {
	t := r.tree()
	ctx := r.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	h := &t.head
	base := tlog.StoredHashCount(h.Size)
	out := make([]Hash, len(indexes))
	for i, x := range indexes {
		if x >= base {
			if r.g == nil || x-base >= int64(len(r.g.hashes)) {
				return nil, fmt.Errorf("merkle: hash %d is beyond the tree (size %d)", x, h.Size)
			}
			out[i] = r.g.hashes[x-base]
			continue
		}
		tile := tlog.TileForIndex(TileHeight, x)
		count := h.Size >> (TileHeight * tile.L)
		var data []byte
		if (tile.N+1)*tileWidth <= count {
			var err error
			if data, err = t.fullTile(ctx, hashTileName(tile.L, tile.N), tileWidth*tlog.HashSize); err != nil {
				return nil, err
			}
			tile.W = tileWidth
		} else {
			if tile.L >= len(h.edge) {
				return nil, fmt.Errorf("merkle: %w: no edge at level %d", ErrDamaged, tile.L)
			}
			data = h.edge[tile.L]
			tile.W = len(data) / tlog.HashSize
		}
		hash, err := tlog.HashFromTile(tile, data, x)
		if err != nil {
			return nil, fmt.Errorf("merkle: %w: %v", ErrDamaged, err)
		}
		out[i] = hash
	}
	return out, nil
}

// hashReader reads the stored tree (under t.mu).
func (t *Tree) hashReader(ctx context.Context) tlog.HashReader {
	return reader{t: t, ctx: ctx}
}

// entry returns the entry of block height h (under t.mu).
func (t *Tree) entry(ctx context.Context, h int64) (entry, error) {
	head := &t.head
	if h < 0 || h >= head.Blocks() {
		return entry{}, fmt.Errorf("merkle: height %d is beyond the tree (last height %d)", h, head.Height)
	}
	n := h / tileWidth
	var data []byte
	if n < head.Blocks()/tileWidth {
		var err error
		if data, err = t.fullTile(ctx, blockTileName(n), tileWidth*entrySize); err != nil {
			return entry{}, err
		}
	} else {
		data = head.bedge
	}
	e, err := decodeEntry(data, int(h%tileWidth), t.idLen)
	if err != nil {
		return entry{}, fmt.Errorf("merkle: %w: %w", ErrDamaged, err)
	}
	return e, nil
}

// Position is where a leaf is on the chain.
type Position struct {
	Leaf   int64
	Height uint64
	Block  string
	Index  int
}

// Leaf returns the leaf of the receipt at index of block height.
func (t *Tree) Leaf(ctx context.Context, height uint64, index int) (Position, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, err := t.entry(ctx, int64(height))
	if err != nil {
		return Position{}, err
	}
	start := int64(0)
	if height > 0 {
		prev, err := t.entry(ctx, int64(height)-1)
		if err != nil {
			return Position{}, err
		}
		start = prev.end
	}
	if index < 0 || start+int64(index) >= e.end {
		return Position{}, fmt.Errorf("merkle: block %s (height %d) has %d receipts, no index %d", e.id, height, e.end-start, index)
	}
	return Position{Leaf: start + int64(index), Height: height, Block: e.id, Index: index}, nil
}

// BlockAt returns the id of the block at height and the tree size after
// it.
func (t *Tree) BlockAt(ctx context.Context, height uint64) (id string, end int64, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, err := t.entry(ctx, int64(height))
	return e.id, e.end, err
}

// Locate returns the position of leaf: the block holding it (a binary
// search over the block tiles).
func (t *Tree) Locate(ctx context.Context, leaf int64) (Position, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if leaf < 0 || leaf >= t.head.Size {
		return Position{}, fmt.Errorf("merkle: leaf %d is beyond the tree (size %d)", leaf, t.head.Size)
	}
	var ferr error
	h := sort.Search(int(t.head.Blocks()), func(i int) bool {
		e, err := t.entry(ctx, int64(i))
		if err != nil {
			ferr = err
			return true
		}
		return e.end > leaf
	})
	if ferr != nil {
		return Position{}, ferr
	}
	e, err := t.entry(ctx, int64(h))
	if err != nil {
		return Position{}, err
	}
	start := int64(0)
	if h > 0 {
		prev, err := t.entry(ctx, int64(h)-1)
		if err != nil {
			return Position{}, err
		}
		start = prev.end
	}
	return Position{Leaf: leaf, Height: uint64(h), Block: e.id, Index: int(leaf - start)}, nil
}

// RootAt returns the tree hash at size n (at most the head's size).
func (t *Tree) RootAt(ctx context.Context, n int64) (Hash, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n < 1 || n > t.head.Size {
		return Hash{}, fmt.Errorf("merkle: size %d: want 1 to %d", n, t.head.Size)
	}
	if n == t.head.Size {
		return t.head.Root, nil
	}
	return tlog.TreeHash(n, t.hashReader(ctx))
}

// LeafHashes returns the stored leaf hashes [0, n), read from the level 0
// tiles.
func (t *Tree) LeafHashes(ctx context.Context, n int64) ([]Hash, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n < 0 || n > t.head.Size {
		return nil, fmt.Errorf("merkle: size %d: want 0 to %d", n, t.head.Size)
	}
	out := make([]Hash, 0, n)
	r := t.hashReader(ctx)
	for start := int64(0); start < n; start += tileWidth {
		end := min(start+tileWidth, n)
		idx := make([]int64, 0, end-start)
		for i := start; i < end; i++ {
			idx = append(idx, tlog.StoredHashIndex(0, i))
		}
		hs, err := r.ReadHashes(idx)
		if err != nil {
			return nil, err
		}
		out = append(out, hs...)
	}
	return out, nil
}
