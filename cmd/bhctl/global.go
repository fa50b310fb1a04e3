package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
)

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "home", EnvVars: []string{"BH_HOME"}, DefaultText: "the nearest .bh here or above, else ./.bh", Usage: "folder of the embedded store and indexes"},
		&cli.StringSliceFlag{Name: "block-store", EnvVars: []string{"BH_BLOCK_STORE"}, Usage: "block store URL (repeat for a cluster; default: --home)"},
		&cli.StringSliceFlag{Name: "asset-store", EnvVars: []string{"BH_ASSET_STORE"}, Usage: "asset store URL (repeat for a cluster; default: --home)"},
		&cli.StringFlag{Name: "cluster", EnvVars: []string{"BH_CLUSTER"}, Value: "mirror", Usage: "policy of a store cluster: mirror, quorum=N or shard=N"},
		&cli.StringFlag{Name: "chain", EnvVars: []string{"BH_CHAIN"}, Value: "default", Usage: "chain name or id (created on first write)"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text, or json: one JSON object per line"},
		&cli.StringFlag{Name: "broker", EnvVars: []string{"BH_BROKER"}, Usage: "RabbitMQ URL (amqp://user:pass@host:5672/vhost): captures publish receipts there for builder daemons (bhctl serve builder) instead of linking blocks"},
		&cli.BoolFlag{Name: "wait-linked", EnvVars: []string{"BH_WAIT_LINKED"}, Usage: "with --broker: print a hash only once a builder daemon linked it"},
		&cli.DurationFlag{Name: "confirm-ttl", EnvVars: []string{"BH_CONFIRM_TTL"}, Value: 30 * time.Second, Usage: "with --wait-linked: publish a receipt again when no block took it in this time"},
		&cli.DurationFlag{Name: "broker-timeout", EnvVars: []string{"BH_BROKER_TIMEOUT"}, Value: time.Minute, Usage: "with --broker: how long the broker may stay unreachable before a capture fails"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log what happens to stderr"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print no progress or notes on stderr"},
	}
}

// env is what every command gets from the global flags.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	json   bool
	quiet  bool
	chain  string
	log    *slog.Logger
	cfg    blockhub.Config
}

func newEnv(c *cli.Context) (*env, error) {
	out := c.String("output")
	if out != "text" && out != "json" {
		return nil, usagef("--output %q: want text or json", out)
	}
	level := slog.LevelWarn
	if c.Bool("verbose") {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level}))
	var bc *blockhub.BrokerConfig
	if u := c.String("broker"); u != "" {
		bc = &blockhub.BrokerConfig{URL: u, WaitLinked: c.Bool("wait-linked"), ConfirmTTL: c.Duration("confirm-ttl"), Timeout: c.Duration("broker-timeout"), Shutdown: c.Context}
	} else if c.Bool("wait-linked") {
		return nil, usagef("--wait-linked: give --broker too")
	}
	return &env{
		ctx:    c.Context,
		stdout: c.App.Writer,
		stderr: c.App.ErrWriter,
		json:   out == "json",
		quiet:  c.Bool("quiet"),
		chain:  c.String("chain"),
		log:    log,
		cfg: blockhub.Config{
			Home:          homeOf(c),
			BlockStore:    splitList(c.StringSlice("block-store")...),
			AssetStore:    splitList(c.StringSlice("asset-store")...),
			ClusterPolicy: c.String("cluster"),
			Broker:        bc,
			Logger:        log,
		},
	}, nil
}

// homeOf is --home (or BH_HOME) when given; otherwise the nearest .bh in
// the working folder or above it, as git finds .git; otherwise ./.bh, made
// on first write.
func homeOf(c *cli.Context) string {
	if home := c.String("home"); c.IsSet("home") && home != "" {
		return home
	}
	if home, ok := blockhub.FindHome("."); ok {
		return home
	}
	return blockhub.HomeName
}

// splitURLs accepts repeated flags and comma lists (as env variables
// give them).
func splitList(in ...string) []string {
	var out []string
	for _, s := range in {
		for _, u := range strings.Split(s, ",") {
			if u = strings.TrimSpace(u); u != "" {
				out = append(out, u)
			}
		}
	}
	return out
}

// withEnv makes a command's action from a function that also gets the env
// of the global flags.
func withEnv(run func(*cli.Context, *env) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		e, err := newEnv(c)
		if err != nil {
			return err
		}
		return run(c, e)
	}
}

func (e *env) open() (*blockhub.Hub, error) {
	return blockhub.Open(e.ctx, e.cfg)
}

// openChain opens the stores and resolves --chain for reading; the caller
// closes the hub.
func (e *env) openChain() (*blockhub.Hub, chain.Block, error) {
	h, err := e.open()
	if err != nil {
		return nil, chain.Block{}, err
	}
	root, err := h.Resolve(e.ctx, e.chain)
	if err != nil {
		h.Close()
		return nil, chain.Block{}, err
	}
	return h, root, nil
}

// chainForWrite resolves --chain, creating it (with a note) when missing.
func (e *env) chainForWrite(h *blockhub.Hub) (chain.Block, error) {
	root, created, err := h.Chain(e.ctx, e.chain, nil)
	if err != nil {
		return chain.Block{}, err
	}
	if created {
		e.notef("created chain %q (%s)", e.chain, root.ID)
	}
	return root, nil
}

// chainFor resolves --chain for a command that writes to it, or with
// dryRun writes nothing: then a missing chain is no error but a zero root,
// and is not created.
func (e *env) chainFor(h *blockhub.Hub, dryRun bool) (chain.Block, error) {
	if !dryRun {
		return e.chainForWrite(h)
	}
	root, err := h.Resolve(e.ctx, e.chain)
	if errors.Is(err, chain.ErrNotFound) {
		return chain.Block{}, nil
	}
	return root, err
}

// notef writes a note to stderr unless --quiet.
func (e *env) notef(format string, a ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, "bhctl: "+format+"\n", a...)
	}
}

// printJSON writes v as one line of JSON to stdout.
func (e *env) printJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = e.stdout.Write(b)
	return err
}

// printRaw writes a JSON document as one line.
func (e *env) printRaw(doc []byte) error {
	_, err := e.stdout.Write(append(doc, '\n'))
	return err
}

func (e *env) printf(format string, a ...any) {
	fmt.Fprintf(e.stdout, format, a...)
}

// needArgs checks the number of positional arguments.
func needArgs(c *cli.Context, n int, what string) error {
	if c.NArg() != n {
		return usagef("%s: want %s", c.Command.FullName(), what)
	}
	return nil
}
