// Command formatexample prints the worked example of docs/FORMAT.md: it
// builds a root and one block with the library in a temporary folder
// store, verifies them, and prints each id's canonical input, the shell
// command that recomputes the id, and the store's files.
//
//	go run ./bench/formatexample
//
// bench's TestFormatExample fails when docs/FORMAT.md no longer matches
// what this prints.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/blockhub/blockhub/bench"
)

func main() {
	dir, err := os.MkdirTemp("", "bh-format-example-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "formatexample:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	ex, err := bench.MakeExample(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "formatexample:", err)
		os.Exit(1)
	}
	fmt.Printf("# settings asset (%d bytes)\nprintf '%%s' '%s' | sha256sum\n%s  -\n\n", len(ex.Settings), ex.Settings, ex.SettingsHash)
	fmt.Printf("# root, canonical JSON without id and next (%d bytes)\nprintf '%%s' '%s' | sha256sum\n%s  -\n\n", len(ex.RootDoc), ex.RootDoc, ex.Root.ID)
	fmt.Printf("# data asset\nprintf 'hello\\n' | sha256sum\n%s  -\n\n", ex.DataHash)
	fmt.Printf("# block 1, canonical JSON without id and next (%d bytes)\nprintf '%%s' '%s' | sha256sum\n%s  -\n\n", len(ex.BlockDoc), ex.BlockDoc, ex.Block.ID)
	rootOut, _ := ex.Root.Encode()
	blockOut, _ := ex.Block.Encode()
	fmt.Printf("# bhctl walk -o json\n%s\n%s\n\n# files\n", rootOut, blockOut)
	for _, f := range ex.Files {
		if f.Content == nil {
			fmt.Printf("%s\n", f.Path)
			continue
		}
		fmt.Printf("%s: %q\n", f.Path, f.Content)
	}
}
