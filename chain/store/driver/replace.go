package driver

import (
	"context"
	"io"
)

// Replacer is implemented by asset stores that can put good bytes in
// place of a stored copy that does not match its hash (a disk fault, a
// power loss before the copy was synced), for repair. Replace stores the
// bytes read from r under hash in place of the copy there; as with
// Put it must read r to io.EOF before making them visible, and leave the
// old copy when r fails (the bytes do not match the hash). The new copy is
// durable when Replace returns. Readers see the old copy or the new one.
type Replacer interface {
	Replace(ctx context.Context, hash string, r io.Reader, size int64) error
}
