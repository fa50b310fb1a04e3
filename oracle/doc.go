// Package oracle replays a chain into a target database: it walks the
// chain (or part of it, or up to a point in time) in chain order, decodes
// each asset's records by content type (internal/records), filters and
// projects them, and applies them to a Target (MySQL/MariaDB, a CSV file,
// MongoDB) as upserts, inserts, updates or deletes. With Live it keeps
// following the chain; the position reached is stored in the target in
// the same transaction as the rows it covers, so a restart after a crash
// applies every record exactly once.
//
// Targets are drivers registered by URL scheme (RegisterTarget), in
// sub-packages: oracle/mysqltarget, oracle/csvtarget, oracle/mongotarget;
// oracle/all imports every one. Contracts (events from matched assets)
// live beside it in oracle/contract.
//
// It imports chain, chain/store, chain/walk and internal/records; never
// connectors or cmd.
package oracle
