package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// tourCommands returns the commands of the README's tour: the lines of
// the first sh block after the tour's heading, without the comment lines
// (what a user will see) and without go install (the test has bhctl).
func tourCommands(readme string) ([]string, error) {
	b, err := os.ReadFile(readme)
	if err != nil {
		return nil, err
	}
	var cmds []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	inTour, inBlock := false, false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			inTour = line == "## A two-minute tour"
		case inTour && line == "```sh":
			inBlock = true
		case inBlock && line == "```":
			return cmds, nil
		case inBlock:
			t := strings.TrimSpace(line)
			if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "go install ") {
				continue
			}
			cmds = append(cmds, line)
		}
	}
	return cmds, sc.Err()
}

// TestReadmeTour runs the README's tour, as written, in an empty folder:
// every command must succeed (sh -e), in order.
func TestReadmeTour(t *testing.T) {
	cmds, err := tourCommands(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) < 10 {
		t.Fatalf("found %d commands in the README's tour; is its heading still \"## A two-minute tour\"?", len(cmds))
	}
	dir := t.TempDir()
	script := "# The README's tour (made by TestReadmeTour).\n" +
		"exec sh -e -x tour.sh\n" +
		"stdout '^5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03$'\n" +
		"stdout '\"captured\":0,\"skipped\":0,\"records\":0,'\n" +
		"exists orders.csv\n" +
		"-- tour.sh --\n" + strings.Join(cmds, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "tour.txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("BH_HOME", filepath.Join(env.WorkDir, ".bh"))
			return nil
		},
	})
}
