package bench

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/blockhub/blockhub/chain"
)

// MakeReceipts creates, in the folder store at home, a chain called name
// of blocks blocks after its root holding per receipts each, and returns
// its root. The receipts name assets that are not stored (each a distinct
// hash, meta shaped like bhctl import csv's): for the Merkle tree and
// block benchmarks (bench/tree.sh), which read receipts, never assets.
// bhctl verify passes such a chain; verify --assets would not.
func MakeReceipts(ctx context.Context, home, name string, blocks, per int) (chain.Block, error) {
	if per < 1 || blocks < 0 {
		return chain.Block{}, fmt.Errorf("mkchain: %d blocks of %d receipts", blocks, per)
	}
	h, err := openBenchHub(ctx, home)
	if err != nil {
		return chain.Block{}, err
	}
	defer h.Close()
	s := chain.DefaultSettings(name)
	s.MaxAssets = max(per, s.MaxAssets)
	root, err := h.Create(ctx, s)
	if err != nil {
		return chain.Block{}, err
	}
	at, err := root.At()
	if err != nil {
		return chain.Block{}, err
	}
	tail := root
	var seq [8]byte
	for i := 1; i <= blocks; i++ {
		if err := ctx.Err(); err != nil {
			return chain.Block{}, err
		}
		rs := make([]chain.Receipt, per)
		for j := range rs {
			n := (i-1)*per + j
			binary.BigEndian.PutUint64(seq[:], uint64(n))
			sum := sha256.Sum256(seq[:])
			rs[j] = chain.Receipt{Hash: hex.EncodeToString(sum[:]), Crypt: chain.SHA256, Length: 100, Type: "text/csv",
				Meta: fmt.Appendf(nil, `{"key":"csv:/data/orders.csv","path":"/data/orders.csv","rows":[%d,%d],"source":"csv"}`, n*10+1, n*10+10)}
		}
		b := chain.Block{Chain: root.ID, Prev: tail.ID, Height: tail.Height + 1,
			Time: chain.Stamp(at.Add(time.Duration(i) * time.Microsecond)), Crypt: chain.SHA256, Assets: rs}
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

// ReceiptHash is the asset hash MakeReceipts gives receipt n (from 0
// after the root's).
func ReceiptHash(n int) string {
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(n))
	sum := sha256.Sum256(seq[:])
	return hex.EncodeToString(sum[:])
}
