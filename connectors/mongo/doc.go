// Package mongo is the mongo connector: it captures MongoDB collections
// into a chain through go.mongodb.org/mongo-driver/v2.
//
//	bhctl import mongo --source mongodb://host:27017/db --collection orders
//
// Each collection is read in _id order with keyset pagination
// ({_id: {$gt: last}} sorted by _id, never skip), one asset per page, so
// the same documents give the same bytes on every run and --prevent-dups
// skips what the chain already holds. Documents are written as canonical
// Extended JSON, one a line, so every BSON type survives the round trip.
// With --incremental FIELD it reads only documents whose FIELD passed the
// cursor that the latest capture of the same collection left in its meta:
// the Source is then a connectors.Resumer, handed the chain's index on
// every run (no --prevent-dups needed), one run at a time.
//
// It imports connectors, chain/store (for URL redaction) and
// internal/records.
package mongo
