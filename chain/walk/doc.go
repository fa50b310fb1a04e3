// Package walk reads chains back: the Walker streams a chain's blocks from
// its root (or a given block or height) to its tail or to a given block, or
// follows it live, checking every block as it goes; the Verifier walks a
// whole chain and reports every fault, and can check the assets too.
//
// It imports chain and chain/store.
package walk
