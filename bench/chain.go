package bench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
)

// MakeChain creates, in the folder store at home, a chain called name of
// n blocks after its root, each naming one asset of its own of size bytes
// (at least 8), and returns the chain's root.
//
// It writes through the library (Hub.Create, Assets.PutBytes,
// Blocks.Create, Blocks.SetNext), so the chain is what bhctl would have
// made, but with the folder store's ?nosync=1: fast and not crash-safe,
// for benchmarks only. The folder reads back with a plain path.
func MakeChain(ctx context.Context, home, name string, n, size int) (chain.Block, error) {
	if size < 8 {
		return chain.Block{}, fmt.Errorf("mkchain: asset size %d: want at least 8 bytes", size)
	}
	h, err := openBenchHub(ctx, home)
	if err != nil {
		return chain.Block{}, err
	}
	defer h.Close()
	root, err := h.Create(ctx, chain.DefaultSettings(name))
	if err != nil {
		return chain.Block{}, err
	}
	at, err := root.At()
	if err != nil {
		return chain.Block{}, err
	}
	tail := root
	data := make([]byte, size)
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return chain.Block{}, err
		}
		// Distinct bytes per block, so every asset is a file of its own.
		binary.BigEndian.PutUint64(data, uint64(i))
		hash, _, err := h.Assets.PutBytes(ctx, chain.SHA256, data)
		if err != nil {
			return chain.Block{}, err
		}
		// Meta shaped like what bhctl pipe --chunk-size writes.
		meta, _ := json.Marshal(map[string]any{"source": "pipe", "bytes": []int{(i - 1) * size, i * size}})
		b := chain.Block{
			Chain:  root.ID,
			Prev:   tail.ID,
			Height: tail.Height + 1,
			Time:   chain.Stamp(at.Add(time.Duration(i) * time.Microsecond)),
			Crypt:  chain.SHA256,
			Assets: []chain.Receipt{{Hash: hash, Crypt: chain.SHA256, Length: int64(size), Type: "application/octet-stream", Meta: meta}},
		}
		if err := b.Seal(); err != nil {
			return chain.Block{}, err
		}
		if err := h.Blocks.Create(ctx, b); err != nil {
			return chain.Block{}, err
		}
		if err := h.Blocks.SetNext(ctx, tail.ID, b.ID); err != nil {
			return chain.Block{}, err
		}
		tail = b
	}
	h.Blocks.NoteTail(ctx, root.ID, tail.ID)
	return root, nil
}

// openBenchHub opens (making it when missing) the folder store at home
// with ?nosync=1: fast and not crash-safe, for benchmarks only.
func openBenchHub(ctx context.Context, home string) (*blockhub.Hub, error) {
	abs, err := filepath.Abs(home)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	url := "file://" + abs + "?nosync=1"
	return blockhub.Open(ctx, blockhub.Config{Home: abs, BlockStore: []string{url}, AssetStore: []string{url}})
}
