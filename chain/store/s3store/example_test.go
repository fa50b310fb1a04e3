package s3store_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/s3store"
)

// Assets and blocks in one bucket of a MinIO on this machine, under the
// prefix "chains"; the credentials come from BH_S3_ACCESS_KEY and
// BH_S3_SECRET_KEY since the URL has none.
func Example() {
	ctx := context.Background()
	const u = "s3://127.0.0.1:9000/blockhub/chains?secure=false"
	assets, err := store.OpenAssets(ctx, u, nil)
	if err != nil {
		log.Fatal(err) // one line, the secret redacted
	}
	defer assets.Close()
	hash, _, err := assets.PutBytes(ctx, chain.SHA256, []byte("hello, bucket\n"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(hash) // stored as chains/assets/<first two digits>/<hash>.blob
}
