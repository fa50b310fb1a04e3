package oracle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/blockhub/blockhub/chain"
)

// Provenance names (docs/oracle.md, "Provenance"). With
// Options.Provenance every row written carries the asset hash, block
// height and record number (from 1, in the asset) its current values came
// from: in three columns (MySQL), or in one field (MongoDB: a document
// {asset, height, record}; CSV: the text "asset:height:record").
const (
	ProvAsset  = "_bh_asset"
	ProvHeight = "_bh_height"
	ProvRecord = "_bh_record"
	ProvField  = "_bh"
)

// ProvenanceStyle is how a target keeps a row's provenance.
type ProvenanceStyle int

const (
	// ProvenanceColumns: the three columns ProvAsset, ProvHeight,
	// ProvRecord (the default).
	ProvenanceColumns ProvenanceStyle = iota
	// ProvenanceDocument: one field ProvField holding a map with asset,
	// height and record.
	ProvenanceDocument
	// ProvenanceText: one column ProvField holding "asset:height:record".
	ProvenanceText
)

// ProvenanceStyler is implemented by targets that keep provenance other
// than in three columns.
type ProvenanceStyler interface {
	ProvenanceStyle() ProvenanceStyle
}

// StyleOf is the provenance style of target t.
func StyleOf(t any) ProvenanceStyle {
	if s, ok := t.(ProvenanceStyler); ok {
		return s.ProvenanceStyle()
	}
	return ProvenanceColumns
}

// Provenance is where a row's current values came from.
type Provenance struct {
	Asset  string `json:"asset"`
	Height uint64 `json:"height"`
	Record int    `json:"record"`
}

// provenanceNames are the columns a style adds.
func provenanceNames(s ProvenanceStyle) []string {
	if s == ProvenanceColumns {
		return []string{ProvAsset, ProvHeight, ProvRecord}
	}
	return []string{ProvField}
}

// withProvenance returns header with the provenance columns after it.
func (r *replay) provHeader(header []string) []string {
	if !r.o.Provenance {
		return header
	}
	for _, n := range provenanceNames(r.style) {
		if slices.Contains(header, n) {
			return header // a record that has them already keeps its own
		}
	}
	return append(slices.Clip(header), provenanceNames(r.style)...)
}

// provRow returns row with the provenance values after it, when header
// (from provHeader) has room for them.
func (r *replay) provRow(header []string, row []any, hash string, height uint64, record int) []any {
	if !r.o.Provenance || len(header) == len(row) {
		return row
	}
	out := make([]any, len(row), len(header))
	copy(out, row)
	switch r.style {
	case ProvenanceDocument:
		return append(out, map[string]any{"asset": hash, "height": int64(height), "record": int64(record)})
	case ProvenanceText:
		return append(out, fmt.Sprintf("%s:%d:%d", hash, height, record))
	}
	return append(out, hash, int64(height), int64(record))
}

// ReadProvenance reads the provenance a row carries in style s; false
// when it carries none.
func ReadProvenance(row map[string]any, s ProvenanceStyle) (Provenance, bool, error) {
	var p Provenance
	var err error
	switch s {
	case ProvenanceDocument:
		m, ok := row[ProvField].(map[string]any)
		if !ok {
			return p, false, nil
		}
		p.Asset = fmt.Sprint(m["asset"])
		if p.Height, err = strconv.ParseUint(fmt.Sprint(m["height"]), 10, 64); err == nil {
			p.Record, err = strconv.Atoi(fmt.Sprint(m["record"]))
		}
	case ProvenanceText:
		v, ok := row[ProvField]
		if !ok || text(v) == "" {
			return p, false, nil
		}
		parts := strings.Split(text(v), ":")
		if len(parts) != 3 {
			return p, true, fmt.Errorf("provenance %q: want asset:height:record", text(v))
		}
		p.Asset = parts[0]
		if p.Height, err = strconv.ParseUint(parts[1], 10, 64); err == nil {
			p.Record, err = strconv.Atoi(parts[2])
		}
	default:
		a, ok := row[ProvAsset]
		if !ok || a == nil {
			return p, false, nil
		}
		p.Asset = text(a)
		if p.Height, err = strconv.ParseUint(text(row[ProvHeight]), 10, 64); err == nil {
			p.Record, err = strconv.Atoi(text(row[ProvRecord]))
		}
	}
	if err == nil && (!chain.IsHex(p.Asset) || p.Record < 1) {
		err = fmt.Errorf("asset %q, record %d", p.Asset, p.Record)
	}
	if err != nil {
		return p, true, fmt.Errorf("provenance: %w %v", chain.ErrInvalid, err)
	}
	return p, true, nil
}

// RowReader is implemented by targets that can read back the row with a
// key (bhctl prove row): the row's columns and values, an error matching
// chain.ErrNotFound when there is none.
type RowReader interface {
	ReadRow(ctx context.Context, key map[string]string) (map[string]any, error)
}

// Record is what replaying one record gives.
type Record struct {
	Mode    Mode
	Columns []string
	Values  []any
	// Skipped says why the record writes nothing ("" when it does): the
	// filter rejected it, it had no key, no operation...
	Skipped string
}

// RecordOf replays record number record (from 1) of receipt index of
// block b as Run would with opts (fields, hide, filter, key, mode, op
// field), without a target.
func RecordOf(ctx context.Context, src Source, opts *Options, b chain.Block, index, record int) (Record, error) {
	if opts == nil {
		opts = &Options{}
	}
	o := *opts
	o.Provenance, o.Exceptions, o.Live = false, nil, false
	if len(o.TSFields) > 0 {
		return Record{}, errors.New("oracle: a time-ordered replay (--ts-field) has no one record to prove")
	}
	if err := o.Check(); err != nil {
		return Record{}, err
	}
	filter, err := CompileFilter(o.Filter)
	if err != nil {
		return Record{}, err
	}
	if index < 0 || index >= len(b.Assets) {
		return Record{}, fmt.Errorf("oracle: block %s has no asset %d", b.ID, index)
	}
	r := &replay{src: src, o: &o, filter: filter, chainID: src.Root.ID}
	before := r.sum
	if err := r.asset(ctx, b, index, b.Assets[index]); err != nil {
		return Record{}, err
	}
	want := RecordPos{Height: b.Height, Asset: index, Record: record}
	for _, s := range r.batch.Sets {
		for i, at := range s.At {
			if at == want {
				return Record{Mode: s.Mode, Columns: s.Columns, Values: s.Rows[i]}, nil
			}
		}
	}
	switch {
	case r.sum.Skipped > before.Skipped:
		return Record{Skipped: "its asset is not replayed (another source, or not records)"}, nil
	case r.sum.Filtered > before.Filtered:
		return Record{Skipped: "the filter rejects it"}, nil
	case r.sum.Exceptions > before.Exceptions:
		return Record{Skipped: "it is an exception (no key, or a bad operation)"}, nil
	}
	return Record{Skipped: fmt.Sprintf("the asset has no record %d", record)}, nil
}

// Difference is a column whose value in the target is not the one
// replaying the record gives.
type Difference struct {
	Column string `json:"column"`
	Target string `json:"target"`
	Chain  string `json:"chain"`
}

// Compare returns the columns of rec whose values row does not hold (as
// text, numbers compared as numbers, booleans as 0 and 1).
func Compare(rec Record, row map[string]any) []Difference {
	var out []Difference
	for i, c := range rec.Columns {
		got, ok := row[c]
		want := rec.Values[i]
		if !ok || !sameValue(got, want) {
			d := Difference{Column: c, Target: text(got), Chain: text(want)}
			if !ok {
				d.Target = "(no such column)"
			}
			out = append(out, d)
		}
	}
	return out
}

func sameValue(a, b any) bool {
	ta, tb := text(a), text(b)
	if ta == tb {
		return true
	}
	fa, ea := strconv.ParseFloat(boolNum(ta), 64)
	fb, eb := strconv.ParseFloat(boolNum(tb), 64)
	return ea == nil && eb == nil && fa == fb
}

func boolNum(s string) string {
	switch s {
	case "true":
		return "1"
	case "false":
		return "0"
	}
	return s
}

// text is a value as text: nil is "".
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return fmt.Sprint(v)
}
