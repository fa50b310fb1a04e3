package main

import (
	"github.com/urfave/cli/v2"
	"golang.org/x/mod/sumdb/note"

	"github.com/blockhub/blockhub/chain/merkle"
)

func newCheckpointCommand() *cli.Command {
	return &cli.Command{
		Name:  "checkpoint",
		Usage: "print a signed checkpoint of the chain's Merkle tree at its tail",
		Description: "Prints a C2SP tlog-checkpoint signed note: the origin (blockhub/<chain id>),\n" +
			"the tree size (receipts) and the base64 root hash, a blank line, then a\n" +
			"signature line (Ed25519). Keep it: bhctl verify --checkpoint FILE later tells\n" +
			"whether the chain still holds exactly that tree. Without --key the home's\n" +
			"own key signs (keys/default.key, made on first use).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "signer key `FILE` (bhctl key generate)"},
		},
		Action: withEnv(runCheckpoint),
	}
}

type checkpointJSON struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"`
	Height uint64 `json:"height"`
	Block  string `json:"block"`
	Note   string `json:"note"`
}

func runCheckpoint(c *cli.Context, e *env) error {
	if err := needArgs(c, 0, "no arguments"); err != nil {
		return err
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	var signer note.Signer
	if f := c.String("key"); f != "" {
		signer, err = readSigner(f)
	} else {
		signer, err = e.defaultSigner(h.Home)
	}
	if err != nil {
		return err
	}
	tree, err := h.Tree(root)
	if err != nil {
		return err
	}
	head, err := tree.Update(e.ctx)
	if err != nil {
		return err
	}
	cp := merkle.Checkpoint{Origin: tree.Origin(), Size: head.Size, Root: head.Root}
	msg, err := cp.Sign(signer)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(checkpointJSON{cp.Origin, cp.Size, merkle.HexHash(cp.Root), head.Height, head.Block, string(msg)})
	}
	_, err = e.stdout.Write(msg)
	return err
}
