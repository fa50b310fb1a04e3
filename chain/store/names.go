package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/blockhub/blockhub/chain"
)

// NameKey is the key a chain name is claimed under in every block store:
// the lower-case hex SHA-256 of the name's UTF-8 bytes. Keys are hex, so
// they are safe as file names, object keys and ascii columns whatever the
// name holds, and two names that a case-insensitive collation would
// confuse get two keys.
func NameKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// ClaimName claims the chain name for the root block root, once: the
// first claim of a name wins, in every process, and every later claim
// returns the winner. It returns the root the name is claimed for, root
// itself when this claim won. The caller has stored the root block first.
func (s *Blocks) ClaimName(ctx context.Context, name, root string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("block store %s: claim name: %w: empty name", s.url, chain.ErrInvalid)
	}
	if err := chain.CheckHex("root id", root); err != nil {
		return "", fmt.Errorf("block store %s: claim name %q: %w", s.url, name, err)
	}
	won, err := s.d.ClaimName(ctx, NameKey(name), name, root)
	if err != nil {
		return "", fmt.Errorf("block store %s: claim name %q: %w", s.url, name, err)
	}
	if !chain.IsHex(won) {
		return "", fmt.Errorf("block store %s: name %q: %w claim %q", s.url, name, chain.ErrInvalid, won)
	}
	return won, nil
}

// NameClaim returns the root the chain name is claimed for; an error
// matching chain.ErrNotFound when no claim was made (a chain created
// before names were claimed, or no chain of that name).
func (s *Blocks) NameClaim(ctx context.Context, name string) (string, error) {
	root, err := s.d.NameClaim(ctx, NameKey(name))
	if err != nil {
		return "", fmt.Errorf("block store %s: name %q: %w", s.url, name, err)
	}
	if !chain.IsHex(root) {
		return "", fmt.Errorf("block store %s: name %q: %w claim %q", s.url, name, chain.ErrInvalid, root)
	}
	return root, nil
}
