package query

import (
	"context"
	"iter"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/walk"
)

// Range is the part of a chain to look at and the stores it lives in.
type Range struct {
	Blocks *store.Blocks
	Assets *store.Assets
	// Chain is the chain's id (its root block's id).
	Chain string
	// From and To are block ids or heights, as walk.Options takes them;
	// empty means the root and the tail.
	From, To string
	// Live keeps following the chain after its tail until ctx ends.
	Live bool
}

func (r Range) blocks(ctx context.Context) iter.Seq2[chain.Block, error] {
	return walk.New(r.Blocks, r.Chain).All(ctx, &walk.Options{From: r.From, To: r.To, Live: r.Live})
}

// Where names one asset of a chain.
type Where struct {
	Block  string `json:"block"`
	Height uint64 `json:"height"`
	Index  int    `json:"index"`
	Hash   string `json:"hash"`
}
