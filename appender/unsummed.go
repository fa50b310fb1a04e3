package appender

import (
	"context"
	"encoding/json"
	"io"

	"github.com/blockhub/blockhub/chain"
)

// storeUnsummed is StoreReader into a store that hashes as it writes:
// the bytes are read, hashed and written once.
func (a *Appender) storeUnsummed(ctx context.Context, r io.Reader, typ string, meta json.RawMessage) (chain.Receipt, bool, error) {
	hash, n, created, err := a.assets.PutUnsummed(ctx, a.crypt, r)
	if err != nil {
		return chain.Receipt{}, false, err
	}
	return chain.Receipt{Hash: hash, Crypt: a.crypt, Length: n, Type: typ, Meta: meta}, created, nil
}
