package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/blockhub/blockhub/internal/emitcli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := emitcli.Run(ctx, "emitter", os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
