package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
)

func newAssetCommand() *cli.Command {
	return &cli.Command{
		Name:      "asset",
		Usage:     "show an asset, or write its bytes to stdout, checked against its hash",
		ArgsUsage: "HASH|PREFIX",
		Description: "On a terminal, asset shows what the asset is before its bytes: size, detected\n" +
			"type, the meta it was captured with and where it sits on --chain (height and\n" +
			"index); text is shown, binary as one line <blob N bytes TYPE>. With --raw, or\n" +
			"when stdout is not a terminal, it writes the exact bytes. -o json prints the\n" +
			"same facts as one object. A unique prefix of a hash (4 digits or more) is\n" +
			"looked up in --chain's index.\n\n" +
			"Bytes are checked against the hash before any is written: an asset that does\n" +
			"not match writes nothing and exits 1.\n\n" +
			"Example:\n  bhctl asset 5891b5b5 --raw > hello.txt",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "raw", Usage: "write the exact bytes (default when stdout is not a terminal)"},
		},
		Action: withEnv(runAsset),
	}
}

// memLimit is the largest asset checked in memory before it is written;
// a larger one is checked on its way into an unnamed temporary file, then
// copied from there.
var memLimit int64 = 64 << 20

// assetFacts is what asset shows about an asset (and prints with -o json).
type assetFacts struct {
	Hash     string          `json:"hash"`
	Size     int64           `json:"size"`
	Type     string          `json:"type,omitempty"` // as captured
	Detected string          `json:"detected"`
	Text     bool            `json:"text"`
	Meta     json.RawMessage `json:"meta,omitempty"`
	Chain    string          `json:"chain"`
	ChainID  string          `json:"chain_id,omitempty"`
	OnChain  bool            `json:"on_chain"`
	Block    string          `json:"block,omitempty"`
	Height   uint64          `json:"height"`
	Index    int             `json:"index"`
}

func runAsset(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one asset HASH or a prefix of one"); err != nil {
		return err
	}
	arg, err := parseHashArg("asset", c.Args().First(), false)
	if err != nil {
		return err
	}
	raw := c.Bool("raw")
	if !c.IsSet("raw") {
		raw = !e.json && !isTerminal(e.stdout)
	}
	if raw && e.json {
		return usagef("asset: --raw and -o json exclude each other")
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()

	hash := arg.full
	var root chain.Block
	var rootErr error
	if arg.prefix != "" || !raw {
		root, rootErr = h.Resolve(e.ctx, e.chain)
	}
	if arg.prefix != "" {
		if rootErr != nil {
			return rootErr
		}
		if hash, err = resolvePrefix(e.ctx, h, root, e.chain, "asset", arg.prefix, false); err != nil {
			return err
		}
	}
	if raw {
		return writeVerified(e, h, hash)
	}
	// Checked before anything is shown: a small asset whole in memory, a
	// large one hashed through, then its head read again for its type.
	size, err := h.Assets.Stat(e.ctx, hash)
	if err != nil {
		return err
	}
	var data []byte
	if size <= memLimit {
		data, err = h.Assets.ReadAll(e.ctx, hash)
	} else if err = h.Assets.Verify(e.ctx, hash, -1); err == nil {
		data, err = assetHead(e, h, hash)
	}
	if err != nil {
		return err
	}
	facts := describeAsset(hash, data, size > memLimit)
	facts.Size = size
	facts.Chain = e.chain
	if rootErr == nil {
		if err := locateAsset(e, h, root, &facts); err != nil {
			return err
		}
	}
	if e.json {
		return e.printJSON(facts)
	}
	printFacts(e, facts)
	if facts.Text && size > memLimit {
		return writeVerified(e, h, hash)
	}
	if facts.Text {
		_, err = e.stdout.Write(data)
		return err
	}
	e.printf("<blob %d bytes %s>\n", facts.Size, facts.Detected)
	return nil
}

// assetHead returns the first bytes of an asset, enough to detect its type
// (mimetype reads as much).
func assetHead(e *env, h *blockhub.Hub, hash string) ([]byte, error) {
	rc, err := h.Assets.Get(e.ctx, hash)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	head := make([]byte, 3072)
	n, err := io.ReadFull(rc, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("asset %s: %w", hash, err)
	}
	return head[:n], nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// describeAsset detects the type of data (the whole asset, or with head
// its first bytes) and whether it reads as text.
func describeAsset(hash string, data []byte, head bool) assetFacts {
	m := mimetype.Detect(data)
	text := false
	for t := m; t != nil; t = t.Parent() {
		if t.Is("text/plain") {
			text = utf8.Valid(data)
			// A head may end inside a character.
			for i := 1; head && !text && i < utf8.UTFMax && i < len(data); i++ {
				text = utf8.Valid(data[:len(data)-i])
			}
		}
	}
	return assetFacts{Hash: hash, Size: int64(len(data)), Detected: m.String(), Text: text}
}

// locateAsset fills in where the asset sits on the chain, from the chain's
// index (or the chain) and the block at that height.
func locateAsset(e *env, h *blockhub.Hub, root chain.Block, f *assetFacts) error {
	f.ChainID = root.ID
	height, i, ok, err := assetPosition(e.ctx, h, root, f.Hash)
	if err != nil || !ok {
		return err
	}
	b, err := blockAt(e.ctx, h, root, int64(height))
	if err != nil {
		return err
	}
	if i >= len(b.Assets) || b.Assets[i].Hash != f.Hash {
		return fmt.Errorf("asset %s: the index says height %d index %d, which lists another asset (bhctl index rebuild)", f.Hash, height, i)
	}
	f.OnChain, f.Block, f.Height, f.Index = true, b.ID, height, i
	f.Type, f.Meta = b.Assets[i].Type, b.Assets[i].Meta
	return nil
}

func printFacts(e *env, f assetFacts) {
	e.printf("asset    %s\n", f.Hash)
	e.printf("size     %d bytes\n", f.Size)
	if f.Type != "" && f.Type != f.Detected {
		e.printf("type     %s (captured as %s)\n", f.Detected, f.Type)
	} else {
		e.printf("type     %s\n", f.Detected)
	}
	if f.OnChain {
		e.printf("chain    %s height %d index %d (block %s)\n", f.Chain, f.Height, f.Index, f.Block)
	} else {
		e.printf("chain    not on chain %q\n", f.Chain)
	}
	if len(f.Meta) > 0 {
		e.printf("meta     %s\n", f.Meta)
	}
	e.printf("\n")
}

// writeVerified writes the asset's bytes to stdout only once they have
// matched the hash: a small asset is read whole first, a large one is
// copied into an unnamed temporary file while it is hashed (unlinked at
// once, so a killed run leaves nothing behind), then from there.
func writeVerified(e *env, h *blockhub.Hub, hash string) error {
	size, err := h.Assets.Stat(e.ctx, hash)
	if err != nil {
		return err
	}
	if size <= memLimit {
		data, err := h.Assets.ReadAll(e.ctx, hash)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(data)
		return err
	}
	tmp, err := os.CreateTemp("", "bh-asset-*")
	if err != nil {
		return fmt.Errorf("asset %s: %w", hash, err)
	}
	defer tmp.Close()
	if err := os.Remove(tmp.Name()); err != nil {
		return fmt.Errorf("asset %s: %w", hash, err)
	}
	rc, err := h.Assets.Get(e.ctx, hash)
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("asset %s: %w", hash, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("asset %s: %w", hash, err)
	}
	if _, err := io.Copy(e.stdout, tmp); err != nil {
		return fmt.Errorf("asset %s: %w", hash, err)
	}
	return nil
}
