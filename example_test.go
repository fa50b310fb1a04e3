package blockhub_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain/walk"
)

// Capture two assets into a chain in a folder store, then walk and verify
// it.
func Example() {
	ctx := context.Background()
	home, _ := os.MkdirTemp("", "bh-example-")
	defer os.RemoveAll(home)

	hub, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		log.Fatal(err)
	}
	defer hub.Close()
	root, _, err := hub.Chain(ctx, "orders", nil) // created on first use
	if err != nil {
		log.Fatal(err)
	}
	w, err := hub.Writer(ctx, root)
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range []string{"order_id,qty\n1,2\n", "order_id,qty\n2,5\n"} {
		if _, err := w.Append(ctx, appender.Chunk{Data: []byte(row), Type: "text/csv"}); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil { // links everything appended
		log.Fatal(err)
	}

	assets := 0
	for b, err := range hub.Walker(root).All(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		if !b.IsRoot() {
			assets += len(b.Assets)
		}
	}
	faults := 0
	v := &walk.Verifier{Blocks: hub.Blocks, Assets: hub.Assets}
	for range v.All(ctx, root.ID) {
		faults++
	}
	fmt.Println("assets:", assets, "faults:", faults)
	// Output: assets: 2 faults: 0
}
