package merkle_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
)

// workedExample builds the 5-leaf chain of docs/FORMAT.md ("The Merkle
// tree", worked example) and renders its numbers as the page shows them.
func workedExample(t *testing.T) string {
	ctx := context.Background()
	c := memChain(t, "example")
	pipe := func(s string) chain.Receipt {
		return chain.Receipt{Hash: chain.SHA256.Sum([]byte(s)), Crypt: chain.SHA256, Length: int64(len(s)), Type: "text/plain", Meta: []byte(`{"source":"pipe"}`)}
	}
	c.add(t, pipe("one\n"), pipe("two\n"))
	c.add(t, pipe("three\n"), pipe("four\n"))
	tree, err := merkle.Open(c.blocks, c.chain[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	head, err := tree.Update(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("```\n")
	for i, r := range c.leaves() {
		lb, _ := r.Canonical()
		h, _ := merkle.LeafHash(r)
		fmt.Fprintf(&b, "leaf %d bytes: %s\nleaf %d hash:  %s\n", i, lb, i, merkle.HexHash(h))
	}
	fmt.Fprintf(&b, "root (size %d): %s\nroot, base64:   %s\n", head.Size, merkle.HexHash(head.Root), base64.StdEncoding.EncodeToString(head.Root[:]))
	pos, err := tree.Locate(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	incl, err := tree.ProveInclusion(ctx, pos, 5)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "inclusion of leaf 2 in size 5:\n")
	for i, h := range incl.Proof {
		fmt.Fprintf(&b, "  proof[%d] %s\n", i, h)
	}
	cons, err := tree.ProveConsistency(ctx, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "root (size 3): %s\nconsistency from size 3 to size 5:\n", cons.FromRoot)
	for i, h := range cons.Proof {
		fmt.Fprintf(&b, "  proof[%d] %s\n", i, h)
	}
	b.WriteString("```\n")
	return b.String()
}

// TestWorkedExample keeps the Merkle tree's worked example in
// docs/FORMAT.md true: the numbers the code makes must be on the page as
// they are (go test ./chain/merkle -run TestWorkedExample -v prints them).
func TestWorkedExample(t *testing.T) {
	want := workedExample(t)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), want) {
		t.Errorf("docs/FORMAT.md lacks the Merkle worked example the code makes now:\n%s", want)
	}
}
