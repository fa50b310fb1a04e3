package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/walk"
	"github.com/blockhub/blockhub/internal/records"
)

// Source is the chain to replay: its stores and its root.
type Source struct {
	Blocks *store.Blocks
	Assets *store.Assets
	Root   chain.Block
}

// Summary counts what a replay did.
type Summary struct {
	// Assets is the number of assets whose records were read; Skipped the
	// assets passed over (another source, or not records).
	Assets, Skipped int
	// Records is the number of records applied; Filtered the records the
	// filter rejected; Later the records whose document time is after At;
	// Exceptions the records reported instead of applied.
	Records, Filtered, Later, Exceptions int
	// Resumed is set when the replay went on from a stored position.
	Resumed bool
	// Rebuilt is set when a position was stored but the target held no
	// records (see Emptier): the replay started again from the root.
	Rebuilt bool
	// Pos is the position reached (zero when nothing was read).
	Pos Position
}

// Exception is a record that was not applied, as written to
// Options.Exceptions (one JSON object per line).
type Exception struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	recordAt
	Fields map[string]any `json:"fields"`
}

// Run replays src into t as opts say and returns what it did. In Live
// mode it returns when ctx ends (with a nil error).
func Run(ctx context.Context, src Source, t Target, opts *Options) (Summary, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := opts.Check(); err != nil {
		return Summary{}, err
	}
	filter, err := CompileFilter(opts.Filter)
	if err != nil {
		return Summary{}, err
	}
	r := &replay{src: src, t: t, o: opts, filter: filter, chainID: src.Root.ID, style: StyleOf(t)}
	r.batch.Name = opts.Name
	if len(opts.TSFields) > 0 {
		// A time-ordered replay reorders records across assets: it has no
		// single position to resume from, so it stores none.
		r.batch.Name = ""
		r.ord = newOrderer(opts.Window, r.add, r.late)
	}
	if opts.Limit > 0 {
		// A limit may fall inside an asset, which a position cannot name.
		r.batch.Name = ""
	}
	err = r.run(ctx)
	// The last batch handed to the target may still be applying.
	if werr := r.wait(); err == nil {
		err = werr
	}
	if opts.Live && errors.Is(err, context.Canceled) && ctx.Err() != nil {
		err = nil
	}
	return r.sum, err
}

type replay struct {
	src     Source
	t       Target
	o       *Options
	filter  *Filter
	chainID string
	ord     *orderer
	style   ProvenanceStyle // how t keeps provenance (Options.Provenance)
	batch   Batch
	sum     Summary
	seq     int
	added   int // records added to batches, for Options.Limit
	excMu   sync.Mutex
	// sent is the position of the last batch handed to the target;
	// applying, when not nil, brings that batch's outcome.
	sent     Position
	applying chan applied
}

// applied is the outcome of one Target.Apply.
type applied struct {
	n   int
	pos Position
	err error
}

func (r *replay) run(ctx context.Context) error {
	wo := &walk.Options{Live: r.o.Live}
	var from Position
	resumed := false
	if r.batch.Name != "" {
		p, ok, err := r.t.Position(ctx, r.batch.Name, r.chainID)
		if err != nil {
			return err
		}
		if ok {
			if e, isE := r.t.(Emptier); isE {
				empty, err := e.Empty(ctx)
				if err != nil {
					return err
				}
				if empty {
					r.o.log().Info("target holds no records: replaying from the root", "name", r.batch.Name, "height", p.Height)
					r.sum.Rebuilt = true
					ok = false
					// The stored position is still p: the first batch
					// moves it from there (a target's compare-and-set).
					r.sent = p
				}
			}
		}
		if ok {
			from, resumed = p, true
			wo.From = p.Block
			r.sum.Resumed, r.sum.Pos = true, p
			r.batch.Pos, r.sent = p, p
		}
	}
	if r.o.HeightSet {
		if resumed && from.Height > r.o.Height {
			return nil
		}
		wo.To = strconv.FormatUint(r.o.Height, 10)
	}
	w := walk.New(r.src.Blocks, r.chainID)
	for b, err := range w.All(ctx, wo) {
		if err != nil {
			return fmt.Errorf("oracle: walk: %w", err)
		}
		if b.IsRoot() {
			continue
		}
		if !r.o.At.IsZero() && r.ord == nil {
			at, err := b.At()
			if err != nil {
				return fmt.Errorf("oracle: block %s: time %q: %w", b.ID, b.Time, err)
			}
			if at.After(r.o.At) {
				break
			}
		}
		for i, rc := range b.Assets {
			if resumed && b.ID == from.Block && i <= from.Asset {
				continue
			}
			if r.limited() {
				break
			}
			if err := r.asset(ctx, b, i, rc); err != nil {
				return err
			}
			r.batch.Pos = Position{Chain: r.chainID, Block: b.ID, Height: b.Height, Asset: i}
			if r.batch.Rows() >= r.batchRows() {
				if err := r.flush(ctx); err != nil {
					return err
				}
			}
		}
		if r.limited() {
			break
		}
		if r.o.Live {
			// Live, each block is applied before the next is awaited, so
			// that a failure shows at once.
			if err := r.flush(ctx); err != nil {
				return err
			}
			if err := r.wait(); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.ord != nil {
		if err := r.ord.flush(); err != nil {
			return err
		}
	}
	return r.flush(ctx)
}

// limited reports whether Options.Limit records have been added.
func (r *replay) limited() bool { return r.o.Limit > 0 && r.added >= r.o.Limit }

func (r *replay) batchRows() int {
	if r.o.BatchRows > 0 {
		return r.o.BatchRows
	}
	return 50000
}

// flush hands the pending batch, if it holds records or moves the
// position, to the target. The target applies it while the next batch is
// decoded: decoding and the database's work overlap, and batches are
// still applied one at a time, in order. wait collects the outcome.
func (r *replay) flush(ctx context.Context) error {
	if len(r.batch.Sets) == 0 && r.batch.Pos == r.sent {
		return nil
	}
	if err := r.wait(); err != nil {
		return err
	}
	from := r.sent
	r.sent = r.batch.Pos
	if r.batch.Name == "" && len(r.batch.Sets) == 0 {
		r.sum.Pos = r.batch.Pos
		return nil
	}
	b := r.batch
	b.From = from
	r.batch.Sets = nil
	r.applying = make(chan applied, 1)
	go func(done chan<- applied) {
		err := r.t.Apply(ctx, &b)
		if err != nil {
			err = fmt.Errorf("oracle: apply up to block %s asset %d: %w", b.Pos.Block, b.Pos.Asset, err)
		}
		done <- applied{n: b.Rows(), pos: b.Pos, err: err}
	}(r.applying)
	return nil
}

// wait waits for the batch being applied, if any, and counts it.
func (r *replay) wait() error {
	if r.applying == nil {
		return nil
	}
	a := <-r.applying
	r.applying = nil
	if a.err != nil {
		return a.err
	}
	r.sum.Records += a.n
	r.sum.Pos = a.pos
	r.o.log().Debug("applied", "records", a.n, "block", a.pos.Block, "height", a.pos.Height, "asset", a.pos.Asset)
	return nil
}

// asset reads one asset's records into the batch (or the orderer).
func (r *replay) asset(ctx context.Context, b chain.Block, i int, rc chain.Receipt) error {
	var meta map[string]any
	if len(rc.Meta) > 0 {
		if err := json.Unmarshal(rc.Meta, &meta); err != nil {
			meta = nil
		}
	}
	if !r.sourceMatch(meta) || records.FormatOf(rc.Type) == "" {
		r.sum.Skipped++
		return nil
	}
	data, err := r.read(ctx, rc)
	if err != nil {
		return fmt.Errorf("oracle: block %s asset %d (%s): %w", b.ID, i, rc.Hash, err)
	}
	tab, err := records.Decode(rc.Type, data)
	if err != nil {
		return fmt.Errorf("oracle: block %s asset %d (%s): %w", b.ID, i, rc.Hash, err)
	}
	r.sum.Assets++
	r.seq++
	at := recordAt{Block: b.ID, Height: b.Height, Asset: i, seq: r.seq}
	pr, err := r.projection(tab.Header, at)
	if err != nil {
		return err
	}
	provHeader := r.provHeader(pr.header)
	var assetEnv map[string]any
	if r.filter != nil {
		assetEnv = map[string]any{"meta": meta, "type": rc.Type, "hash": rc.Hash, "block": b.ID, "height": b.Height, "index": i, "time": b.Time}
	}
	var timed []*item
	for n, row := range tab.Rows {
		at.Record = n + 1
		mode := r.o.Mode
		if pr.op >= 0 {
			m, err := ParseMode(fmt.Sprint(row[pr.op]))
			if row[pr.op] == nil || err != nil {
				if err := r.except(at, tab.Header, row, "bad operation", fmt.Sprintf("field %s: %v", r.o.OpField, row[pr.op])); err != nil {
					return err
				}
				continue
			}
			mode = m
		}
		if r.filter != nil {
			ok, err := r.filter.Match(Env(tab.Header, row, assetEnv))
			if err != nil {
				return fmt.Errorf("oracle: block %s asset %d record %d: %w", b.ID, i, n+1, err)
			}
			if !ok {
				r.sum.Filtered++
				continue
			}
		}
		if missing := pr.missingKey(row); missing != "" {
			if err := r.except(at, tab.Header, row, "no key", "field "+missing+" is empty"); err != nil {
				return err
			}
			continue
		}
		// it stays off the heap unless the orderer keeps it (a copy).
		it := item{header: provHeader, row: r.provRow(provHeader, pr.pick(row), rc.Hash, b.Height, n+1), mode: mode, at: at}
		if mode == Delete {
			// A delete needs the key alone.
			it.header, it.row = pr.keyNames, pr.pickKeys(row)
		}
		if r.ord == nil {
			r.add(&it)
			continue
		}
		ts, reason, err := docTime(tab.Header, row, r.o.TSFields, r.o.TZ)
		if err != nil {
			if err := r.except(at, tab.Header, row, reason, err.Error()); err != nil {
				return err
			}
			continue
		}
		kept := it
		kept.ts = ts
		timed = append(timed, &kept)
	}
	if r.ord != nil {
		return r.ord.add(r.seq, timed)
	}
	return nil
}

// read returns an asset's verified bytes, read into a buffer of the size
// its receipt gives (where io.ReadAll would grow one by doubling).
func (r *replay) read(ctx context.Context, rc chain.Receipt) ([]byte, error) {
	f, err := r.src.Assets.Get(ctx, rc.Hash)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := bytes.NewBuffer(make([]byte, 0, min(max(rc.Length, 0), 1<<28)+bytes.MinRead))
	if _, err := b.ReadFrom(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// add puts a record into the batch, extending the last row set when the
// record has its columns and mode.
func (r *replay) add(it *item) error {
	if !r.o.At.IsZero() && r.ord != nil && it.ts.After(r.o.At) {
		r.sum.Later++
		return nil
	}
	if r.limited() {
		return nil
	}
	r.added++
	if n := len(r.batch.Sets); n > 0 {
		s := &r.batch.Sets[n-1]
		if s.Mode == it.mode && sameColumns(s.Columns, it.header) {
			s.Rows = append(s.Rows, it.row)
			s.At = append(s.At, it.at.pos())
			return nil
		}
	}
	r.batch.Sets = append(r.batch.Sets, RowSet{Mode: it.mode, Columns: it.header, Rows: [][]any{it.row}, At: []RecordPos{it.at.pos()}})
	return nil
}

func (r *replay) late(it *item, released time.Time) error {
	return r.exceptRow(it.at, it.header, it.row, "outside window",
		fmt.Sprintf("time %s is before %s, already applied: more than %d assets late", it.ts.UTC().Format(time.RFC3339Nano), released.UTC().Format(time.RFC3339Nano), r.ord.window))
}

// sameColumns reports whether a and b name the same columns in order:
// the records of consecutive assets with the same header share a row set
// (so a target writes them in fewer, larger statements or loads).
func sameColumns(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0] || slices.Equal(a, b))
}

func (r *replay) except(at recordAt, header []string, row []any, reason, detail string) error {
	return r.exceptRow(at, header, row, reason, detail)
}

func (r *replay) exceptRow(at recordAt, header []string, row []any, reason, detail string) error {
	r.excMu.Lock()
	defer r.excMu.Unlock()
	r.sum.Exceptions++
	if r.o.Exceptions == nil {
		return nil
	}
	f := make(map[string]any, len(header))
	for i, h := range header {
		if i < len(row) {
			f[h] = row[i]
		}
	}
	b, err := json.Marshal(Exception{Reason: reason, Detail: detail, recordAt: at, Fields: f})
	if err != nil {
		return err
	}
	_, err = r.o.Exceptions.Write(append(b, '\n'))
	return err
}

// sourceMatch reports whether an asset's meta names one of Options.Source.
func (r *replay) sourceMatch(meta map[string]any) bool {
	if len(r.o.Source) == 0 {
		return true
	}
	for _, k := range []string{"source", "path", "table", "key", "name"} {
		v, ok := meta[k].(string)
		if !ok || v == "" {
			continue
		}
		for _, s := range r.o.Source {
			if v == s || (k == "path" && path.Base(v) == s) {
				return true
			}
		}
	}
	return false
}

// projection is how one asset's records map to target columns.
type projection struct {
	header   []string // the columns written
	keep     []int    // their indexes in the asset's header
	keys     []int    // key fields' indexes in the asset's header
	keyNames []string
	op       int // the op field's index, or -1
}

func (r *replay) projection(header []string, at recordAt) (projection, error) {
	p := projection{op: -1}
	for i, h := range header {
		switch {
		case r.o.OpField != "" && h == r.o.OpField:
			p.op = i
			continue
		case len(r.o.Fields) > 0 && !slices.Contains(r.o.Fields, h):
			continue
		case slices.Contains(r.o.Hide, h):
			continue
		}
		p.keep = append(p.keep, i)
		p.header = append(p.header, h)
	}
	for _, k := range r.o.Key {
		j := -1
		for i, h := range header {
			if h == k {
				j = i
			}
		}
		if j < 0 {
			return p, fmt.Errorf("oracle: block %s asset %d has no key field %s (its fields: %v); pick its assets with --source", at.Block, at.Asset, k, header)
		}
		p.keys = append(p.keys, j)
		p.keyNames = append(p.keyNames, k)
	}
	if r.o.OpField != "" && p.op < 0 {
		return p, fmt.Errorf("oracle: block %s asset %d has no operation field %s", at.Block, at.Asset, r.o.OpField)
	}
	return p, nil
}

func (p projection) pick(row []any) []any {
	if len(p.keep) == len(row) {
		return row
	}
	out := make([]any, len(p.keep))
	for i, j := range p.keep {
		out[i] = row[j]
	}
	return out
}

func (p projection) pickKeys(row []any) []any {
	out := make([]any, len(p.keys))
	for i, j := range p.keys {
		out[i] = row[j]
	}
	return out
}

func (p projection) missingKey(row []any) string {
	for n, j := range p.keys {
		if row[j] == nil || row[j] == "" {
			return p.keyNames[n]
		}
	}
	return ""
}
