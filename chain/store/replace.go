package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/blockhub/blockhub/chain/store/driver"
)

// ErrCannotReplace is returned by Assets.Replace when the driver cannot
// replace a stored copy (it has no driver.Replacer).
var ErrCannotReplace = errors.New("this store cannot replace a damaged copy")

// Replace stores the bytes of r under hash in place of the copy there,
// which repair found damaged. The bytes are checked as Put checks them (an
// error matching chain.ErrTampered, the old copy left, when they do not
// match); an error matching ErrCannotReplace when the driver cannot.
func (a *Assets) Replace(ctx context.Context, hash string, r io.Reader, size int64) error {
	rp, ok := a.d.(driver.Replacer)
	if !ok {
		return fmt.Errorf("asset store %s: replace %s: %w", a.url, hash, ErrCannotReplace)
	}
	c, err := CryptOf(hash)
	if err != nil {
		return fmt.Errorf("asset store %s: %w", a.url, err)
	}
	if err := rp.Replace(ctx, hash, &verifyingReader{r: r, h: c.New(), want: hash, size: size}, size); err != nil {
		return fmt.Errorf("asset store %s: replace %s: %w", a.url, hash, err)
	}
	return nil
}
