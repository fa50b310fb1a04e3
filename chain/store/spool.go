package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Spools reports whether the driver can take bytes of a hash not known
// yet (driver.Spooler), so PutUnsummed reads them once.
func (a *Assets) Spools() bool {
	_, ok := a.d.(driver.Spooler)
	return ok
}

// PutUnsummed stores everything r yields as one asset, hashed with c on
// the way, and returns its hash and length; created is false when the
// asset was already stored. The driver must be a Spooler (see Spools).
func (a *Assets) PutUnsummed(ctx context.Context, c chain.Crypt, r io.Reader) (hash string, n int64, created bool, err error) {
	s, ok := a.d.(driver.Spooler)
	if !ok {
		return "", 0, false, fmt.Errorf("asset store %s: %w: it needs an asset's hash before its bytes", a.url, errors.ErrUnsupported)
	}
	hash, n, err = s.PutUnsummed(ctx, r, c.New())
	switch {
	case err == nil:
		return hash, n, true, nil
	case errors.Is(err, chain.ErrExists):
		return hash, n, false, nil
	}
	return "", n, false, fmt.Errorf("asset store %s: put: %w", a.url, err)
}
