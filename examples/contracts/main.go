// Command contracts captures the shop's cart items and orders (data/)
// into a chain and runs the ORDER_CREATED contract (order_created.yaml)
// over it: one event per order whose cart items and creation were both
// seen, appended to events.jsonl by the contract's command handler.
//
//	go run ./examples/contracts
//
// The same with the CLI:
//
//	bhctl --chain shop pipe --type text/csv --meta path=cart_items.csv < data/cart_items.csv
//	bhctl --chain shop pipe --type text/csv --meta path=orders.csv < data/orders.csv
//	bhctl --chain shop contract run examples/contracts/order_created.yaml
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/oracle"
	"github.com/blockhub/blockhub/oracle/contract"
)

// Files are captured in this order, one asset each.
var Files = []string{"cart_items.csv", "orders.csv", "orders_late.csv"}

// Capture appends the data files to the chain rooted at root.
func Capture(ctx context.Context, h *blockhub.Hub, root chain.Block, dir string, files ...string) error {
	w, err := h.Writer(ctx, root)
	if err != nil {
		return err
	}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			w.Close()
			return err
		}
		meta, _ := json.Marshal(map[string]any{"source": "csv", "path": name})
		if _, err := w.Append(ctx, appender.Chunk{Data: data, Type: "text/csv", Meta: meta}); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// Run captures files into the chain "shop" of home and runs the contract
// file over it, keeping its checkpoint in home.
func Run(ctx context.Context, home, dataDir, contractFile string, files ...string) (contract.Summary, []contract.Event, error) {
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		return contract.Summary{}, nil, err
	}
	defer h.Close()
	root, _, err := h.Chain(ctx, "shop", nil)
	if err != nil {
		return contract.Summary{}, nil, err
	}
	if err := Capture(ctx, h, root, dataDir, files...); err != nil {
		return contract.Summary{}, nil, err
	}
	c, err := contract.Load(contractFile, nil)
	if err != nil {
		return contract.Summary{}, nil, err
	}
	var events []contract.Event
	sum, err := c.Run(ctx, oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}, &contract.RunOptions{
		Checkpoint: filepath.Join(home, "contracts", c.Name+".json"),
		OnEvent:    func(ev contract.Event) { events = append(events, ev) },
	})
	return sum, events, err
}

func main() {
	flag.Parse()
	home, err := os.MkdirTemp("", "bh-contracts-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)
	os.Setenv("BH_EVENTS", filepath.Join(home, "events.jsonl"))
	sum, events, err := Run(context.Background(), home, "examples/contracts/data", "examples/contracts/order_created.yaml", Files...)
	if err != nil {
		log.Fatal(err)
	}
	for _, ev := range events {
		fmt.Printf("%s order %s at height %d asset %d (id %s)\n", ev.Name, ev.Key, ev.Height, ev.Index, ev.ID)
	}
	fmt.Printf("%d events\n", sum.Events)
}
