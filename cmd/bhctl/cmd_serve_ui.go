package main

import (
	"net"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/ui"
)

func newServeUICommand() *cli.Command {
	return &cli.Command{
		Name:  "ui",
		Usage: "serve the chain browser and its read-only HTTP API (/api/)",
		Description: "Serves the page (embedded in bhctl) and the API it uses over the stores of\n" +
			"the global flags. Listens on loopback unless --token is given; with a token,\n" +
			"every call must send it (Authorization: Bearer, X-Token, or the login form's\n" +
			"cookie). Prints the URL it listens on to stdout. See docs/ui.md.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", EnvVars: []string{"BH_UI_ADDR"}, Value: "127.0.0.1:8484", Usage: "address to listen on (port 0: any free port)"},
			&cli.StringFlag{Name: "token", EnvVars: []string{"BH_UI_TOKEN"}, DefaultText: "(none; secret)", Usage: "token every request must carry; required beyond loopback"},
		},
		Action: withEnv(runServeUI),
	}
}

func runServeUI(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("serve ui takes no arguments (got %q)", c.Args().First())
	}
	addr, token := c.String("addr"), c.String("token")
	if err := ui.CheckAddr(addr, token); err != nil {
		return usageError{err}
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	e.printf("http://%s/\n", l.Addr())
	if f, ok := e.stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	s := ui.New(h, &ui.Options{Token: token, Config: e.cfg, Logger: e.log})
	return s.Serve(e.ctx, l)
}
