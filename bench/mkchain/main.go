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
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/blockhub/blockhub/bench"
)

func main() {
	home := flag.String("home", "", "folder of the store (the chain name must be free there)")
	n := flag.Int("n", 10000, "blocks after the root")
	name := flag.String("chain", "bench", "chain name")
	size := flag.Int("asset-size", 64, "bytes of each block's asset, at least 8")
	flag.Parse()
	if *home == "" || *n < 0 || *size < 8 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: mkchain -home DIR [-n BLOCKS] [-chain NAME] [-asset-size BYTES]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	root, err := bench.MakeChain(ctx, *home, *name, *n, *size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkchain:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "mkchain: chain %q (%s): %d blocks after the root in %s\n",
		*name, root.ID, *n, time.Since(start).Round(time.Millisecond))
}
