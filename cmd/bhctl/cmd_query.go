package main

import (
	"fmt"
	"regexp"

	"github.com/dustin/go-humanize"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/query"
)

func rangeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from", Usage: "first block: id or height (default: the root)"},
		&cli.StringFlag{Name: "to", Usage: "last block: id or height (default: the tail)"},
		&cli.IntFlag{Name: "limit", Usage: "stop after this many results (0: no limit)"},
		&cli.BoolFlag{Name: "invert", Usage: "print what does not match"},
	}
}

func newQueryCommand() *cli.Command {
	return &cli.Command{
		Name:      "query",
		Usage:     "print the records of the chain's assets that match an expression",
		ArgsUsage: "EXPR",
		Description: "Reads the assets whose content type holds records (csv, json lines, yaml,\n" +
			"xml), checked against their hashes, and prints each record that EXPR (the\n" +
			"language of oracle --filter: fields by name, _asset.meta, _asset.height, ...)\n" +
			"matches: height, block id, asset index, record number and the record as JSON\n" +
			"(-o json: one object per line). Example: bhctl query 'amount > 100 && city == \"Oslo\"'",
		Flags: append(rangeFlags(),
			&cli.StringSliceFlag{Name: "source", Usage: "only assets whose meta source, path, table, key or name is this (repeatable)"},
		),
		Action: withEnv(runQuery),
	}
}

func runQuery(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one expression (use 'true' for every record)"); err != nil {
		return err
	}
	opts := query.RecordOptions{Expr: c.Args().First(), Invert: c.Bool("invert"), Source: c.StringSlice("source"), Limit: c.Int("limit")}
	if err := query.CompileExpr(opts.Expr); err != nil {
		return usageError{err}
	}
	if err := checkLimit(c); err != nil {
		return err
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	r := query.Range{Blocks: h.Blocks, Assets: h.Assets, Chain: root.ID, From: c.String("from"), To: c.String("to")}
	for rec, err := range query.Records(e.ctx, r, opts) {
		if err != nil {
			return err
		}
		if e.json {
			if err := e.printJSON(rec); err != nil {
				return err
			}
			continue
		}
		e.printf("%d %s %d %d %s\n", rec.Height, rec.Block, rec.Index, rec.N, rec)
	}
	return nil
}

func newSearchCommand() *cli.Command {
	return &cli.Command{
		Name:      "search",
		Usage:     "print the lines of the chain's assets that match a regular expression, like grep -n",
		ArgsUsage: "REGEX",
		Description: "Reads every asset (or those of --type), checking it against its hash as it is\n" +
			"read, and prints each matching line as: height block-id index:line:text\n" +
			"(-o json: one object per line). REGEX is Go's syntax: (?i) ignores case.",
		Flags: append(rangeFlags(),
			&cli.StringFlag{Name: "type", Usage: "only assets of this content type (text/csv, text/*)"},
		),
		Action: withEnv(runSearch),
	}
}

func runSearch(c *cli.Context, e *env) error {
	if err := needArgs(c, 1, "one regular expression"); err != nil {
		return err
	}
	re, err := regexp.Compile(c.Args().First())
	if err != nil {
		return usagef("search: %v", err)
	}
	if err := checkLimit(c); err != nil {
		return err
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	r := query.Range{Blocks: h.Blocks, Assets: h.Assets, Chain: root.ID, From: c.String("from"), To: c.String("to")}
	opts := query.SearchOptions{Pattern: re, Invert: c.Bool("invert"), Type: c.String("type"), Limit: c.Int("limit")}
	for l, err := range query.Search(e.ctx, r, opts) {
		if err != nil {
			return err
		}
		if e.json {
			if err := e.printJSON(l); err != nil {
				return err
			}
			continue
		}
		e.printf("%d %s %d:%d:%s\n", l.Height, l.Block, l.Index, l.N, l.Text)
	}
	return nil
}

func checkLimit(c *cli.Context) error {
	if c.Int("limit") < 0 {
		return usagef("--limit %d: want 0 (no limit) or more", c.Int("limit"))
	}
	return nil
}

func newAssetsCommand() *cli.Command {
	return &cli.Command{
		Name:  "assets",
		Usage: "print every receipt of the chain: hash, length, type, block, height, index",
		Description: "Reads only blocks. --count groups the receipts by hash, most captured first:\n" +
			"count, hash, length, type (bhctl assets --count | head).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "first block: id or height (default: the root)"},
			&cli.StringFlag{Name: "to", Usage: "last block: id or height (default: the tail)"},
			&cli.StringFlag{Name: "min-size", Usage: "only assets of at least this size (with units: 4kb, 1MiB)"},
			&cli.StringFlag{Name: "max-size", Usage: "only assets of at most this size"},
			&cli.StringFlag{Name: "type", Usage: "only assets of this content type (text/csv, text/*)"},
			&cli.BoolFlag{Name: "count", Usage: "group by hash with the number of captures, most first"},
		},
		Action: withEnv(runAssets),
	}
}

func runAssets(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("assets takes no arguments (got %q)", c.Args().First())
	}
	opts, err := receiptOptions(c.String("min-size"), c.String("max-size"), c.String("type"))
	if err != nil {
		return usageError{err}
	}
	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	r := query.Range{Blocks: h.Blocks, Assets: h.Assets, Chain: root.ID, From: c.String("from"), To: c.String("to")}
	if c.Bool("count") {
		counts, err := query.Count(e.ctx, r, opts)
		if err != nil {
			return err
		}
		for _, n := range counts {
			if e.json {
				if err := e.printJSON(n); err != nil {
					return err
				}
				continue
			}
			e.printf("%d %s %d %s\n", n.Count, n.Hash, n.Length, n.Type)
		}
		return nil
	}
	for rc, err := range query.Receipts(e.ctx, r, opts) {
		if err != nil {
			return err
		}
		if e.json {
			if err := e.printJSON(rc); err != nil {
				return err
			}
			continue
		}
		e.printf("%s %d %s %s %d %d\n", rc.Hash, rc.Length, rc.Type, rc.Block, rc.Height, rc.Index)
	}
	return nil
}

// receiptOptions reads the --min-size, --max-size and --type of assets.
func receiptOptions(minSize, maxSize, typ string) (query.ReceiptOptions, error) {
	var o query.ReceiptOptions
	var err error
	if minSize != "" {
		if o.MinSize, err = sizeArg("--min-size", minSize); err != nil {
			return o, err
		}
	}
	if maxSize != "" {
		if o.MaxSize, err = sizeArg("--max-size", maxSize); err != nil {
			return o, err
		}
		if o.MaxSize == 0 {
			return o, fmt.Errorf("--max-size 0: want a positive size")
		}
	}
	if o.MaxSize > 0 && o.MinSize > o.MaxSize {
		return o, fmt.Errorf("--min-size %s is above --max-size %s", minSize, maxSize)
	}
	o.Type = typ
	return o, nil
}

func sizeArg(flag, s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil || n > 1<<62 {
		return 0, fmt.Errorf("%s %q: want a size such as 4096, 4kb or 1MiB", flag, s)
	}
	return int64(n), nil
}
