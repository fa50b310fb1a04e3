package index_test

import (
	"context"
	"strings"
	"testing"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain/walk"
	"github.com/blockhub/blockhub/index"
)

func TestPrefixes(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	h, err := blockhub.Open(ctx, blockhub.Config{Home: home})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	root, _, err := h.Chain(ctx, "prefix", nil)
	if err != nil {
		t.Fatal(err)
	}
	hashes := appendN(t, h, root, 0, 40)
	x, err := index.Open(ctx, home, h.Blocks, root)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()

	for _, hash := range hashes {
		if got := x.AssetsWithPrefix(hash[:12], 3); len(got) != 1 || got[0] != hash {
			t.Fatalf("AssetsWithPrefix(%s) = %v, want [%s]", hash[:12], got, hash)
		}
	}
	// Every asset starts with one of 16 digits (40, and the root's settings).
	n := 0
	for _, d := range "0123456789abcdef" {
		got := x.AssetsWithPrefix(string(d), 100)
		for _, g := range got {
			if !strings.HasPrefix(g, string(d)) {
				t.Fatalf("AssetsWithPrefix(%c) yields %s", d, g)
			}
		}
		n += len(got)
	}
	if n != 41 {
		t.Fatalf("one-digit prefixes found %d assets, want 41", n)
	}
	if got := x.AssetsWithPrefix("0", 2); len(got) > 2 {
		t.Fatalf("limit 2 gave %d", len(got))
	}

	for b, err := range h.Walker(root).All(ctx, &walk.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		if got := x.BlocksWithPrefix(b.ID[:10], 2); len(got) != 1 || got[0] != b.ID {
			t.Fatalf("BlocksWithPrefix(%s) = %v, want [%s]", b.ID[:10], got, b.ID)
		}
	}
	if got := x.BlocksWithPrefix("zz", 2); len(got) != 0 {
		t.Fatalf("BlocksWithPrefix(zz) = %v", got)
	}
}
