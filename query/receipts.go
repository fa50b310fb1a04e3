package query

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"mime"
	"slices"
	"strings"

	"github.com/blockhub/blockhub/chain"
)

// ReceiptOptions says which receipts Receipts yields.
type ReceiptOptions struct {
	// MinSize and MaxSize bound an asset's length in bytes; MaxSize 0 is
	// no upper bound.
	MinSize, MaxSize int64
	// Type keeps only assets of this content type (TypeMatch).
	Type string
}

// Receipt is one receipt of a block, with where it is.
type Receipt struct {
	Where
	Crypt  chain.Crypt     `json:"crypt"`
	Length int64           `json:"length"`
	Type   string          `json:"type"`
	Meta   json.RawMessage `json:"meta,omitempty"`
	Time   string          `json:"time"`
}

func (o ReceiptOptions) keep(rc chain.Receipt) bool {
	return rc.Length >= o.MinSize && (o.MaxSize <= 0 || rc.Length <= o.MaxSize) && TypeMatch(o.Type, rc.Type)
}

// Receipts yields every receipt of the range's blocks that opts keep, in
// chain order; it reads no asset.
func Receipts(ctx context.Context, r Range, opts ReceiptOptions) iter.Seq2[Receipt, error] {
	return func(yield func(Receipt, error) bool) {
		for b, err := range r.blocks(ctx) {
			if err != nil {
				yield(Receipt{}, err)
				return
			}
			for i, rc := range b.Assets {
				if !opts.keep(rc) {
					continue
				}
				if !yield(Receipt{Where{b.ID, b.Height, i, rc.Hash}, rc.Crypt, rc.Length, rc.Type, rc.Meta, b.Time}, nil) {
					return
				}
			}
		}
	}
}

// Counted is one distinct asset and how many times the chain captured it.
type Counted struct {
	Hash   string `json:"hash"`
	Count  int    `json:"count"`
	Length int64  `json:"length"`
	Type   string `json:"type"`
	// First is the height of the block that captured it first.
	First uint64 `json:"first"`
}

// Count groups the receipts opts keep by hash and returns them most
// captured first (then by first capture). It keeps one entry per distinct
// asset, not per receipt.
func Count(ctx context.Context, r Range, opts ReceiptOptions) ([]Counted, error) {
	at := map[string]int{}
	var out []Counted
	for rc, err := range Receipts(ctx, r, opts) {
		if err != nil {
			return nil, err
		}
		if i, ok := at[rc.Hash]; ok {
			out[i].Count++
			continue
		}
		at[rc.Hash] = len(out)
		out = append(out, Counted{rc.Hash, 1, rc.Length, rc.Type, rc.Height})
	}
	slices.SortStableFunc(out, func(a, b Counted) int { return cmp.Compare(b.Count, a.Count) })
	return out, nil
}

// TypeMatch reports whether the content type typ matches want: equal media
// types (parameters such as charset ignored, case folded), "text/*" for a
// whole family, and "" matches everything.
func TypeMatch(want, typ string) bool {
	if want == "" {
		return true
	}
	w, t := mediaType(want), mediaType(typ)
	if fam, ok := strings.CutSuffix(w, "/*"); ok {
		return strings.HasPrefix(t, fam+"/")
	}
	return w == t
}

func mediaType(s string) string {
	t, _, err := mime.ParseMediaType(s)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(s))
	}
	return t
}
