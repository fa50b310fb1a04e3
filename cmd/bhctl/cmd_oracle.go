package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/oracle"
	_ "github.com/blockhub/blockhub/oracle/all" // every target
)

func newOracleCommand() *cli.Command {
	return &cli.Command{
		Name:      "oracle",
		Usage:     "replay the chain's records into a database or a CSV file, as of a time or live",
		ArgsUsage: " ",
		Description: "Walks the chain in order, decodes each asset's records (csv, json lines, yaml,\n" +
			"xml) and applies them to --target: mysql://user:pass@host:3306/db with --table,\n" +
			"mongodb://host/db with --collection, or csv:out.csv. The position reached is\n" +
			"stored in the target with the rows, so running again (or --live) goes on\n" +
			"where it stopped and applies every record exactly once. A target that holds no\n" +
			"records although a position is stored (its table dropped or emptied) is rebuilt\n" +
			"from the root; --live on a chain not made yet waits for its first write.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "target", Required: true, Usage: "mysql://user:pass@host:3306/db, mongodb://host/db, csv:FILE, or - (csv:-) for the table as CSV on stdout"},
			&cli.StringFlag{Name: "table", Usage: "table to write (MySQL)"},
			&cli.StringFlag{Name: "collection", Usage: "collection to write (MongoDB)"},
			&cli.StringFlag{Name: "name", Usage: "name of the replay's stored position (default: the table)"},
			&cli.StringFlag{Name: "key", Usage: "record key field(s), comma separated"},
			&cli.StringFlag{Name: "mode", Value: "upsert", Usage: "upsert, insert, update or delete"},
			&cli.StringFlag{Name: "op-field", Usage: "field holding each record's operation (upsert, insert, update, delete)"},
			&cli.StringFlag{Name: "filter", Usage: `keep records for which this expression holds, e.g. 'price >= 10.99 && status == "paid"'`},
			&cli.StringFlag{Name: "fields", Usage: "write only these fields (comma separated)"},
			&cli.StringFlag{Name: "hide", Usage: "do not write these fields (comma separated)"},
			&cli.StringSliceFlag{Name: "source", Usage: "only assets whose meta source, path, table or key is NAME (repeatable)"},
			&cli.BoolFlag{Name: "create", Usage: "create the table (and missing columns) from the records' fields"},
			&cli.BoolFlag{Name: "print-ddl", Usage: "print the CREATE TABLE for the first records and exit"},
			&cli.StringFlag{Name: "at", Usage: "replay as of this time (RFC 3339): blocks up to it, or with --ts-field records up to it"},
			&cli.StringFlag{Name: "height", Usage: "replay up to the block at this height"},
			&cli.BoolFlag{Name: "live", Usage: "after catching up, follow the chain and apply new assets"},
			&cli.StringFlag{Name: "ts-field", Usage: "order records by the time in this field (or the first present of a comma list)"},
			&cli.StringFlag{Name: "tz", Value: "UTC", Usage: "zone of times without one (IANA name)"},
			&cli.IntFlag{Name: "window", Value: 20, Usage: "with --ts-field: assets across which records are put in time order"},
			&cli.StringFlag{Name: "exceptions", Usage: "write records not applied (no time, conflicting times, outside the window, no key) to FILE as JSON lines"},
			&cli.IntFlag{Name: "batch", Value: 50000, Usage: "records per transaction at most"},
			&cli.IntFlag{Name: "limit", Usage: "stop after applying N records (a limited replay stores no position)"},

			&cli.BoolFlag{Name: "provenance", Usage: "write with every row the asset hash, block height and record its values came from (see bhctl prove row)"},
		},
		Action: withEnv(runOracle),
	}
}

// oracleFlags are oracle's flags as given.
type oracleFlags struct {
	target, table, collection, name string
	key, mode, opField, filter      string
	fields, hide                    string
	source                          []string
	create, printDDL, live          bool
	at, height, tsField, tz         string
	window, batch, limit            int
	windowSet                       bool // --window was given
}

// parseOracleOptions checks the flags and turns them into library
// options and the target's.
func parseOracleOptions(f oracleFlags) (*oracle.Options, *oracle.TargetOptions, error) {
	o := &oracle.Options{
		Key:       splitList(f.key),
		OpField:   f.opField,
		Filter:    f.filter,
		Fields:    splitList(f.fields),
		Hide:      splitList(f.hide),
		Source:    splitList(f.source...),
		Live:      f.live,
		TSFields:  splitList(f.tsField),
		Window:    f.window,
		BatchRows: f.batch,
		Limit:     f.limit,
	}
	m, err := oracle.ParseMode(f.mode)
	if err != nil {
		return nil, nil, usagef("--%v", err)
	}
	o.Mode = m
	if f.at != "" {
		t, err := time.Parse(time.RFC3339Nano, f.at)
		if err != nil {
			return nil, nil, usagef("--at %q: want an RFC 3339 time such as 2026-10-10T00:00:00Z", f.at)
		}
		o.At = t
	}
	if f.height != "" {
		h, err := strconv.ParseUint(f.height, 10, 64)
		if err != nil {
			return nil, nil, usagef("--height %q: want a block height", f.height)
		}
		o.Height, o.HeightSet = h, true
	}
	loc, err := time.LoadLocation(f.tz)
	if err != nil {
		return nil, nil, usagef("--tz %q: want a zone name such as UTC or Europe/Paris", f.tz)
	}
	o.TZ = loc
	if f.batch <= 0 {
		return nil, nil, usagef("--batch %d: want a positive number of records", f.batch)
	}
	if f.limit < 0 {
		return nil, nil, usagef("--limit %d: want a positive number of records", f.limit)
	}
	if f.windowWithoutTS() {
		return nil, nil, usagef("--window applies with --ts-field")
	}
	if _, err := oracle.CompileFilter(f.filter); err != nil {
		return nil, nil, usageError{err}
	}
	if err := o.Check(); err != nil {
		return nil, nil, usageError{err}
	}
	u, err := url.Parse(f.target)
	if err != nil || u.Scheme == "" {
		return nil, nil, usagef("--target %q: want mysql://user:pass@host:3306/db, mongodb://host/db or csv:FILE", f.target)
	}
	to := &oracle.TargetOptions{Key: o.Key, Create: f.create || f.printDDL}
	switch u.Scheme {
	case "mysql":
		if f.table == "" {
			return nil, nil, usagef("--target mysql://...: give --table")
		}
		to.Table = f.table
	case "mongodb", "mongodb+srv":
		if f.collection == "" {
			return nil, nil, usagef("--target mongodb://...: give --collection")
		}
		to.Table = f.collection
	case "csv":
		to.Table = strings.TrimPrefix(u.Opaque+u.Path, "/")
		if to.Table == "-" && f.live {
			return nil, nil, usagef("--target -: the table goes to stdout when the replay ends, which --live never does (give csv:FILE)")
		}
	}
	o.Name = f.name
	if o.Name == "" {
		o.Name = to.Table
	}
	return o, to, nil
}

// windowWithoutTS reports a --window given without --ts-field.
func (f oracleFlags) windowWithoutTS() bool { return f.windowSet && f.tsField == "" }

func runOracle(c *cli.Context, e *env) error {
	if c.NArg() != 0 {
		return usagef("oracle takes no arguments (got %q)", c.Args().First())
	}
	f := oracleFlags{
		target: c.String("target"), table: c.String("table"), collection: c.String("collection"), name: c.String("name"),
		key: c.String("key"), mode: c.String("mode"), opField: c.String("op-field"), filter: c.String("filter"),
		fields: c.String("fields"), hide: c.String("hide"), source: c.StringSlice("source"),
		create: c.Bool("create"), printDDL: c.Bool("print-ddl"), live: c.Bool("live"),
		at: c.String("at"), height: c.String("height"), tsField: c.String("ts-field"), tz: c.String("tz"),
		window: c.Int("window"), windowSet: c.IsSet("window"), batch: c.Int("batch"), limit: c.Int("limit"),
	}
	if f.target == "-" {
		f.target = "csv:-" // the CSV target on stdout
	}
	o, to, err := parseOracleOptions(f)
	if err != nil {
		return err
	}
	o.Logger, to.Logger = e.log, e.log
	to.Stdout = e.stdout
	toStdout := to.Table == "-" && strings.HasPrefix(f.target, "csv:")

	o.Provenance = c.Bool("provenance")
	if x := c.String("exceptions"); x != "" {
		fx, err := os.Create(x)
		if err != nil {
			return err
		}
		defer fx.Close()
		o.Exceptions = fx
	}
	h, root, err := e.oracleChain(o.Live)
	if o.Live && errors.Is(err, context.Canceled) && e.ctx.Err() != nil {
		// Interrupted before the chain was made: nothing was applied.
		return printSummary(e, oracle.Summary{})
	}
	if err != nil {
		return err
	}
	defer h.Close()
	src := oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}
	if f.printDDL {
		return printDDL(e, src, f, o, to)
	}
	t, err := oracle.OpenTarget(e.ctx, f.target, to)
	if err != nil {
		return err
	}
	if o.Live {
		e.notef("oracle: following chain %q live (interrupt to stop)", e.chain)
	}
	sum, err := oracle.Run(e.ctx, src, t, o)
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if sum.Rebuilt {
		e.notef("oracle: the target held no records but replay %q had a stored position (table dropped or emptied?): replayed from the root", o.Name)
	}
	if toStdout {
		// stdout holds the table: the summary is a note.
		if !e.quiet {
			se := *e
			se.stdout = e.stderr
			return printSummary(&se, sum)
		}
		return nil
	}
	return printSummary(e, sum)
}

// oracleChain opens the stores and resolves --chain; live, a chain that
// does not exist yet is waited for (the default chain is made by its
// first write).
func (e *env) oracleChain(live bool) (*blockhub.Hub, chain.Block, error) {
	if !live {
		return e.openChain()
	}
	h, err := e.open()
	if err != nil {
		return nil, chain.Block{}, err
	}
	root, err := h.Resolve(e.ctx, e.chain)
	if errors.Is(err, chain.ErrNotFound) && !chain.IsHex(e.chain) {
		e.notef("oracle: chain %q does not exist yet: waiting for its first write", e.chain)
		root, err = h.Await(e.ctx, e.chain, awaitPoll)
	}
	if err != nil {
		h.Close()
		return nil, chain.Block{}, err
	}
	return h, root, nil
}

// awaitPoll is how often a live oracle looks for a chain not yet made.
const awaitPoll = 200 * time.Millisecond

func printSummary(e *env, s oracle.Summary) error {
	if e.json {
		return e.printJSON(map[string]any{
			"records": s.Records, "assets": s.Assets, "skipped_assets": s.Skipped, "filtered": s.Filtered,
			"later": s.Later, "exceptions": s.Exceptions, "resumed": s.Resumed, "rebuilt": s.Rebuilt,
			"block": s.Pos.Block, "height": s.Pos.Height, "asset_index": s.Pos.Asset,
		})
	}
	fmt.Fprintf(e.stdout, "applied %d records from %d assets (%d assets skipped, %d records filtered out, %d after --at, %d exceptions)",
		s.Records, s.Assets, s.Skipped, s.Filtered, s.Later, s.Exceptions)
	if s.Pos.Block != "" {
		fmt.Fprintf(e.stdout, "; at height %d asset %d", s.Pos.Height, s.Pos.Asset)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// printDDL replays into a target that only collects the first records,
// and prints the table the target would create for them.
func printDDL(e *env, src oracle.Source, f oracleFlags, o *oracle.Options, to *oracle.TargetOptions) error {
	t, err := oracle.OpenTarget(e.ctx, f.target, to)
	if err != nil {
		return err
	}
	defer t.Close()
	p, ok := t.(oracle.DDLPrinter)
	if !ok {
		return usagef("--print-ddl: the %s target has no tables", strings.SplitN(f.target, ":", 2)[0])
	}
	first := &firstRecords{}
	o.Name, o.Live = "", false
	if _, err := oracle.Run(e.ctx, src, first, o); err != nil && !errors.Is(err, errFirstDone) {
		return err
	}
	if len(first.sets) == 0 {
		return fmt.Errorf("--print-ddl: no records on chain %q match", e.chain)
	}
	_, err = io.WriteString(e.stdout, p.DDL(oracle.InferColumns(first.sets, o.Key))+";\n")
	return err
}

var errFirstDone = errors.New("first records collected")

// firstRecords is a target that keeps the first batch of records.
type firstRecords struct{ sets []oracle.RowSet }

func (f *firstRecords) Position(context.Context, string, string) (oracle.Position, bool, error) {
	return oracle.Position{}, false, nil
}

func (f *firstRecords) Apply(_ context.Context, b *oracle.Batch) error {
	if len(b.Sets) == 0 {
		return nil
	}
	f.sets = append(f.sets, b.Sets...)
	return errFirstDone
}

func (f *firstRecords) Close() error { return nil }
