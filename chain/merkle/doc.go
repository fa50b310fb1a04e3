// Package merkle keeps the Merkle tree of a chain's receipts, as
// Certificate Transparency (RFC 6962/9162) and Go's checksum database
// keep theirs, and answers from it in O(log n) hashes: is this receipt on
// the chain (an inclusion proof), is today's chain an extension of the one
// a checkpoint saw (a consistency proof).
//
// The tree is pinned (docs/FORMAT.md, "The Merkle tree"): its leaves are
// the chain's receipts in chain order (block height ascending, then index
// in the block; the root block's settings receipt is leaf 0), each leaf
// the RFC 8785 canonical JSON of the receipt as it stands in its block,
// hashed as RFC 6962 says with SHA-256 whatever the chain's crypt. The
// hashing, tiles and proofs are golang.org/x/mod/sumdb/tlog's; signed
// checkpoints are golang.org/x/mod/sumdb/note's (C2SP tlog-checkpoint and
// signed-note, Ed25519).
//
// A Tree is derived data, stored beside the blocks in tiles (tlog tiles of
// height 8: 256 hashes each) through the block store's optional
// driver.TileStore, or, for a driver without it, in the home folder. It
// is kept up to date in two ways: the hub's writers call Appended after
// each block they link (no store read: the tree's right edge is cached),
// and Update catches up from the last stored size by walking only the
// blocks linked since, so a tree that lags (a process killed between
// linking and writing its tiles, a writer of another version) heals on
// the next use. Rebuild makes it anew from the chain (bhctl index
// rebuild).
//
// It imports chain, chain/store and chain/walk.
package merkle
