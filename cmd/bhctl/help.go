package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/connectors"
)

// commandExamples holds one real example for each command, by its path:
// every command's help ends with it (connectors take theirs from their
// spec). TestEveryCommandHasExample keeps the list whole.
var commandExamples = map[string]string{
	"":              "echo hello | bhctl pipe && bhctl walk && bhctl verify --assets",
	"chain":         "bhctl chain create orders --hash sha256 --max 500",
	"chain create":  "bhctl chain create orders --hash sha256 --max 500",
	"chain list":    "bhctl chain list -o json",
	"pipe":          "seq 1 1000 | bhctl pipe --rows 100 -o json",
	"walk":          "bhctl --chain orders walk --from 100 --to 120 --assets -o json",
	"tail":          "bhctl --chain orders tail -o json",
	"block":         "bhctl --chain orders block 120",
	"asset":         "bhctl asset 5891b5b5 --raw > hello.txt",
	"verify":        "bhctl --chain orders verify --assets",
	"import":        "bhctl --chain orders import csv orders.csv --rows=100 --prevent-dups",
	"index":         "bhctl --chain orders index rebuild",
	"index rebuild": "bhctl --chain orders index rebuild",
	"store":         "bhctl store ddl 'mysql://bh@127.0.0.1:3306/bh?table_prefix=bh_'",
	"store ddl":     "bhctl store ddl 'mysql://bh@127.0.0.1:3306/bh?table_prefix=bh_'",
	"store repair":  "bhctl --asset-store /mnt/a --asset-store /mnt/b store repair",
	"oracle":        "bhctl --chain orders oracle --target 'mysql://root@127.0.0.1:3306/test' --table orders --key order_id --create",
	"contract":      "bhctl --chain orders contract run order_created.yaml",
	"contract run":  "bhctl --chain orders contract run order_created.yaml --live",
	"serve":         "bhctl --chain hooks serve http --listen 127.0.0.1:8080 --token s3cret",
	"serve http":    "bhctl --chain hooks serve http --listen 127.0.0.1:8080 --token s3cret",
	"help":          "bhctl help import csv",
}

// addExample makes c's help end with its example, after its options, and
// does the same for its subcommands; path is c's path below bhctl.
func addExample(c *cli.Command, path string) {
	if len(c.Subcommands) > 0 {
		c.HideHelpCommand = true // bhctl help X Y does it
	}
	for _, s := range c.Subcommands {
		addExample(s, strings.TrimSpace(path+" "+s.Name))
	}
	if c.CustomHelpTemplate != "" {
		return // a connector's, made from its spec
	}
	ex, ok := commandExamples[path]
	if !ok {
		return
	}
	c.CustomHelpTemplate = helpTemplate(len(c.Subcommands) > 0, []string{ex})
}

// helpTemplate is urfave/cli's help of a command followed by examples.
func helpTemplate(subcommands bool, examples []string) string {
	t := cli.CommandHelpTemplate
	if subcommands {
		t = cli.SubcommandHelpTemplate
	}
	if len(examples) == 0 {
		return t
	}
	head := "EXAMPLE:"
	if len(examples) > 1 {
		head = "EXAMPLES:"
	}
	var b strings.Builder
	for _, ex := range examples {
		// The examples are literal text inside the template.
		b.WriteString("\n   " + strings.NewReplacer("{{", `{{"{{"}}`).Replace(ex))
	}
	return t + "\n" + head + b.String() + "\n"
}

// newHelpCommand replaces urfave/cli's help command: `bhctl help import`
// lists the connectors, `bhctl help import csv` shows csv's flags and
// examples, `bhctl help chain` lists chain's subcommands.
func newHelpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "show the commands, or the help of one",
		ArgsUsage: "[COMMAND [SUBCOMMAND]]",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c)
			}
			path := c.Args().Slice()
			cmd, err := findHelpTopic(c.App.Commands, path)
			if err != nil {
				return err
			}
			if cmd.SkipFlagParsing {
				// Its --help is its own (bhctl emit): print bhctl's.
				cmd.HelpName = c.App.Name + " " + strings.Join(path, " ")
				cli.HelpPrinter(c.App.Writer, cmd.CustomHelpTemplate, cmd)
				return nil
			}
			// Run `bhctl PATH --help`: urfave/cli sets the command up
			// (names, flag categories) before it prints its help.
			return c.App.RunContext(c.Context, append(append([]string{c.App.Name}, path...), "--help"))
		},
	}
}

// findHelpTopic follows a command path (import csv) down the commands.
func findHelpTopic(cmds []*cli.Command, path []string) (*cli.Command, error) {
	var cmd *cli.Command
	for i, name := range path {
		next := findCommand(cmds, name)
		if next == nil {
			where := strings.Join(path[:i], " ")
			return nil, unknownCommand(where, name, cmds)
		}
		cmd, cmds = next, next.Subcommands
	}
	return cmd, nil
}

// unknownCommand is the usage error for a command or connector name that
// is not there: it lists those there are and suggests the nearest.
func unknownCommand(where, name string, cmds []*cli.Command) error {
	var names []string
	for _, c := range cmds {
		if !c.Hidden && c.Name != "help" {
			names = append(names, c.Name)
		}
	}
	what := "command"
	if where == "import" {
		what = "connector"
	}
	msg := fmt.Sprintf("unknown %s %q", what, name)
	if where != "" {
		msg = where + ": " + msg
	}
	if s := nearest(name, names); s != "" {
		msg += fmt.Sprintf(": did you mean %s?", s)
	}
	return usagef("%s (%ss: %s)", msg, what, strings.Join(names, ", "))
}

// nearest returns the name at the smallest edit distance from s (letters
// swapped count as one edit), when that distance is small for its length.
func nearest(s string, names []string) string {
	best, bestD := "", 1<<30
	for _, n := range names {
		if d := editDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	if bestD <= max(1, len(s)/3) {
		return best
	}
	return ""
}

// editDistance is the optimal string alignment distance of a and b.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// appAction runs for `bhctl` without a command, or with one that is not
// there: both are usage errors (exit 2); the first shows the help too.
func appAction(c *cli.Context) error {
	if c.NArg() == 0 {
		cli.HelpPrinter(c.App.ErrWriter, c.App.CustomAppHelpTemplate, c.App)
		return usagef("no command given")
	}
	return unknownCommand("", c.Args().First(), c.App.Commands)
}

// importAction runs for `bhctl import` without a connector, or with one
// that is not there.
func importAction(c *cli.Context) error {
	if c.NArg() == 0 {
		cli.HelpPrinter(c.App.ErrWriter, c.Command.CustomHelpTemplate, c.Command)
		return usagef("import: name a connector (%s)", strings.Join(connectorNames(), ", "))
	}
	return unknownCommand("import", c.Args().First(), c.Command.Subcommands)
}

func connectorNames() []string {
	var names []string
	for _, s := range connectors.All() {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

// appHelpTemplate is urfave/cli's help of the app, ending with an example.
func appHelpTemplate() string {
	return strings.TrimSuffix(cli.AppHelpTemplate, "\n") + "\n\nEXAMPLE:\n   " + commandExamples[""] + "\n"
}
