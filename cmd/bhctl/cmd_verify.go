package main

import (
	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain/walk"
)

func newVerifyCommand() *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check every block of the chain (and with --assets every asset)",
		Description: "Prints one line per fault, naming the block or asset and the problem (hash\n" +
			"mismatch, missing, broken link, fork, height gap, ...), and exits 1 when it\n" +
			"found any; exits 0 when all is sound. --orphans also lists stored assets\n" +
			"that no block names (left by killed runs; harmless), and the spool files of\n" +
			"runs killed while reading their input (in the home's tmp/; the next capture\n" +
			"removes them).",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "assets", Usage: "read every asset back and check its hash and length"},
			&cli.BoolFlag{Name: "orphans", Usage: "list assets that no block of any chain names"},
		},
		Action: withEnv(runVerify),
	}
}

type faultJSON struct {
	Block   string `json:"block"`
	Height  uint64 `json:"height"`
	Asset   string `json:"asset,omitempty"`
	Problem string `json:"problem"`
	Error   string `json:"error"`
}

func runVerify(c *cli.Context, e *env) error {
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	v := &walk.Verifier{Blocks: h.Blocks}
	if c.Bool("assets") {
		v.Assets = h.Assets
	}
	faults := 0
	for f, err := range v.All(e.ctx, root.ID) {
		if err != nil {
			return err
		}
		faults++
		if e.json {
			if err := e.printJSON(faultJSON{f.Block, f.Height, f.Asset, f.Problem, oneLine(f.Error())}); err != nil {
				return err
			}
			continue
		}
		e.printf("%s\n", oneLine(f.Error()))
	}
	if c.Bool("orphans") {
		n := 0
		for hash, err := range walk.Orphans(e.ctx, h.Blocks, h.Assets) {
			if err != nil {
				return err
			}
			n++
			if e.json {
				if err := e.printJSON(map[string]string{"orphan": hash}); err != nil {
					return err
				}
				continue
			}
			e.printf("orphan %s\n", hash)
		}
		e.notef("%d orphan asset(s)", n)
		// Spool files of runs killed while they read their input: the
		// next write removes them.
		spools, bytes := 0, int64(0)
		for sp, err := range appender.StaleSpools(h.SpoolDir()) {
			if err != nil {
				return err
			}
			spools++
			bytes += sp.Size
			if e.json {
				if err := e.printJSON(map[string]any{"spool": sp.Path, "bytes": sp.Size}); err != nil {
					return err
				}
				continue
			}
			e.printf("spool %s %d\n", sp.Path, sp.Size)
		}
		e.notef("%d stale spool file(s), %d bytes (the next capture removes them)", spools, bytes)
	}
	if faults > 0 {
		return faultsFound{faults}
	}
	e.notef("chain %s: %d block(s), %d asset(s) checked, no faults", e.chain, v.BlocksChecked, v.AssetsChecked)
	return nil
}
