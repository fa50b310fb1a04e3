package fs_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blockhub/blockhub/connectors/fs"
)

// A Go program reads a folder as bhctl import fs does: one chunk per file,
// big files in parts. connectors.Import takes the same source onto a
// chain.
func Example() {
	dir, _ := os.MkdirTemp("", "fs-example")
	defer os.RemoveAll(dir)
	os.MkdirAll(filepath.Join(dir, "2026-01"), 0o755)
	os.WriteFile(filepath.Join(dir, "2026-01", "orders.csv"), []byte("order_id,item\n1,Desk lamp\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("# Notes\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "big.log"), make([]byte, 2500), 0o644)

	src, err := fs.New(dir, &fs.Options{Recursive: true, Exclude: []string{"*.md"}, ChunkSize: 1000})
	if err != nil {
		panic(err)
	}
	for c, err := range src.Chunks(context.Background(), nil) {
		if err != nil {
			panic(err)
		}
		fmt.Println(c.Meta["path"], c.Type, len(c.Data), c.Meta["part"], c.Meta["offset"])
	}
	// Output:
	// 2026-01/orders.csv text/csv 26 <nil> <nil>
	// big.log text/plain; charset=utf-8 1000 [1 3] [0 1000]
	// big.log text/plain; charset=utf-8 1000 [2 3] [1000 2000]
	// big.log text/plain; charset=utf-8 500 [3 3] [2000 2500]
}
