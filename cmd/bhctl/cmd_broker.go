package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/broker"
	"github.com/blockhub/blockhub/chain"
)

func newServeBuilderCommand() *cli.Command {
	return &cli.Command{
		Name:  "builder",
		Usage: "link the receipts that captures publish to the broker (--broker) into blocks",
		Description: "A daemon: consumes each chain's queue (<namespace>.receipts.<chain id>) in\n" +
			"batches as the chain's min/max/ttl say, links a block, and only then acks the\n" +
			"receipts. Several daemons may serve one chain: the chain never forks and no\n" +
			"receipt is linked twice (each carries a capture id, looked for in the blocks\n" +
			"linked since it was published). What cannot be linked goes to the dead-letter\n" +
			"queue (bhctl dlq). Publishes a heartbeat every --heartbeat (bhctl status).\n" +
			"SIGTERM or Ctrl-C stops it; what it had not linked is delivered again.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "chains", Usage: "names or ids of the chains to link (comma list or repeated)"},
			&cli.BoolFlag{Name: "all", Usage: "link every chain of the block store, and chains created later"},
			&cli.DurationFlag{Name: "heartbeat", Value: 2 * time.Second, Usage: "interval of the heartbeats"},
			&cli.DurationFlag{Name: "startup-timeout", Value: time.Minute, Usage: "how long the start-up checks may wait for the stores and the broker"},
			&cli.DurationFlag{Name: "asset-wait", Value: 10 * time.Second, Usage: "how long a receipt whose asset is missing waits before it is dead-lettered"},
		},
		Action: withEnv(runServeBuilder),
	}
}

// builderChains checks --chains and --all.
func builderChains(names []string, all bool) ([]string, error) {
	names = splitList(names...)
	switch {
	case all && len(names) > 0:
		return nil, usagef("--chains and --all: give one or the other")
	case !all && len(names) == 0:
		return nil, usagef("serve builder: name the chains (--chains a,b) or give --all")
	}
	return names, nil
}

func (e *env) brokerURL() (string, error) {
	if e.cfg.Broker == nil {
		return "", usagef("give --broker URL (or BH_BROKER), such as amqp://guest:guest@127.0.0.1:5672/")
	}
	return e.cfg.Broker.URL, nil
}

func (e *env) dialBroker(ctx context.Context) (*broker.Conn, error) {
	u, err := e.brokerURL()
	if err != nil {
		return nil, err
	}
	return broker.Dial(ctx, u, &broker.Options{Logger: e.log, Timeout: e.cfg.Broker.Timeout})
}

func runServeBuilder(c *cli.Context, e *env) error {
	names, err := builderChains(c.StringSlice("chains"), c.Bool("all"))
	if err != nil {
		return err
	}
	if _, err := e.brokerURL(); err != nil {
		return err
	}
	startup, cancel := context.WithTimeout(e.ctx, c.Duration("startup-timeout"))
	defer cancel()
	h, err := blockhub.Open(startup, e.cfg)
	if err != nil {
		return err
	}
	defer h.Close()
	e.cfg.Broker.Timeout = c.Duration("startup-timeout")
	conn, err := e.dialBroker(startup)
	if err != nil {
		return err
	}
	defer conn.Close()
	missing := map[string]bool{}
	chains := func(ctx context.Context) ([]chain.Block, error) {
		if len(names) == 0 {
			var roots []chain.Block
			for r, err := range h.Chains(ctx) {
				if err != nil {
					return nil, err
				}
				roots = append(roots, r)
			}
			return roots, nil
		}
		var roots []chain.Block
		for _, n := range names {
			r, err := h.Resolve(ctx, n)
			if errors.Is(err, chain.ErrNotFound) {
				if !missing[n] {
					missing[n] = true
					e.notef("serve builder: chain %q does not exist yet; waiting for it", n)
				}
				continue
			}
			if err != nil {
				return nil, err
			}
			roots = append(roots, r)
		}
		return roots, nil
	}
	d, err := broker.NewDaemon(conn, &broker.DaemonOptions{
		Blocks: h.Blocks, Assets: h.Assets, Chains: chains,
		Heartbeat: c.Duration("heartbeat"), AssetWait: c.Duration("asset-wait"),
		Notes:  func(line string) { e.notef("serve builder: %s", line) },
		Logger: e.log,
	})
	if err != nil {
		return err
	}
	if err := d.Start(startup); err != nil {
		if startup.Err() != nil && e.ctx.Err() == nil {
			return fmt.Errorf("serve builder: not ready after %s: %w", c.Duration("startup-timeout"), err)
		}
		return fmt.Errorf("serve builder: %w", err)
	}
	e.notef("serve builder: ready")
	err = d.Run(e.ctx)
	st := d.Stats()
	e.notef("serve builder: stopped; linked %d receipts in %d blocks, dropped %d duplicates, dead-lettered %d", st.Receipts, st.Blocks, st.Duplicates, st.DeadLettered)
	return err
}

func newStatusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show the builder daemons alive and each chain's pending receipts",
		Description: "Listens for the daemons' heartbeats for --wait, then prints one line per daemon\n" +
			"(host, pid, chains, counts, last error) and one per chain (receipts waiting in\n" +
			"its queue, consumers, tail height and age).",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "wait", Value: 2500 * time.Millisecond, Usage: "how long to listen for heartbeats (longer than the daemons' --heartbeat)"},
		},
		Action: withEnv(runStatus),
	}
}

type daemonLine struct {
	Daemon broker.Heartbeat `json:"daemon"`
}

type chainLine struct {
	Chain     string  `json:"chain"`
	Name      string  `json:"name"`
	Queue     string  `json:"queue"`
	Pending   int     `json:"pending"`
	Consumers int     `json:"consumers"`
	Height    uint64  `json:"height"`
	TailAge   float64 `json:"tail_age"` // seconds
}

func runStatus(c *cli.Context, e *env) error {
	conn, err := e.dialBroker(e.ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	beats, err := broker.Heartbeats(e.ctx, conn, c.Duration("wait"))
	if err != nil {
		return err
	}
	for _, hb := range beats {
		if e.json {
			if err := e.printJSON(daemonLine{hb}); err != nil {
				return err
			}
			continue
		}
		var names []string
		for _, ch := range hb.Chains {
			names = append(names, ch.Name)
		}
		e.printf("daemon %s pid %d: %s, chains %v, linked %d receipts in %d blocks, %d duplicates, %d dead-lettered", hb.Host, hb.PID, hb.Kind, names, hb.Receipts, hb.Blocks, hb.Duplicates, hb.DeadLettered)
		if hb.LastError != "" {
			e.printf(", last error: %s", hb.LastError)
		}
		e.printf("\n")
	}
	if len(beats) == 0 {
		e.notef("status: no daemon heard within %s", c.Duration("wait"))
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	for r, err := range h.Chains(e.ctx) {
		if err != nil {
			return err
		}
		s, err := chain.RootSettings(r)
		if err != nil {
			continue
		}
		q, err := broker.Depth(e.ctx, conn, conn.Names.Receipts(r.ID))
		if err != nil {
			return err
		}
		tail, err := h.Blocks.Tail(e.ctx, r.ID)
		if err != nil {
			return err
		}
		line := chainLine{Chain: r.ID, Name: s.Name, Queue: q.Queue, Pending: q.Messages, Consumers: q.Consumers, Height: tail.Height}
		if t, err := tail.At(); err == nil {
			line.TailAge = time.Since(t).Seconds()
		}
		if e.json {
			if err := e.printJSON(line); err != nil {
				return err
			}
			continue
		}
		e.printf("chain %s (%s): %d pending, %d consumers, tail height %d, %s old\n", s.Name, r.ID[:12], q.Messages, q.Consumers, tail.Height, time.Duration(line.TailAge*float64(time.Second)).Round(time.Second))
	}
	return nil
}

func newDLQCommand() *cli.Command {
	ids := &cli.BoolFlag{Name: "all", Usage: "every dead letter"}
	return &cli.Command{
		Name:  "dlq",
		Usage: "list, show, replay or drop the receipts builders could not link",
		Description: "A receipt that cannot be linked (not a receipt, bad hash, asset missing from\n" +
			"the store, wrong length, wrong queue, too large) waits in the dead-letter queue\n" +
			"<namespace>.dlq (blockhub.dlq) with its error {code, path, msg}, the queue it came from and the\n" +
			"original message. Replay puts it back once the cause is fixed.",
		Subcommands: []*cli.Command{
			{Name: "list", Usage: "one line per dead letter", Flags: []cli.Flag{&cli.IntFlag{Name: "limit", Usage: "at most this many (0: all)"}}, Action: withEnv(runDLQList)},
			{Name: "show", Usage: "the whole dead letter ID", ArgsUsage: "ID", Action: withEnv(runDLQShow)},
			{Name: "replay", Usage: "publish dead letters to their queues again", ArgsUsage: "ID... | --all", Flags: []cli.Flag{ids}, Action: withEnv(runDLQSettle(broker.Replay))},
			{Name: "drop", Usage: "remove dead letters", ArgsUsage: "ID... | --all", Flags: []cli.Flag{ids}, Action: withEnv(runDLQSettle(broker.Drop))},
		},
	}
}

func (e *env) deadLetters() (*broker.DeadLetters, func(), error) {
	conn, err := e.dialBroker(e.ctx)
	if err != nil {
		return nil, nil, err
	}
	return broker.NewDeadLetters(conn), func() { conn.Close() }, nil
}

func (e *env) printDeadLetter(dl broker.DeadLetter, whole bool) error {
	if e.json {
		return e.printJSON(dl)
	}
	e.printf("%s %s", dl.ID, dl.Error.Error())
	if whole {
		e.printf("\nqueue: %s\ntime: %s\n", dl.Queue, dl.Time)
		if len(dl.Message) > 0 {
			e.printf("message: %s\n", dl.Message)
		} else {
			b, _ := json.Marshal(dl.Body)
			e.printf("body (base64): %s\n", b)
		}
		return nil
	}
	e.printf(" (from %s)\n", dl.Queue)
	return nil
}

func runDLQList(c *cli.Context, e *env) error {
	q, done, err := e.deadLetters()
	if err != nil {
		return err
	}
	defer done()
	var perr error
	err = q.Visit(e.ctx, c.Int("limit"), func(dl broker.DeadLetter) broker.Action {
		if perr == nil {
			perr = e.printDeadLetter(dl, false)
		}
		return broker.Keep
	})
	return errors.Join(err, perr)
}

func runDLQShow(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one dead letter ID"); err != nil {
		return err
	}
	id := c.Args().First()
	q, done, err := e.deadLetters()
	if err != nil {
		return err
	}
	defer done()
	found := false
	var perr error
	err = q.Visit(e.ctx, 0, func(dl broker.DeadLetter) broker.Action {
		if dl.ID == id && !found {
			found = true
			perr = e.printDeadLetter(dl, true)
		}
		return broker.Keep
	})
	if err == nil && perr == nil && !found {
		return fmt.Errorf("dlq: no dead letter %q (bhctl dlq list shows them)", id)
	}
	return errors.Join(err, perr)
}

// runDLQSettle replays or drops the dead letters named, or all.
func runDLQSettle(act broker.Action) func(*cli.Context, *env) error {
	return func(c *cli.Context, e *env) error {
		want := map[string]bool{}
		for _, id := range c.Args().Slice() {
			want[id] = true
		}
		if c.Bool("all") == (len(want) > 0) {
			return usagef("%s: name dead letter IDs or give --all", c.Command.FullName())
		}
		q, done, err := e.deadLetters()
		if err != nil {
			return err
		}
		defer done()
		n := 0
		err = q.Visit(e.ctx, 0, func(dl broker.DeadLetter) broker.Action {
			if c.Bool("all") || want[dl.ID] {
				delete(want, dl.ID)
				n++
				return act
			}
			return broker.Keep
		})
		verb := "replayed"
		if act == broker.Drop {
			verb = "dropped"
		}
		if err != nil {
			return fmt.Errorf("dlq: %s %d, then: %w", verb, n-1, err)
		}
		if e.json {
			e.printJSON(map[string]int{verb: n})
		} else {
			e.printf("%s %d dead letter(s)\n", verb, n)
		}
		for id := range want {
			return fmt.Errorf("dlq: no dead letter %q", id)
		}
		return nil
	}
}
