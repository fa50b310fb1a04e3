package appender

import (
	"context"
	"encoding/json"
	"io"

	"github.com/blockhub/blockhub/chain"
)

// appendUnsummed is AppendReader into a store that hashes as it writes:
// the bytes are read, hashed and written once.
func (a *Appender) appendUnsummed(ctx context.Context, r io.Reader, typ string, meta json.RawMessage) (Appended, error) {
	hash, n, created, err := a.assets.PutUnsummed(ctx, a.crypt, r)
	if err != nil {
		return Appended{}, err
	}
	rc := chain.Receipt{Hash: hash, Crypt: a.crypt, Length: n, Type: typ, Meta: meta}
	ch, err := a.Queue(rc)
	if err != nil {
		return Appended{}, err
	}
	return Appended{Receipt: rc, New: created, Linked: ch}, nil
}
