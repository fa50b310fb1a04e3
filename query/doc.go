// Package query looks inside a chain without replaying it anywhere: the
// records of its assets that match an expression (Records, in the
// oracle's --filter language), the assets whose bytes match a regular
// expression (Search, like grep -n over the chain), and the receipts the
// blocks hold (Receipts, Count). Each streams: blocks are walked and
// checked one at a time, assets read and checked against their hashes as
// they are read, so memory stays constant whatever the chain's length
// (Count keeps one entry per distinct asset).
//
// The CLI's query, search and assets commands and the console's HTTP API
// (package ui) are thin over it. It imports chain, chain/store,
// chain/walk, oracle (the filter language) and internal/records; never
// connectors or cmd.
package query
