package chain

import "errors"

// Errors callers branch on with errors.Is. Stores and tools wrap them with
// what and where.
var (
	// ErrNotFound: the asset, block or chain does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a create-only write found the object already there.
	ErrExists = errors.New("already exists")
	// ErrNextSet: a block's next was already set (to another block); the
	// caller lost the race to extend the tail and must rebuild on the new tail.
	ErrNextSet = errors.New("next already set")
	// ErrTampered: bytes do not match the hash that names them.
	ErrTampered = errors.New("content does not match its hash")
	// ErrInvalid: an id, hash, block or setting breaks the format.
	ErrInvalid = errors.New("invalid")
)
