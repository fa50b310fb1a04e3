package main

import (
	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
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
			"that no block names (left by killed runs; harmless), the empty roots left\n" +
			"by processes that lost a race to create a chain (harmless too), and the spool\n" +
			"files of runs killed while reading their input (in the home's tmp/; the next\n" +
			"capture removes them).\n\n" +
			"--checkpoint FILE checks the note's signature, then that the chain as it is\n" +
			"now holds exactly the checkpoint's tree as a prefix: a cut tail, a rewritten\n" +
			"block, a reordered or removed receipt is a fault naming the first height where\n" +
			"the chain departs. --proof FILE checks an inclusion or consistency proof\n" +
			"(with --checkpoint, also against that checkpoint's root) without any store.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "assets", Usage: "read every asset back and check its hash and length"},
			&cli.BoolFlag{Name: "orphans", Usage: "list assets that no block of any chain names, and roots that lost a race for their name"},
			&cli.StringFlag{Name: "checkpoint", Usage: "check that the chain holds exactly the tree of this signed checkpoint `FILE` as a prefix"},
			&cli.StringSliceFlag{Name: "verifier", Usage: "verifier `KEY` (or file) of the checkpoint's signer (default: keys/*.vkey in --home)"},
			&cli.StringFlag{Name: "proof", Usage: "check a proof `FILE` saved from bhctl prove -o json, offline (no store)"},
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
	switch {
	case c.String("proof") != "":
		return runVerifyProof(c, e)
	case c.String("checkpoint") != "":
		return runVerifyCheckpoint(c, e)
	}
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
		if err := listLostRoots(e, h); err != nil {
			return err
		}
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

// listLostRoots prints the empty roots left by creators that lost the race
// for their chain's name, and a count when there are any.
func listLostRoots(e *env, h *blockhub.Hub) error {
	n := 0
	for l, err := range h.LostRoots(e.ctx) {
		if err != nil {
			return err
		}
		n++
		if e.json {
			if err := e.printJSON(map[string]string{"lost_root": l.Root.ID, "name": l.Name, "chain": l.Winner}); err != nil {
				return err
			}
			continue
		}
		e.printf("lost root %s: chain %q is %s\n", l.Root.ID, l.Name, l.Winner)
	}
	if n > 0 {
		e.notef("%d empty root(s) left by racing creators of a chain (harmless)", n)
	}
	return nil
}
