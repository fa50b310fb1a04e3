// Command mkchain builds a folder-store chain of N blocks quickly, for the
// verify benchmark (bench/verify.sh): making 100,000 blocks through
// `bhctl pipe` costs several fsyncs per block, this costs none.
//
// It writes through the library (see bench.MakeChain) with the folder
// store's ?nosync=1, so the chain is what bhctl would have made, only not
// crash-safe. Each block after the root names one small asset of its own.
// The folder then reads with a plain --home:
//
//	go run ./bench/mkchain -home /tmp/bh -n 100000
//	bhctl --home /tmp/bh --chain bench verify
//
// With -receipts K each block holds K receipts naming assets that are not
// stored (for the Merkle tree benchmarks, bench/tree.sh):
//
//	go run ./bench/mkchain -home /tmp/bh -n 1000 -receipts 1000   # 1,000,001 receipts
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/blockhub/blockhub/bench"
	"github.com/blockhub/blockhub/chain"
)

func main() {
	home := flag.String("home", "", "folder of the store (the chain name must be free there)")
	n := flag.Int("n", 10000, "blocks after the root")
	name := flag.String("chain", "bench", "chain name")
	size := flag.Int("asset-size", 64, "bytes of each block's asset, at least 8")
	per := flag.Int("receipts", 0, "receipts per block, naming assets that are not stored (for bench/tree.sh); 0: one stored asset a block")
	hash := flag.Int("print-hash", -1, "print the asset hash -receipts gives receipt N, and exit")
	flag.Parse()
	if *hash >= 0 {
		fmt.Println(bench.ReceiptHash(*hash))
		return
	}
	if *home == "" || *n < 0 || *size < 8 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: mkchain -home DIR [-n BLOCKS] [-chain NAME] [-asset-size BYTES]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	build := func() (chain.Block, error) { return bench.MakeChain(ctx, *home, *name, *n, *size) }
	if *per > 0 {
		build = func() (chain.Block, error) { return bench.MakeReceipts(ctx, *home, *name, *n, *per) }
	}
	root, err := build()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkchain:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "mkchain: chain %q (%s): %d blocks after the root in %s\n",
		*name, root.ID, *n, time.Since(start).Round(time.Millisecond))
}
