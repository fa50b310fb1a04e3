package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	_ "github.com/blockhub/blockhub/chain/store/filestore" // the folder store
	"github.com/blockhub/blockhub/chain/walk"
)

// Example is the worked example of docs/FORMAT.md: a chain named
// "example" whose root is followed by one block naming the asset
// "hello\n", as `echo hello | bhctl pipe` would make it, with fixed times.
type Example struct {
	Settings     []byte      // the settings asset's bytes
	SettingsHash string      // their sha256
	Root         chain.Block // sealed, Next set
	RootDoc      []byte      // canonical JSON without id and next: the root id's input
	Data         []byte      // the asset's bytes
	DataHash     string
	Block        chain.Block // the block at height 1
	BlockDoc     []byte      // its id's input
	Files        []File      // the folder store after both blocks, sorted by path
}

// File is one file of the example's folder store.
type File struct {
	Path    string // relative to the store's folder, with /
	Content []byte // nil for files not shown (assets)
}

// Example times: fixed, so the ids never change.
var (
	exampleRootTime  = time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.UTC)
	exampleBlockTime = time.Date(2026, 11, 24, 10, 0, 5, 0, time.UTC)
)

// MakeExample builds the worked example with the library into a new
// folder store at dir (which must not exist or be empty), verifies it
// with the walk package and returns it.
func MakeExample(ctx context.Context, dir string) (Example, error) {
	var ex Example
	u := "file://" + dir
	assets, err := store.OpenAssets(ctx, u, nil)
	if err != nil {
		return ex, err
	}
	defer assets.Close()
	blocks, err := store.OpenBlocks(ctx, u, nil)
	if err != nil {
		return ex, err
	}
	defer blocks.Close()

	s := chain.DefaultSettings("example")
	ex.Settings = s.Encode()
	if ex.SettingsHash, _, err = assets.PutBytes(ctx, s.Crypt, ex.Settings); err != nil {
		return ex, err
	}
	root, err := chain.NewRoot(s, exampleRootTime)
	if err != nil {
		return ex, err
	}
	if err := blocks.Create(ctx, root); err != nil {
		return ex, err
	}

	ex.Data = []byte("hello\n")
	if ex.DataHash, _, err = assets.PutBytes(ctx, chain.SHA256, ex.Data); err != nil {
		return ex, err
	}
	b := chain.Block{
		Chain:  root.ID,
		Prev:   root.ID,
		Height: 1,
		Time:   chain.Stamp(exampleBlockTime),
		Crypt:  chain.SHA256,
		Assets: []chain.Receipt{{
			Hash:   ex.DataHash,
			Crypt:  chain.SHA256,
			Length: int64(len(ex.Data)),
			Type:   "application/octet-stream",
			Meta:   json.RawMessage(`{"source":"pipe"}`),
		}},
	}
	if err := b.Seal(); err != nil {
		return ex, err
	}
	if err := blocks.Create(ctx, b); err != nil {
		return ex, err
	}
	if err := blocks.SetNext(ctx, root.ID, b.ID); err != nil {
		return ex, err
	}
	blocks.NoteTail(ctx, root.ID, b.ID)

	v := &walk.Verifier{Blocks: blocks, Assets: assets}
	for f, err := range v.All(ctx, root.ID) {
		if err != nil {
			return ex, err
		}
		return ex, fmt.Errorf("example: %w", f)
	}
	if v.BlocksChecked != 2 || v.AssetsChecked != 2 {
		return ex, fmt.Errorf("example: checked %d blocks and %d assets, want 2 and 2", v.BlocksChecked, v.AssetsChecked)
	}
	if ex.Root, err = blocks.Get(ctx, root.ID); err != nil {
		return ex, err
	}
	if ex.Block, err = blocks.Get(ctx, b.ID); err != nil {
		return ex, err
	}
	if ex.RootDoc, err = ex.Root.Canonical(false); err != nil {
		return ex, err
	}
	if ex.BlockDoc, err = ex.Block.Canonical(false); err != nil {
		return ex, err
	}
	ex.Files, err = listFiles(dir)
	return ex, err
}

// listFiles returns the files under dir, with the contents of those a
// reader may want to see (everything but assets and temporary files).
func listFiles(dir string) ([]File, error) {
	var files []File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		f := File{Path: filepath.ToSlash(rel)}
		if filepath.Ext(path) != ".blob" {
			if f.Content, err = os.ReadFile(path); err != nil {
				return err
			}
		}
		files = append(files, f)
		return nil
	})
	slices.SortFunc(files, func(a, b File) int {
		switch {
		case a.Path < b.Path:
			return -1
		case a.Path > b.Path:
			return 1
		}
		return 0
	})
	return files, err
}
