package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain"
)

func init() {
	commandExamples["completion"] = `source <(bhctl completion bash)   # in ~/.bashrc`
}

// How completion works: urfave/cli answers `bhctl WORDS... --generate-bash-
// completion` with the commands (connectors are import's subcommands) or,
// after a "-", the flags that may come next. The scripts below are the
// glue that asks it, for bash, zsh and fish, and ask the hidden
// `bhctl __chains` for the chain names after --chain.

const bashCompletion = `# bash completion for bhctl; load it with: source <(bhctl completion bash)
_bhctl() {
	local cur prev out
	cur="${COMP_WORDS[COMP_CWORD]}"
	prev="${COMP_WORDS[COMP_CWORD-1]}"
	case "$prev" in
	--chain)
		out=$("${COMP_WORDS[0]}" __chains 2>/dev/null) ;;
	--home)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	*)
		if [[ "$cur" == -* ]]; then
			out=$("${COMP_WORDS[@]:0:COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
		else
			out=$("${COMP_WORDS[@]:0:COMP_CWORD}" --generate-bash-completion 2>/dev/null)
		fi ;;
	esac
	COMPREPLY=($(compgen -W "$out" -- "$cur"))
}
complete -o default -F _bhctl bhctl
`

const zshCompletion = `#compdef bhctl
# zsh completion for bhctl; load it with: source <(bhctl completion zsh)
_bhctl() {
	local -a out
	local cur=${words[CURRENT]} prev=${words[CURRENT-1]}
	case $prev in
	--chain)
		out=(${(f)"$(${words[1]} __chains 2>/dev/null)"}) ;;
	--home)
		_files -/
		return ;;
	*)
		if [[ $cur == -* ]]; then
			out=(${(f)"$(${words[1,CURRENT-1]} $cur --generate-bash-completion 2>/dev/null)"})
		else
			out=(${(f)"$(${words[1,CURRENT-1]} --generate-bash-completion 2>/dev/null)"})
		fi ;;
	esac
	compadd -a out
}
if (( $+functions[compdef] )); then
	compdef _bhctl bhctl
fi
`

// fishChains completes --chain with the chain names (fish's script is
// urfave/cli's, which knows commands and flags but not chains).
const fishChains = `complete -c bhctl -l chain -x -a '(bhctl __chains 2>/dev/null)'
`

func newCompletionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "The script completes commands, connectors, flags and, after --chain, the\n" +
			"names of the chains in the store. Load it in your shell's startup file:\n" +
			"  bash: source <(bhctl completion bash)\n" +
			"  zsh:  source <(bhctl completion zsh)\n" +
			"  fish: bhctl completion fish | source",
		Action: withEnv(runCompletion),
	}
}

// completionShell checks completion's argument.
func completionShell(args []string) (string, error) {
	shells := []string{"bash", "zsh", "fish"}
	if len(args) != 1 || !slices.Contains(shells, args[0]) {
		return "", usagef("completion: want one shell: %s", strings.Join(shells, ", "))
	}
	return args[0], nil
}

func runCompletion(c *cli.Context, e *env) error {
	shell, err := completionShell(c.Args().Slice())
	if err != nil {
		return err
	}
	switch shell {
	case "bash":
		e.printf("%s", bashCompletion)
	case "zsh":
		e.printf("%s", zshCompletion)
	case "fish":
		s, err := c.App.ToFishCompletion()
		if err != nil {
			return err
		}
		e.printf("%s%s", s, fishChains)
	}
	return nil
}

// newChainsCommand is the hidden command the completion scripts ask for
// chain names: one per line, oldest first, nothing on stderr.
func newChainsCommand() *cli.Command {
	return &cli.Command{
		Name:   "__chains",
		Hidden: true,
		Action: withEnv(func(c *cli.Context, e *env) error {
			h, err := e.open()
			if err != nil {
				return nil // nothing to complete
			}
			defer h.Close()
			for root, err := range h.Chains(e.ctx) {
				if err != nil {
					continue
				}
				if s, err := chain.RootSettings(root); err == nil {
					e.printf("%s\n", s.Name)
				}
			}
			return nil
		}),
	}
}
