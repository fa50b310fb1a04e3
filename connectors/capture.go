package connectors

import (
	"context"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/index"
)

// Capture runs src onto the chain rooted at root, as bhctl import does.
// With o.Common.PreventDups, or a source that resumes (Resumer), it
// brings the chain's index up to date and hands it to the run. With DryRun
// nothing is written, and root may be the zero Block (a chain that does
// not exist yet holds nothing to skip).
// Otherwise every chunk captured is linked before Capture returns, also
// when the run stopped on an error or ctx ended, so a re-run resumes after
// it. o.Index is set by Capture.
func Capture(ctx context.Context, h *blockhub.Hub, root chain.Block, src Source, o ImportOptions) (Summary, error) {
	crypt := chain.DefaultCrypt
	if root.ID != "" {
		crypt = root.Crypt
	}
	if root.ID == "" {
		o.Common.PreventDups = false
	}
	if root.ID != "" && (o.Common.PreventDups || resumes(src)) {
		idx, err := index.Open(ctx, h.Home, h.Blocks, root)
		if err != nil {
			return Summary{Connector: o.Connector}, err
		}
		defer idx.Close()
		o.Index = idx
	}
	if o.Common.DryRun {
		return Import(ctx, nil, crypt, src, o)
	}
	// The builder outlives ctx so that what was captured before it ended
	// is still linked; only the source stops.
	w, err := h.BulkWriter(context.WithoutCancel(ctx), root)
	if err != nil {
		return Summary{Connector: o.Connector}, err
	}
	sum, err := Import(ctx, w.Appender, crypt, src, o)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return sum, err
}
