package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// cliDocsMarker separates the hand-written part of docs/cli.md from the
// help texts below it, which TestCLIDocs writes.
const cliDocsMarker = "<!-- Below: the output of bhctl help for every command, written by `go test ./cmd/bhctl -run TestCLIDocs -update`. Do not edit it by hand. -->"

// TestCLIDocs checks that docs/cli.md holds the help of every command as
// bhctl prints it, so the docs and bhctl help cannot drift; -update
// rewrites that part.
func TestCLIDocs(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "cli.md")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(old), cliDocsMarker)
	if !ok {
		t.Fatalf("%s lacks the line %s", path, cliDocsMarker)
	}
	var b strings.Builder
	b.WriteString(head + cliDocsMarker + "\n")
	help := func(words []string) {
		var out, errs bytes.Buffer
		if code := run(append([]string{"bhctl", "help"}, words...), nil, &out, &errs); code != 0 {
			t.Fatalf("bhctl help %s: exit %d: %s", strings.Join(words, " "), code, errs.String())
		}
		b.WriteString("\n### " + strings.TrimSpace("bhctl "+strings.Join(words, " ")) + "\n\n```\n" + out.String() + "```\n")
	}
	help(nil)
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			p := append(append([]string(nil), path...), c.Name)
			help(p)
			walk(p, c.Subcommands)
		}
	}
	walk(nil, newApp(nil, nil, nil).Commands)
	if b.String() == string(old) {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("%s does not match bhctl help: run go test ./cmd/bhctl -run TestCLIDocs -update", path)
}
