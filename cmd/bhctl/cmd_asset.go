package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain"
)

func newAssetCommand() *cli.Command {
	return &cli.Command{
		Name:        "asset",
		Usage:       "write an asset's bytes to stdout, checked against its hash",
		ArgsUsage:   "HASH",
		Description: "Exits non-zero, after the bytes, when they do not match the hash.",
		Action:      withEnv(runAsset),
	}
}

func runAsset(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one asset HASH"); err != nil {
		return err
	}
	hash := c.Args().First()
	if err := chain.CheckHex("asset hash", hash); err != nil {
		return usageError{err}
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	rc, err := h.Assets.Get(e.ctx, hash)
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := io.Copy(e.stdout, rc); err != nil {
		return fmt.Errorf("asset %s: %w", hash, err)
	}
	return nil
}
