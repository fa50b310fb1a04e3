package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/httpcapture"
)

func newServeCommand() *cli.Command {
	return &cli.Command{
		Name:        "serve",
		Usage:       "run a capture server",
		Subcommands: []*cli.Command{newServeHTTPCommand(), newServeBuilderCommand(), newServeUICommand()},
	}
}

func newServeHTTPCommand() *cli.Command {
	return &cli.Command{
		Name:  "http",
		Usage: "capture every HTTP request into the chain (webhooks, form posts, ...)",
		Description: "Each accepted request becomes two assets: its body, and a JSON document of the\n" +
			"request (method, path, query, headers without credentials, remote address,\n" +
			"content type, length) that names the body by hash. Answers 201 with a JSON\n" +
			"receipt; 401 wrong or missing X-Token; 403 refused address or content type\n" +
			"(sniffed from the body); 413 body too large; 422 sensitive data under\n" +
			"--sensitive=block. ?wait=block answers once the\n" +
			"body is in a linked block. SIGTERM or Ctrl-C stops accepting, finishes the\n" +
			"requests in flight and links everything accepted before exiting.\n\n" +
			"Examples:\n" +
			"  bhctl serve http --listen 0.0.0.0:8080 --token s3cret --ip-allow 10.0.0.0/8\n" +
			"  curl -H 'X-Token: s3cret' --data-binary @event.json 'http://host:8080/hook?wait=block'",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", EnvVars: []string{"BH_SERVE_LISTEN"}, Value: "127.0.0.1:8080", Usage: "address to listen on"},
			&cli.StringFlag{Name: "token", EnvVars: []string{"BH_SERVE_TOKEN"}, DefaultText: "(none; secret)", Usage: "token clients must send in the X-Token header"},
			&cli.StringSliceFlag{Name: "ip-allow", EnvVars: []string{"BH_SERVE_IP_ALLOW"}, Usage: "CIDR allowed to send (repeatable; when set, only these may send)"},
			&cli.StringSliceFlag{Name: "ip-block", EnvVars: []string{"BH_SERVE_IP_BLOCK"}, Usage: "CIDR refused (repeatable; beats --ip-allow)"},
			&cli.StringSliceFlag{Name: "mime-allow", EnvVars: []string{"BH_SERVE_MIME_ALLOW"}, Usage: "content type accepted, sniffed from the body: image/png, image/* (repeatable)"},
			&cli.StringSliceFlag{Name: "mime-block", EnvVars: []string{"BH_SERVE_MIME_BLOCK"}, Usage: "content type refused (repeatable; beats --mime-allow)"},
			&cli.StringFlag{Name: "max-size", EnvVars: []string{"BH_SERVE_MAX_SIZE"}, Value: "32MiB", Usage: "largest body accepted, with units (4kb, 10M, 1.2gb)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "answer as if capturing, store nothing"},
			&cli.StringFlag{Name: "sensitive", EnvVars: []string{"BH_SERVE_SENSITIVE"}, Value: "warn", Usage: "bodies with SSNs, card numbers, private keys, AWS keys: warn (capture, mark the meta), block (refuse with 422) or off"},
			&cli.IntFlag{Name: "response-code", EnvVars: []string{"BH_SERVE_RESPONSE_CODE"}, Value: 201, Usage: "status of the answer to accepted requests (2xx)"},
			&cli.StringFlag{Name: "response-body", EnvVars: []string{"BH_SERVE_RESPONSE_BODY"}, Usage: "answer to accepted requests instead of the JSON receipt"},
			&cli.DurationFlag{Name: "shutdown-timeout", Value: 30 * time.Second, Usage: "how long a stop waits for requests in flight"},
			&cli.DurationFlag{Name: "startup-timeout", Value: time.Minute, Usage: "how long the start-up checks may wait for the stores and the broker"},
			&cli.DurationFlag{Name: "read-timeout", EnvVars: []string{"BH_SERVE_READ_TIMEOUT"}, Value: httpcapture.DefaultReadTimeout, Usage: "longest time to read one request, body included (then 408 and the connection is closed)"},
			&cli.DurationFlag{Name: "idle-timeout", EnvVars: []string{"BH_SERVE_IDLE_TIMEOUT"}, Value: httpcapture.DefaultIdleTimeout, Usage: "close keep-alive connections idle this long"},
		},
		Action: withEnv(runServeHTTP),
	}
}

// serveHTTPFlags are serve http's flags as typed.
type serveHTTPFlags struct {
	listen, token, maxSize, responseBody   string
	sensitive                              string
	ipAllow, ipBlock, mimeAllow, mimeBlock []string
	responseCode                           int
	dryRun                                 bool
	shutdownTimeout, readTimeout           time.Duration
	idleTimeout                            time.Duration
}

// parseServeHTTP checks serve http's flags.
func parseServeHTTP(f serveHTTPFlags) (httpcapture.Options, error) {
	o := httpcapture.Options{
		Token:           f.token,
		DryRun:          f.dryRun,
		ResponseCode:    f.responseCode,
		ResponseBody:    f.responseBody,
		ShutdownTimeout: f.shutdownTimeout,
		ReadTimeout:     f.readTimeout,
		Sensitive:       f.sensitive,
		IdleTimeout:     f.idleTimeout,
		MIME:            httpcapture.MIMERules{Allow: splitList(f.mimeAllow...), Block: splitList(f.mimeBlock...)},
	}
	switch f.sensitive {
	case "", "warn", "block", "off":
	default:
		return o, usagef("--sensitive %q: want warn, block or off", f.sensitive)
	}
	if _, _, err := net.SplitHostPort(f.listen); err != nil {
		return o, usagef("--listen %q: want host:port, such as 127.0.0.1:8080", f.listen)
	}
	var err error
	if o.IP.Allow, err = httpcapture.ParsePrefixes("ip-allow", splitList(f.ipAllow...)); err != nil {
		return o, usageError{err}
	}
	if o.IP.Block, err = httpcapture.ParsePrefixes("ip-block", splitList(f.ipBlock...)); err != nil {
		return o, usageError{err}
	}
	if o.MaxSize, err = connectors.ParseSize("max-size", f.maxSize); err != nil {
		return o, usageError{err}
	}
	if o.MaxSize == 0 {
		return o, usagef("--max-size %q: want a size above 0", f.maxSize)
	}
	if f.responseCode < 200 || f.responseCode > 299 {
		return o, usagef("--response-code %d: want a 2xx code", f.responseCode)
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"shutdown-timeout", f.shutdownTimeout}, {"read-timeout", f.readTimeout}, {"idle-timeout", f.idleTimeout}} {
		if d.d <= 0 {
			return o, usagef("--%s %s: want a positive duration", d.name, d.d)
		}
	}
	return o, nil
}

func runServeHTTP(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("serve http takes no arguments (got %q)", c.Args().First())
	}
	opts, err := parseServeHTTP(serveHTTPFlags{
		listen: c.String("listen"), token: c.String("token"), maxSize: c.String("max-size"),
		responseBody: c.String("response-body"), responseCode: c.Int("response-code"),
		ipAllow: c.StringSlice("ip-allow"), ipBlock: c.StringSlice("ip-block"),
		mimeAllow: c.StringSlice("mime-allow"), mimeBlock: c.StringSlice("mime-block"),
		dryRun: c.Bool("dry-run"), shutdownTimeout: c.Duration("shutdown-timeout"),
		readTimeout: c.Duration("read-timeout"), idleTimeout: c.Duration("idle-timeout"),
		sensitive: c.String("sensitive"),
	})
	if err != nil {
		return err
	}
	if c.Duration("startup-timeout") <= 0 {
		return usagef("--startup-timeout %s: want a positive duration", c.Duration("startup-timeout"))
	}
	return serveHTTP(e, c.String("listen"), c.Duration("startup-timeout"), opts)
}

// serveHTTP runs the capture server until e.ctx ends, then links what it
// accepted. It starts with a checklist, one line a step on stderr, that
// fails with the step that was not done within startup.
func serveHTTP(e *env, listen string, startup time.Duration, opts httpcapture.Options) error {
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	root, err := e.chainFor(h, opts.DryRun)
	if err != nil {
		return err
	}
	ready, cancel := context.WithTimeout(e.ctx, startup)
	defer cancel()
	if err := serveChecklist(ready, e, h, root); err != nil {
		if ready.Err() != nil && e.ctx.Err() == nil {
			return fmt.Errorf("serve http: not ready after %s: %w", startup, err)
		}
		return fmt.Errorf("serve http: %w", err)
	}
	opts.Chain = root.ID
	if opts.Chain == "" {
		opts.Chain = e.chain
	}
	opts.Logger = e.log
	var mu sync.Mutex // receipts come from many request goroutines
	opts.OnCapture = func(rc httpcapture.Receipt) {
		mu.Lock()
		defer mu.Unlock()
		if e.json {
			e.printJSON(rc)
			return
		}
		verb := "captured"
		if rc.DryRun {
			verb = "would capture"
		}
		e.printf("%s %s %s %d %s\n", verb, rc.Body, rc.Info, rc.Length, rc.Type)
	}

	// link links what was accepted; a dry run has nothing to link.
	link := func() error { return nil }
	var srv *httpcapture.Server
	if opts.DryRun {
		srv, err = httpcapture.New(nil, &opts)
	} else {
		// The builder outlives the signal that stops the server: it must
		// link what was accepted before the process exits.
		w, werr := h.Writer(context.WithoutCancel(e.ctx), root)
		if werr != nil {
			return werr
		}
		// The journal makes every 201 durable; what a killed server
		// acknowledged without linking is linked now, before serving.
		j, jerr := httpcapture.OpenJournal(e.ctx, httpcapture.JournalOptions{
			Dir: filepath.Join(h.Home, "journal"), Chain: root.ID, Blocks: h.Blocks, Sync: h.Assets.Sync, Logger: e.log,
		})
		if jerr != nil {
			w.Close()
			return jerr
		}
		link = func() error {
			if err := w.Close(); err != nil {
				j.Close()
				return err
			}
			return j.Close()
		}
		rec, rerr := j.Recover(e.ctx, w.Appender, h.Assets)
		if rerr != nil {
			link()
			return fmt.Errorf("serve http: recover the journal: %w", rerr)
		}
		if rec.Segments > 0 {
			e.notef("serve http: recovered %d journal(s) of a server that stopped early: %d acknowledged request(s), %d receipt(s) linked now, %d missing from the asset store", rec.Segments, rec.Records, rec.Linked, rec.Missing)
		}
		opts.Journal = j
		srv, err = httpcapture.New(w.Appender, &opts)
	}
	if err != nil {
		link()
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		link()
		return fmt.Errorf("serve http: %w", err)
	}
	e.notef("serve http: HTTP port %s open", ln.Addr())
	e.notef("serving http on %s into chain %q", ln.Addr(), e.chain)
	serveErr := srv.Serve(e.ctx, ln)
	if err := link(); err != nil && serveErr == nil {
		serveErr = fmt.Errorf("serve http: link: %w", err)
	}
	st := srv.Stats()
	e.notef("serve http: stopped; accepted %d, refused %d, failed %d", st.Accepted, st.Refused, st.Failed)
	return serveErr
}

// serveChecklist says, a line each, that the stores answer, the chain's
// tail is found and (with --broker) the broker is connected and the
// chain's queue declared.
func serveChecklist(ctx context.Context, e *env, h *blockhub.Hub, root chain.Block) error {
	if root.ID == "" {
		return nil // a dry run on a chain that does not exist yet
	}
	tail, err := h.Blocks.Tail(ctx, root.ID)
	if err != nil {
		return fmt.Errorf("block store %s: %w", h.Blocks.URL(), err)
	}
	e.notef("serve http: block store %s: reachable; chain %q tail at height %d", h.Blocks.URL(), e.chain, tail.Height)
	if err := h.Assets.Reachable(ctx); err != nil {
		return fmt.Errorf("asset store %s: %w", h.Assets.URL(), err)
	}
	e.notef("serve http: asset store %s: reachable", h.Assets.URL())
	conn, err := h.ConnectBroker(ctx)
	if err != nil {
		return err
	}
	if conn != nil {
		if err := conn.Declare(ctx, conn.Names.Receipts(root.ID)); err != nil {
			return err
		}
		e.notef("serve http: broker %s: connected; queue %s declared", conn.URL(), conn.Names.Receipts(root.ID))
	}
	return nil
}
