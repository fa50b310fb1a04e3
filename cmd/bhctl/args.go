package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// normalizeArgs reorders a command line so urfave/cli parses what users
// type: global flags anywhere (bhctl walk -o json), and a command's flags
// after its arguments (bhctl import csv orders.csv --rows=100). It returns
// program, global flags, command path, command flags, then arguments;
// everything after "--" stays an argument.
func normalizeArgs(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	// Shell completion asks with this flag last, where urfave/cli looks.
	// A partial flag before it (--de) is read from os.Args by urfave/cli's
	// completer; given to its parser, it would fail the parse.
	if n := len(args); n > 1 && args[n-1] == "--generate-bash-completion" {
		words := args[:n-1]
		if last := words[len(words)-1]; len(words) > 1 && strings.HasPrefix(last, "-") {
			words = words[:len(words)-1]
		}
		return append(normalizeArgs(app, words), args[n-1])
	}
	var globals, path, flags, rest []string
	cmds := app.Commands
	var cmdFlags []cli.Flag
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			name, hasValue := flagName(a)
			if f := findFlag(app.Flags, name); f != nil && findFlag(cmdFlags, name) == nil {
				globals = append(globals, a)
				if !hasValue && takesValue(f) && i+1 < len(args) {
					i++
					globals = append(globals, args[i])
				}
				continue
			}
			flags = append(flags, a)
			if f := findFlag(cmdFlags, name); f != nil && !hasValue && takesValue(f) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			continue
		}
		if len(rest) == 0 {
			if c := findCommand(cmds, a); c != nil {
				path = append(path, a)
				if c.SkipFlagParsing {
					// The command parses its own arguments (bhctl emit).
					rest = append(rest, args[i+1:]...)
					break
				}
				cmds = c.Subcommands
				cmdFlags = c.Flags
				continue
			}
		}
		rest = append(rest, a)
	}
	out := make([]string, 0, len(args))
	out = append(out, args[0])
	out = append(out, globals...)
	out = append(out, path...)
	out = append(out, flags...)
	if len(rest) > 0 && rest[0] != "--" && len(flags) > 0 {
		// Keep arguments that look like flags from being read as flags.
		for _, r := range rest {
			if strings.HasPrefix(r, "-") && r != "-" {
				out = append(out, "--")
				break
			}
		}
	}
	return append(out, rest...)
}

func flagName(a string) (name string, hasValue bool) {
	a = strings.TrimLeft(a, "-")
	name, _, hasValue = strings.Cut(a, "=")
	return name, hasValue
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	if d, ok := f.(cli.DocGenerationFlag); ok {
		return d.TakesValue()
	}
	return false
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
