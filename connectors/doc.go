// Package connectors holds the one interface every source connector
// implements, the registry that `bhctl import NAME` reads, and Import, the
// runner that takes a connector's chunks onto a chain with the common
// options (--rows, --exclude, --format, --meta, --prevent-dups, --dry-run,
// --sensitive).
//
// Each connector is a sub-package (connectors/csv, connectors/excel, ...)
// that registers a Spec in init; connectors/all imports them all.
// Connectors never import each other; what they share lives in internal/
// (internal/records for record encodings, internal/sensitive for the
// sensitive-data scan).
//
// It imports chain, appender, builder, index and internal packages.
package connectors
