package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestEveryCommandHasExample renders the help of every command and checks
// that it ends with an example of that command.
func TestEveryCommandHasExample(t *testing.T) {
	app := newApp(nil, nil, nil)
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			p := append(append([]string(nil), path...), c.Name)
			t.Run(strings.Join(p, "_"), func(t *testing.T) {
				var out, errs bytes.Buffer
				args := append([]string{"bhctl", "help"}, p...)
				if code := run(args, nil, &out, &errs); code != 0 {
					t.Fatalf("bhctl help %s: exit %d: %s", strings.Join(p, " "), code, errs.String())
				}
				lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
				i := len(lines) - 1
				for i > 0 && strings.HasPrefix(lines[i], "   ") {
					i--
				}
				if lines[i] != "EXAMPLE:" && lines[i] != "EXAMPLES:" || i == len(lines)-1 {
					t.Fatalf("help of %s does not end with an example:\n%s", strings.Join(p, " "), out.String())
				}
				for _, ex := range lines[i+1:] {
					if !strings.Contains(ex, "bhctl") {
						t.Errorf("example %q of %s does not run bhctl", ex, strings.Join(p, " "))
					}
				}
			})
			walk(p, c.Subcommands)
		}
	}
	walk(nil, app.Commands)
}

func TestNearest(t *testing.T) {
	names := []string{"api", "bucket", "csv", "excel", "fs", "mongo", "sql", "stream"}
	for _, tt := range []struct{ in, want string }{
		{"cvs", "csv"},
		{"csv", "csv"},
		{"exel", "excel"},
		{"mongodb", "mongo"},
		{"sqll", "sql"},
		{"xyz", ""},
		{"strem", "stream"},
	} {
		if got := nearest(tt.in, names); got != tt.want {
			t.Errorf("nearest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCompletionShell(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
		ok   bool
	}{
		{[]string{"bash"}, "bash", true},
		{[]string{"zsh"}, "zsh", true},
		{[]string{"fish"}, "fish", true},
		{[]string{"tcsh"}, "", false},
		{nil, "", false},
		{[]string{"bash", "zsh"}, "", false},
	} {
		got, err := completionShell(tt.args)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("completionShell(%q) = %q, %v", tt.args, got, err)
		}
	}
}
