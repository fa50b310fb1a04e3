package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/walk"
)

// bhctl runs the CLI in-process and returns its exit code and output.
func bhctl(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(append([]string{"bhctl"}, args...), strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

// blocksOf reads the chain of the folder store at home.
func blocksOf(t *testing.T, home string) (*store.Blocks, []chain.Block) {
	t.Helper()
	ctx := context.Background()
	bs, err := store.OpenBlocks(ctx, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bs.Close() })
	var root string
	for r, err := range bs.Roots(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		root = r.ID
	}
	var out []chain.Block
	for b, err := range walk.New(bs, root).All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return bs, out
}

// nextFile is where the folder store keeps a block's next (docs/FORMAT.md).
func nextFile(home, id string) string {
	return filepath.Join(home, "blocks", id[:2], id+".next")
}

// rewriteFrom replaces the blocks from height h on with copies that edit
// changes, every id recomputed and every link redone: a forgery that
// bhctl verify cannot see, since each block checks out.
func rewriteFrom(t *testing.T, home string, h int, edit func(*chain.Block)) {
	t.Helper()
	ctx := context.Background()
	bs, blocks := blocksOf(t, home)
	prev := blocks[h-1]
	for _, b := range blocks[h:] {
		nb := b
		nb.Next = ""
		nb.Assets = append([]chain.Receipt(nil), b.Assets...)
		nb.Prev = prev.ID
		if b.Height == uint64(h) {
			edit(&nb)
		}
		if err := nb.Seal(); err != nil {
			t.Fatal(err)
		}
		if err := bs.Create(ctx, nb); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(nextFile(home, prev.ID), []byte(nb.ID), 0o644); err != nil {
			t.Fatal(err)
		}
		prev = nb
	}
	if err := os.Remove(filepath.Join(home, "blocks", "tails", blocks[0].ID)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// TestVerifyCheckpointTampering cuts the tail, rewrites the tail with
// recomputed ids, and swaps two receipts: bhctl verify still passes each
// (the blocks check out), bhctl verify --checkpoint names the first
// height where the chain departs from an earlier checkpoint.
func TestVerifyCheckpointTampering(t *testing.T) {
	base := t.TempDir()
	home := filepath.Join(base, "home")
	for i := range 6 {
		var in strings.Builder
		for j := range 40 {
			fmt.Fprintf(&in, "run %d line %d\n", i, j)
		}
		if code, _, stderr := bhctl(t, in.String(), "--home", home, "pipe", "--rows", "5"); code != 0 {
			t.Fatalf("pipe: %d %s", code, stderr)
		}
	}
	code, cpJSON, stderr := bhctl(t, "", "--home", home, "checkpoint", "-o", "json")
	if code != 0 {
		t.Fatalf("checkpoint: %d %s", code, stderr)
	}
	var cp checkpointJSON
	if err := json.Unmarshal([]byte(cpJSON), &cp); err != nil || cp.Size != 1+6*8 || cp.Height != 6 {
		t.Fatalf("checkpoint %s: %v", cpJSON, err)
	}
	cpFile := filepath.Join(base, "cp.json")
	os.WriteFile(cpFile, []byte(cpJSON), 0o644)

	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, home string)
		height int
		want   string
	}{
		{"intact", func(*testing.T, string) {}, -1, ""},
		{"grown", func(t *testing.T, home string) {
			if code, _, stderr := bhctl(t, "more\n", "--home", home, "pipe"); code != 0 {
				t.Fatal(stderr)
			}
		}, -1, ""},
		{"cut tail", func(t *testing.T, home string) {
			_, blocks := blocksOf(t, home)
			os.Remove(nextFile(home, blocks[4].ID)) // the chain now ends at height 4
		}, 5, "cut"},
		{"rewritten tail", func(t *testing.T, home string) {
			rewriteFrom(t, home, 5, func(b *chain.Block) { b.Assets[3].Meta = json.RawMessage(`{"source":"forged"}`) })
		}, 5, "changed"},
		{"swapped receipts", func(t *testing.T, home string) {
			rewriteFrom(t, home, 3, func(b *chain.Block) { b.Assets[1], b.Assets[6] = b.Assets[6], b.Assets[1] })
		}, 3, "changed"},
		{"removed receipt", func(t *testing.T, home string) {
			rewriteFrom(t, home, 2, func(b *chain.Block) { b.Assets = append(b.Assets[:7:7], b.Assets[8:]...) })
		}, 2, "changed"},
		{"added receipt", func(t *testing.T, home string) {
			rewriteFrom(t, home, 6, func(b *chain.Block) { b.Assets = append(b.Assets, b.Assets[0]) })
		}, 6, "split"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := filepath.Join(t.TempDir(), "home")
			if err := os.CopyFS(h, os.DirFS(home)); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, h)
			if code, out, stderr := bhctl(t, "", "--home", h, "verify"); code != 0 {
				t.Fatalf("verify after %s: exit %d\n%s%s", tc.name, code, out, stderr)
			}
			code, out, stderr := bhctl(t, "", "--home", h, "verify", "--checkpoint", cpFile)
			if tc.height < 0 {
				if code != 0 {
					t.Fatalf("verify --checkpoint: exit %d\n%s%s", code, out, stderr)
				}
				return
			}
			want := fmt.Sprintf("chain departs from the checkpoint at height %d ", tc.height)
			if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, tc.want) {
				t.Fatalf("verify --checkpoint: exit %d, want 1 and %q (%s)\n%s%s", code, want, tc.want, out, stderr)
			}
		})
	}
}
