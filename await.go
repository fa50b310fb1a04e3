package blockhub

import (
	"context"
	"errors"
	"time"

	"github.com/blockhub/blockhub/chain"
)

// Await returns the root of the chain named nameOrID like Resolve, but
// when no chain of that name exists yet it waits for one to be created
// (a live reader started before the first write), looking again every
// poll, until ctx ends. A chain id that is not found is an error at once:
// ids are not made up ahead of their chain.
func (h *Hub) Await(ctx context.Context, nameOrID string, poll time.Duration) (chain.Block, error) {
	t := time.NewTimer(poll)
	defer t.Stop()
	for {
		root, err := h.Resolve(ctx, nameOrID)
		if err == nil || !errors.Is(err, chain.ErrNotFound) || chain.IsHex(nameOrID) {
			return root, err
		}
		t.Reset(poll)
		select {
		case <-ctx.Done():
			return chain.Block{}, ctx.Err()
		case <-t.C:
		}
	}
}
