// Package appender stores assets and hands their receipts to a builder.
//
// An Appender is the one way data enters a chain: connectors yield chunks,
// the appender hashes each, stores it in the asset store (once, whatever
// the number of times it is captured) and queues its receipt with the
// chain's builder. AppendAll does this for a whole stream of chunks with
// several workers while keeping the chunks' order on the chain.
//
// It imports chain, chain/store and builder.
package appender
