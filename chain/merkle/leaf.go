package merkle

import (
	"golang.org/x/mod/sumdb/tlog"

	"github.com/blockhub/blockhub/chain"
)

// Hash is a node of the tree: a SHA-256 digest.
type Hash = tlog.Hash

// LeafHash is the tree's leaf for receipt r: SHA-256(0x00 ‖ canonical
// JSON of r), RFC 6962 §2.1.
func LeafHash(r chain.Receipt) (Hash, error) {
	b, err := r.Canonical()
	if err != nil {
		return Hash{}, err
	}
	return tlog.RecordHash(b), nil
}

// NodeHash is SHA-256(0x01 ‖ left ‖ right).
func NodeHash(left, right Hash) Hash { return tlog.NodeHash(left, right) }
