// Package chain holds BlockHub's data model: assets named by their content
// hash, blocks linked by hash into chains, the canonical encoding that block
// ids are computed over, and the errors every store and tool shares.
//
// It imports nothing else of BlockHub: stores (chain/store), the walker
// (chain/walk), the appender, builder, connectors, oracles and the CLI all
// build on it, never the other way round.
package chain
