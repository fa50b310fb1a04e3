// Package sql is the sql connector: it captures MySQL or MariaDB tables
// into a chain through github.com/go-sql-driver/mysql.
//
//	bhctl import sql --source mysql://user:pass@host:3306/db --table orders
//
// Each table is read in primary-key order as one stream (one SELECT ...
// ORDER BY pk, as mariadb-dump --quick reads it), cut into pages of
// --rows rows, one asset per page: the pages of keyset pagination
// (WHERE pk > last ORDER BY pk LIMIT rows), which is also how a broken
// stream resumes. So the same rows give the same bytes on every run and
// --prevent-dups skips what the chain already holds. With --incremental
// COLUMN it reads only rows whose COLUMN passed the cursor that the latest
// capture of the same table left in its meta, so a cron job needs no state
// file: the Source is then a connectors.Resumer, handed the chain's index
// on every run (no --prevent-dups needed), one run at a time.
//
// It imports connectors, chain/store (for URL redaction) and
// internal/records.
package sql
