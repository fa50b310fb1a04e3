// Package all registers every store driver; import it for its side effect.
package all

import (
	_ "github.com/blockhub/blockhub/chain/store/filestore"
	_ "github.com/blockhub/blockhub/chain/store/memstore"
	_ "github.com/blockhub/blockhub/chain/store/mongostore"
	_ "github.com/blockhub/blockhub/chain/store/mysqlstore"
	_ "github.com/blockhub/blockhub/chain/store/s3store"
)
