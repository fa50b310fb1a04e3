package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"path"
	"strconv"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/internal/records"
	"github.com/blockhub/blockhub/oracle"
)

// RecordOptions says which records Records yields.
type RecordOptions struct {
	// Expr is a boolean expression in the oracle's --filter language over
	// a record's fields and _asset (meta, type, hash, block, height,
	// index, time). Empty matches every record.
	Expr string
	// Invert yields the records that do not match.
	Invert bool
	// Source keeps only assets whose meta source, path (or its base
	// name), table, key or name is one of these; empty keeps all.
	Source []string
	// Limit stops after this many records; 0 is no limit.
	Limit int
}

// Record is one decoded record of an asset, with where it is.
type Record struct {
	Where
	// N is the record's number inside its asset, from 1.
	N int `json:"record"`
	// Fields are the record's fields in the asset's order (nil where the
	// record lacks one).
	Fields Fields `json:"fields"`
}

// Fields is a record's fields in order; it encodes as a JSON object that
// keeps that order.
type Fields struct {
	Names  []string
	Values []any
}

// MarshalJSON writes the fields as an object, in order.
func (f Fields) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, n := range f.Names {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(n)
		b = append(b, k...)
		b = append(b, ':')
		v, err := json.Marshal(f.Values[i])
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// ErrExpr is matched (errors.Is) by the error of an expression that
// compiled but could not be evaluated on a record (a comparison of a
// field the record lacks, for example): the caller's expression is at
// fault, not the chain or the stores.
var ErrExpr = errors.New("query: the expression failed on a record")

type exprError struct{ error }

func (e exprError) Unwrap() error        { return e.error }
func (e exprError) Is(target error) bool { return target == ErrExpr }

// CompileExpr checks an expression as Records would compile it.
func CompileExpr(expr string) error {
	_, err := oracle.CompileFilter(expr)
	return err
}

// Records yields the records of the range's assets (those whose content
// type holds records: csv, json lines, yaml, xml) that match opts. Blocks
// are checked as they are walked and every asset against its hash before
// any of its records is yielded; a fault is yielded as an error and ends
// the stream.
func Records(ctx context.Context, r Range, opts RecordOptions) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		f, err := oracle.CompileFilter(opts.Expr)
		if err != nil {
			yield(Record{}, err)
			return
		}
		n := 0
		for b, err := range r.blocks(ctx) {
			if err != nil {
				yield(Record{}, err)
				return
			}
			for i, rc := range b.Assets {
				if records.FormatOf(rc.Type) == "" {
					continue
				}
				meta := metaOf(rc)
				if !sourceMatch(opts.Source, meta) {
					continue
				}
				at := Where{Block: b.ID, Height: b.Height, Index: i, Hash: rc.Hash}
				data, err := readAsset(ctx, r, rc)
				if err != nil {
					yield(Record{}, fmt.Errorf("query: block %s asset %d (%s): %w", b.ID, i, rc.Hash, err))
					return
				}
				tab, err := records.Decode(rc.Type, data)
				if err != nil {
					yield(Record{}, fmt.Errorf("query: block %s asset %d (%s): %w", b.ID, i, rc.Hash, err))
					return
				}
				env := map[string]any{"meta": meta, "type": rc.Type, "hash": rc.Hash, "block": b.ID, "height": b.Height, "index": i, "time": b.Time}
				for k, row := range tab.Rows {
					ok := true
					if f != nil {
						if ok, err = f.Match(oracle.Env(tab.Header, row, env)); err != nil {
							yield(Record{}, exprError{fmt.Errorf("query: block %s asset %d record %d: %w", b.ID, i, k+1, err)})
							return
						}
					}
					if ok == opts.Invert {
						continue
					}
					if !yield(Record{Where: at, N: k + 1, Fields: Fields{tab.Header, row}}, nil) {
						return
					}
					if n++; opts.Limit > 0 && n >= opts.Limit {
						return
					}
				}
			}
		}
	}
}

// readAsset returns an asset's bytes, checked against its hash and the
// length its receipt gives.
func readAsset(ctx context.Context, r Range, rc chain.Receipt) ([]byte, error) {
	data, err := r.Assets.ReadAll(ctx, rc.Hash)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != rc.Length {
		return nil, fmt.Errorf("%w: %d bytes, the block says %d", chain.ErrTampered, len(data), rc.Length)
	}
	return data, nil
}

func metaOf(rc chain.Receipt) map[string]any {
	var meta map[string]any
	if len(rc.Meta) > 0 {
		if json.Unmarshal(rc.Meta, &meta) != nil {
			return nil
		}
	}
	return meta
}

// sourceMatch reports whether meta names one of sources (as the oracle's
// --source matches).
func sourceMatch(sources []string, meta map[string]any) bool {
	if len(sources) == 0 {
		return true
	}
	for _, k := range []string{"source", "path", "table", "key", "name"} {
		v, ok := meta[k].(string)
		if !ok || v == "" {
			continue
		}
		for _, s := range sources {
			if v == s || (k == "path" && path.Base(v) == s) {
				return true
			}
		}
	}
	return false
}

// String is a record as one line of text: its fields as JSON.
func (r Record) String() string {
	b, err := r.Fields.MarshalJSON()
	if err != nil {
		return strconv.Quote(err.Error())
	}
	return string(b)
}
