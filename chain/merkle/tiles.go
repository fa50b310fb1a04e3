package merkle

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
)

// TileHeight is the height of the tlog tiles the tree is stored in: 256
// hashes a tile.
const TileHeight = 8

const (
	tileWidth = 1 << TileHeight
	// entrySize is one block's entry in the block tiles: the tree size
	// after the block (8 bytes, big endian), then its id (raw, zero
	// padded to 32 bytes).
	entrySize = 8 + 32
	headName  = "head"
)

// tileStore is where the tiles of one chain's tree live.
type tileStore interface {
	get(ctx context.Context, name string) ([]byte, error)
	put(ctx context.Context, name string, data []byte) error
	where() string
}

// storeTiles keeps tiles in the block store (driver.TileStore).
type storeTiles struct {
	t     *store.Tiles
	chain string
}

func (s storeTiles) get(ctx context.Context, name string) ([]byte, error) {
	return s.t.Get(ctx, s.chain, name)
}

func (s storeTiles) put(ctx context.Context, name string, data []byte) error {
	return s.t.Put(ctx, s.chain, name, data)
}

func (s storeTiles) where() string { return "block store " + s.t.URL() }

// dirTiles keeps tiles in a folder of the home, for block stores whose
// driver keeps none.
type dirTiles struct{ dir string }

func (d dirTiles) get(_ context.Context, name string) ([]byte, error) {
	if err := store.CheckTileName(name); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(d.dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("tile %s: %w", name, chain.ErrNotFound)
	}
	return b, err
}

func (d dirTiles) put(_ context.Context, name string, data []byte) error {
	if err := store.CheckTileName(name); err != nil {
		return err
	}
	path := filepath.Join(d.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tile-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func (d dirTiles) where() string { return "folder " + d.dir }

// hashTileName is the name of the full hash tile (level, n): tlog's tile
// path, as tile/8/0/x001/234.
func hashTileName(level int, n int64) string {
	return tlog.Tile{H: TileHeight, L: level, N: n, W: tileWidth}.Path()
}

// blockTileName is the name of the full block tile n.
func blockTileName(n int64) string { return "blocks/" + strconv.FormatInt(n, 10) }

// Head is the state of a stored tree: its size, root and the last block
// it covers.
type Head struct {
	// Size is the number of leaves (receipts); 0 for a tree not built yet.
	Size int64
	// Root is the tree hash at Size.
	Root Hash
	// Height and Block are the last block whose receipts are leaves.
	Height uint64
	Block  string

	// edge[L] is the incomplete hash tile at level L (fewer than 256
	// hashes), bedge the incomplete block tile: the right edge of the
	// tree, kept in the head so that only full tiles are written apart.
	edge  [][]byte
	bedge []byte
}

// Blocks is the number of blocks the tree covers.
func (h Head) Blocks() int64 {
	if h.Block == "" {
		return 0
	}
	return int64(h.Height) + 1
}

type headDoc struct {
	TileHeight int      `json:"tile_height"`
	Size       int64    `json:"size"`
	Root       string   `json:"root"`
	Height     uint64   `json:"height"`
	Block      string   `json:"block"`
	Edge       [][]byte `json:"edge"`
	Blocks     []byte   `json:"blocks"`
}

func (h Head) encode() []byte {
	b, _ := json.Marshal(headDoc{TileHeight: TileHeight, Size: h.Size, Root: hex.EncodeToString(h.Root[:]), Height: h.Height, Block: h.Block, Edge: h.edge, Blocks: h.bedge})
	return b
}

func decodeHead(b []byte) (Head, error) {
	var d headDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return Head{}, fmt.Errorf("%w tree head: %v", chain.ErrInvalid, err)
	}
	if d.TileHeight != TileHeight || d.Size < 0 {
		return Head{}, fmt.Errorf("%w tree head: tile height %d, size %d", chain.ErrInvalid, d.TileHeight, d.Size)
	}
	root, err := hex.DecodeString(d.Root)
	if err != nil || len(root) != tlog.HashSize {
		return Head{}, fmt.Errorf("%w tree head: root %q", chain.ErrInvalid, d.Root)
	}
	h := Head{Size: d.Size, Height: d.Height, Block: d.Block, edge: d.Edge, bedge: d.Blocks}
	copy(h.Root[:], root)
	// The edge must be what the size says, or the head is damaged.
	for l := 0; d.Size>>(TileHeight*l) > 0 || l < len(d.Edge); l++ {
		want := int(d.Size>>(TileHeight*l)) % tileWidth
		got := 0
		if l < len(d.Edge) {
			got = len(d.Edge[l])
		}
		if got != want*tlog.HashSize {
			return Head{}, fmt.Errorf("%w tree head: level %d edge has %d bytes, want %d", chain.ErrInvalid, l, got, want*tlog.HashSize)
		}
	}
	if len(d.Blocks) != int(h.Blocks()%tileWidth)*entrySize {
		return Head{}, fmt.Errorf("%w tree head: %d bytes of block entries for %d blocks", chain.ErrInvalid, len(d.Blocks), h.Blocks())
	}
	return h, nil
}

// entry is one block of the block tiles.
type entry struct {
	end int64 // tree size after the block
	id  string
}

func (e entry) append(b []byte) ([]byte, error) {
	raw, err := hex.DecodeString(e.id)
	if err != nil || len(raw) > 32 {
		return b, fmt.Errorf("%w block id %q", chain.ErrInvalid, e.id)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(e.end))
	var id [32]byte
	copy(id[:], raw)
	return append(b, id[:]...), nil
}

// decodeEntry reads entry i of a block tile; idLen is the id's length in
// bytes (16 for md5, 32 for sha256).
func decodeEntry(data []byte, i, idLen int) (entry, error) {
	if (i+1)*entrySize > len(data) {
		return entry{}, fmt.Errorf("%w block tile: %d bytes, no entry %d", chain.ErrInvalid, len(data), i)
	}
	b := data[i*entrySize : (i+1)*entrySize]
	return entry{end: int64(binary.BigEndian.Uint64(b)), id: hex.EncodeToString(b[8 : 8+idLen])}, nil
}
