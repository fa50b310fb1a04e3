package main

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/merkle"
	"github.com/blockhub/blockhub/oracle"
)

func newProveRowCommand() *cli.Command {
	return &cli.Command{
		Name:  "row",
		Usage: "prove a row an oracle wrote: its values are its record's, and the record's asset is on the chain",
		Description: "Reads the row with --key FIELD=VALUE from --target, finds the record its\n" +
			"provenance names (bhctl oracle --provenance wrote it), replays that record with\n" +
			"the oracle's rules (give the same --fields, --hide, --filter, --mode, --op-field\n" +
			"as the oracle run), checks the row holds what the record gives, and prints the\n" +
			"inclusion proof of the record's asset (against --checkpoint when given). A row\n" +
			"edited by hand is reported, column by column, and the exit is 1.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "target", Required: true, Usage: "mysql://user:pass@host:3306/db, mongodb://host/db or csv:FILE"},
			&cli.StringFlag{Name: "table", Usage: "table (MySQL)"},
			&cli.StringFlag{Name: "collection", Usage: "collection (MongoDB)"},
			&cli.StringSliceFlag{Name: "key", Required: true, Usage: "the row's key, `FIELD=VALUE` (repeat for a key of several fields)"},
			&cli.StringFlag{Name: "checkpoint", Usage: "prove against this checkpoint `FILE`"},
			&cli.StringSliceFlag{Name: "verifier", Usage: "verifier `KEY` (or file) of the checkpoint's signer (default: keys/*.vkey in --home)"},
			&cli.StringFlag{Name: "mode", Value: "upsert", Usage: "the oracle's --mode"},
			&cli.StringFlag{Name: "op-field", Usage: "the oracle's --op-field"},
			&cli.StringFlag{Name: "filter", Usage: "the oracle's --filter"},
			&cli.StringFlag{Name: "fields", Usage: "the oracle's --fields"},
			&cli.StringFlag{Name: "hide", Usage: "the oracle's --hide"},
		},
		Action: withEnv(runProveRow),
	}
}

// parseRowKey reads --key FIELD=VALUE flags into names (in order) and
// values.
func parseRowKey(flags []string) ([]string, map[string]string, error) {
	var names []string
	vals := map[string]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, nil, usagef("--key %q: want FIELD=VALUE", f)
		}
		if slices.Contains(names, k) {
			return nil, nil, usagef("--key %s given twice", k)
		}
		names = append(names, k)
		vals[k] = v
	}
	if len(names) == 0 {
		return nil, nil, usagef("prove row: give --key FIELD=VALUE")
	}
	return names, vals, nil
}

func runProveRow(c *cli.Context, e *env) error {
	if err := needArgs(c, 0, "no arguments"); err != nil {
		return err
	}
	names, key, err := parseRowKey(c.StringSlice("key"))
	if err != nil {
		return err
	}
	f := oracleFlags{target: c.String("target"), table: c.String("table"), collection: c.String("collection"),
		key: strings.Join(names, ","), mode: c.String("mode"), opField: c.String("op-field"), filter: c.String("filter"),
		fields: c.String("fields"), hide: c.String("hide"), tz: "UTC", batch: 1}
	o, to, err := parseOracleOptions(f)
	if err != nil {
		return err
	}
	to.Create, to.Logger, o.Logger = false, e.log, e.log
	t, err := oracle.OpenTarget(e.ctx, f.target, to)
	if err != nil {
		return err
	}
	defer t.Close()
	rr, ok := t.(oracle.RowReader)
	if !ok {
		u, _ := url.Parse(f.target)
		return usagef("prove row: the %s target cannot read rows back", u.Scheme)
	}
	row, err := rr.ReadRow(e.ctx, key)
	if err != nil {
		return err
	}
	prov, has, err := oracle.ReadProvenance(row, oracle.StyleOf(t))
	if err != nil {
		return fmt.Errorf("prove row %v: %w", key, err)
	}
	if !has {
		return fmt.Errorf("prove row %v: the row carries no provenance (replay it with bhctl oracle --provenance)", key)
	}

	h, root, err := e.openChain()
	if err != nil {
		return err
	}
	defer h.Close()
	var cp *merkle.Checkpoint
	if file := c.String("checkpoint"); file != "" {
		got, err := openCheckpointFile(file, c.StringSlice("verifier"), h.Home, root)
		if err != nil {
			return err
		}
		cp = &got
	}
	tree, err := h.Tree(root)
	if err != nil {
		return err
	}
	if _, err := tree.Update(e.ctx); err != nil {
		return err
	}
	// The record the provenance names.
	edited := func(why string, diffs []oracle.Difference) error {
		if e.json {
			out := map[string]any{"key": key, "problem": "edited", "error": why, "asset": prov.Asset, "height": prov.Height, "record": prov.Record}
			if diffs != nil {
				out["columns"] = diffs
			}
			if err := e.printJSON(out); err != nil {
				return err
			}
		} else {
			e.printf("row %s: edited by hand: %s\n", keyText(names, key), why)
			for _, d := range diffs {
				e.printf("  column %s is %q in the target, %q on the chain\n", d.Column, d.Target, d.Chain)
			}
		}
		return faultsFound{1}
	}
	id, _, err := tree.BlockAt(e.ctx, prov.Height)
	if err != nil {
		return edited(fmt.Sprintf("its provenance names height %d, which the chain does not have", prov.Height), nil)
	}
	b, err := h.Blocks.Get(e.ctx, id)
	if err != nil {
		return err
	}
	index := slices.IndexFunc(b.Assets, func(r chain.Receipt) bool { return r.Hash == prov.Asset })
	if index < 0 {
		return edited(fmt.Sprintf("its provenance names asset %s, which the block at height %d does not hold", prov.Asset, prov.Height), nil)
	}
	src := oracle.Source{Blocks: h.Blocks, Assets: h.Assets, Root: root}
	rec, err := oracle.RecordOf(e.ctx, src, o, b, index, prov.Record)
	if err != nil {
		return err
	}
	switch {
	case rec.Skipped != "":
		return edited(fmt.Sprintf("record %d of asset %s writes no row: %s", prov.Record, prov.Asset, rec.Skipped), nil)
	case rec.Mode == oracle.Delete:
		return edited(fmt.Sprintf("record %d of asset %s deletes the row", prov.Record, prov.Asset), nil)
	}
	if diffs := oracle.Compare(rec, row); len(diffs) > 0 {
		return edited(fmt.Sprintf("%d column(s) differ from record %d of asset %s (height %d)", len(diffs), prov.Record, prov.Asset, prov.Height), diffs)
	}
	// The record's asset is on the chain: its inclusion proof.
	pos, err := tree.Leaf(e.ctx, prov.Height, index)
	if err != nil {
		return err
	}
	var size int64
	if cp != nil {
		size = cp.Size
	}
	p, err := tree.ProveInclusion(e.ctx, pos, size)
	if err != nil {
		return err
	}
	if cp != nil && p.Root != merkle.HexHash(cp.Root) {
		return errors.New("prove row: the chain's tree at the checkpoint's size is not the checkpoint's: the chain departs from it (bhctl verify --checkpoint)")
	}
	if e.json {
		return e.printJSON(map[string]any{"key": key, "asset": prov.Asset, "height": prov.Height, "record": prov.Record, "columns": len(rec.Columns), "inclusion": p})
	}
	e.printf("row %s: its %d column(s) are record %d of asset %s (block %s height %d index %d)\n", keyText(names, key), len(rec.Columns), prov.Record, prov.Asset, p.Block, p.Height, p.Index)
	return printInclusion(e, p)
}

// keyText is a row's key as the command line gives it: id=2,region=eu.
func keyText(names []string, key map[string]string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + key[n]
	}
	return strings.Join(parts, ",")
}
