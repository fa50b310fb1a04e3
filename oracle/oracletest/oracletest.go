// Package oracletest builds chains with chosen block times for tests of
// oracles and contracts, through the library (Hub.Create,
// Assets.PutBytes, Blocks.Create, Blocks.SetNext), so they are what bhctl
// would have linked, only stamped with the times a test needs.
package oracletest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/oracle"
)

// Asset is one asset to put in a block.
type Asset struct {
	Type string
	Meta map[string]any
	Data []byte
}

// Block is a block to link, at time At (zero: a microsecond after the
// block before).
type Block struct {
	At     time.Time
	Assets []Asset
}

// Append links blocks after the tail of the chain rooted at root and
// returns the new tail.
func Append(ctx context.Context, h *blockhub.Hub, root chain.Block, blocks []Block) (chain.Block, error) {
	tail, err := h.Blocks.Tail(ctx, root.ID)
	if err != nil {
		return chain.Block{}, err
	}
	for _, nb := range blocks {
		prevAt, err := tail.At()
		if err != nil {
			return chain.Block{}, err
		}
		at := nb.At
		if at.IsZero() {
			at = prevAt.Add(time.Microsecond)
		}
		b := chain.Block{Chain: root.ID, Prev: tail.ID, Height: tail.Height + 1, Time: chain.Stamp(at), Crypt: chain.SHA256}
		for _, a := range nb.Assets {
			hash, _, err := h.Assets.PutBytes(ctx, chain.SHA256, a.Data)
			if err != nil {
				return chain.Block{}, err
			}
			var meta json.RawMessage
			if a.Meta != nil {
				if meta, err = json.Marshal(a.Meta); err != nil {
					return chain.Block{}, err
				}
			}
			b.Assets = append(b.Assets, chain.Receipt{Hash: hash, Crypt: chain.SHA256, Length: int64(len(a.Data)), Type: a.Type, Meta: meta})
		}
		if err := b.Seal(); err != nil {
			return chain.Block{}, err
		}
		if err := h.Blocks.Create(ctx, b); err != nil {
			return chain.Block{}, fmt.Errorf("create block %d: %w", b.Height, err)
		}
		if err := h.Blocks.SetNext(ctx, tail.ID, b.ID); err != nil {
			return chain.Block{}, fmt.Errorf("link block %d: %w", b.Height, err)
		}
		tail = b
	}
	h.Blocks.NoteTail(ctx, root.ID, tail.ID)
	return tail, nil
}

// CSV is a text/csv asset of a header line and rows, with meta source
// "csv" and the given path.
func CSV(path string, header string, rows ...string) Asset {
	data := header + "\n"
	for _, r := range rows {
		data += r + "\n"
	}
	return Asset{Type: "text/csv", Meta: map[string]any{"source": "csv", "path": path}, Data: []byte(data)}
}

var memSeq atomic.Int64

// NewHub opens a hub whose block and asset stores are a mem:// store no
// other test uses, closed when t ends, and creates an empty chain in it;
// it returns the hub and the chain's root.
func NewHub(t testing.TB) (*blockhub.Hub, chain.Block) {
	t.Helper()
	ctx := context.Background()
	u := fmt.Sprintf("mem://oracletest-%d", memSeq.Add(1))
	h, err := blockhub.Open(ctx, blockhub.Config{Home: t.TempDir(), BlockStore: []string{u}, AssetStore: []string{u}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	root, err := h.Create(ctx, chain.DefaultSettings("t"))
	if err != nil {
		t.Fatal(err)
	}
	return h, root
}

// NewChain makes a chain of blocks in a hub from NewHub and returns it as
// an oracle source, with the hub.
func NewChain(t testing.TB, blocks []Block) (oracle.Source, *blockhub.Hub) {
	t.Helper()
	h, root := NewHub(t)
	if _, err := Append(context.Background(), h, root, blocks); err != nil {
		t.Fatal(err)
	}
	return oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}, h
}
