// Package all registers every source connector; import it for its side
// effect.
package all

import (
	_ "github.com/blockhub/blockhub/connectors/api"    // dated vendor APIs, one request per window
	_ "github.com/blockhub/blockhub/connectors/bucket" // S3 buckets, one asset per object
	_ "github.com/blockhub/blockhub/connectors/csv"    // CSV files, resumed where they grew
	_ "github.com/blockhub/blockhub/connectors/excel"  // .xlsx workbooks, rows in chunks
	_ "github.com/blockhub/blockhub/connectors/fs"     // the files of a folder, optionally watched
	_ "github.com/blockhub/blockhub/connectors/mongo"  // MongoDB collections
	_ "github.com/blockhub/blockhub/connectors/sql"    // MySQL and MariaDB tables
	_ "github.com/blockhub/blockhub/connectors/stream" // lines of a followed file or stdin
)
