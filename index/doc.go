// Package index keeps a derived, disposable index of what one chain holds,
// so that --prevent-dups costs a lookup, not a walk of the whole chain.
//
// The index lives in the hub's home folder (index/<chain id>.db, a bbolt
// file) and records: every asset hash on the chain with its position, and
// for every source key (a connector's name for what it read, such as
// "csv:/data/orders.csv") the meta of the latest asset captured from it,
// and every block id. Keys are sorted, so a hash prefix (bhctl asset
// 5891b5b5, bhctl block bde3) is one seek (AssetsWithPrefix,
// BlocksWithPrefix).
// Opening it brings it up to date by walking only the blocks linked since
// it was last updated. The chain stays the only source of truth: deleting
// the index changes no result, and Rebuild makes it anew.
//
// It imports chain, chain/store and chain/walk.
package index
