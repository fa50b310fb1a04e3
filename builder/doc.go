// Package builder packs asset receipts into blocks and links them onto a
// chain's tail.
//
// A Builder collects receipts (Add) in a Batcher whose policy is the
// chain's settings: a block is linked once MinAssets receipts wait, or once
// the oldest has waited TTL, with at most MaxAssets per block. Linking runs
// in one goroutine, so receipts that arrive while a block is being linked
// ride in the next one: under load, blocks fill up by themselves.
//
// Linking is create-then-set-next: the block is created, then the store
// sets the tail's next to it, once, atomically. A builder that loses that
// race (another process linked first) rebuilds its block on the new tail;
// the block it created stays unreferenced and harmless. So any number of
// builders, in any number of processes, append to one chain without forks
// and without losing a receipt.
//
// It imports chain and chain/store.
package builder
