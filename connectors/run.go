package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"sync/atomic"
	"time"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/index"
	"github.com/blockhub/blockhub/internal/records"
	"github.com/blockhub/blockhub/internal/sensitive"
)

// Common are the options every connector takes.
type Common struct {
	// Rows is how many records go in one asset (0: the connector's default).
	Rows int
	// Exclude names columns or fields to drop.
	Exclude []string
	// Format is the chunks' encoding: "" (the source's own), csv, json,
	// yaml or xml.
	Format string
	// Meta is added to every asset's meta.
	Meta map[string]string
	// PreventDups skips assets already on the chain and lets connectors
	// resume where the last capture of the same source stopped.
	PreventDups bool
	// DryRun shows what would be captured and writes nothing.
	DryRun bool
	// Sensitive is warn (default), block or off.
	Sensitive string
	// Notes receives the one-line notes a connector has for the user on
	// every run, with or without a State (a CSV line held back until its
	// line end is written, a filter that matched no file); nil discards
	// them. See Note.
	Notes io.Writer
}

// Note writes one line for the user to c.Notes, "bhctl: " first.
func (c Common) Note(format string, a ...any) {
	if c.Notes != nil {
		fmt.Fprintf(c.Notes, "bhctl: "+format+"\n", a...)
	}
}

// Check validates the common options.
func (c Common) Check() error {
	if c.Rows < 0 {
		return fmt.Errorf("--rows %d: want a positive number", c.Rows)
	}
	switch c.Sensitive {
	case "", "warn", "block", "off":
	default:
		return fmt.Errorf("--sensitive %q: want warn, block or off", c.Sensitive)
	}
	return records.CheckFormat(c.Format)
}

// ImportOptions tune Import.
type ImportOptions struct {
	// Connector is the connector's name, recorded as meta "source".
	Connector string
	Common    Common
	// Index tells what the chain holds; required with PreventDups, and
	// what lets a Resumer source resume (without it, it starts afresh).
	Index *index.Index
	// Notes receives one-line notes for the user (sensitive data
	// warnings, resume decisions); nil discards them.
	Notes io.Writer
	// Progress, when set, is told the bytes read so far after each chunk.
	Progress func(done int64)
	// OnAsset is called for every chunk in order, captured or skipped.
	OnAsset func(Outcome)
	Logger  *slog.Logger
}

// Outcome is what happened to one chunk.
type Outcome struct {
	Receipt chain.Receipt
	// Skipped: already on the chain (--prevent-dups).
	Skipped bool
	// DryRun: would have been captured.
	DryRun bool
	// Appended is set for captured chunks (its Linked channel reports the
	// block).
	Appended *appender.Appended
	Records  int
}

// Summary is what an import did; -o json prints it.
type Summary struct {
	Connector string  `json:"connector"`
	Chain     string  `json:"chain,omitempty"`
	Captured  int     `json:"captured"`
	Skipped   int     `json:"skipped"`
	Records   int     `json:"records"`
	Bytes     int64   `json:"bytes"`
	Sensitive int     `json:"sensitive"`
	DryRun    bool    `json:"dry_run,omitempty"`
	Seconds   float64 `json:"seconds"`
}

// Import runs src and appends its chunks through app (nil allowed with
// DryRun), applying the common options. Chunks captured before an error
// stay captured; the caller closes the appender's builder to link them.
func Import(ctx context.Context, app *appender.Appender, crypt chain.Crypt, src Source, o ImportOptions) (Summary, error) {
	start := time.Now()
	sum := Summary{Connector: o.Connector, DryRun: o.Common.DryRun}
	if err := o.Common.Check(); err != nil {
		return sum, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	notes := o.Notes
	if notes == nil {
		notes = io.Discard
	}
	if o.Common.PreventDups && o.Index == nil {
		return sum, fmt.Errorf("%s: --prevent-dups needs the chain's index", o.Connector)
	}
	var st State
	var known *state
	if o.Index != nil && (o.Common.PreventDups || resumes(src) != "") {
		known = &state{x: o.Index, notes: notes}
		st = known
	}
	seen := map[string]bool{} // hashes captured by this run
	skip := func(hash string) bool {
		if !o.Common.PreventDups {
			return false
		}
		if seen[hash] || o.Index.Has(hash) {
			return true
		}
		seen[hash] = true
		return false
	}
	// The connector runs in AppendAll's producer goroutine and each chunk
	// is prepared (Finish, the sensitive scan, the meta) on the worker
	// that stores it; what is learnt of a chunk reaches the consumer, in
	// order, in its Tag (a *pending).
	flagged := 0
	chunks := func(yield func(appender.Chunk, error) bool) {
		for c, err := range src.Chunks(ctx, st) {
			if err != nil {
				yield(appender.Chunk{}, err)
				return
			}
			if o.Progress != nil && c.Done > 0 {
				o.Progress(c.Done)
			}
			p := &pending{records: c.Records}
			ac := appender.Chunk{Tag: p, Prepare: func(ac *appender.Chunk) error { return prepare(o, c, ac, p) }}
			if !yield(ac, nil) {
				return
			}
		}
	}
	// learnt tells of a chunk's sensitive data once its result is in (so
	// its Prepare has run) and returns its number of records.
	learnt := func(tag any) int {
		p := tag.(*pending)
		if p.found != nil {
			flagged++
			fmt.Fprintf(notes, "bhctl: warning: %s: sensitive data (%s on line %d of the chunk)\n", p.name, p.found.Kind, p.found.Line)
		}
		return p.records
	}
	var err error
	if o.Common.DryRun {
		for c, e := range chunks {
			if e == nil {
				c, e = c.Prepared()
			}
			if e != nil {
				err = e
				break
			}
			r := chain.Receipt{Hash: crypt.Sum(c.Data), Crypt: crypt, Length: int64(len(c.Data)), Type: c.Type, Meta: c.Meta}
			out := Outcome{Receipt: r, Records: learnt(c.Tag)}
			if skip(r.Hash) {
				out.Skipped = true
				sum.Skipped++
			} else {
				out.DryRun = true
				sum.Captured++
				sum.Records += out.Records
				sum.Bytes += r.Length
			}
			emit(o, out)
		}
	} else {
		opts := &appender.Options{Skip: func(r chain.Receipt) bool { return skip(r.Hash) }}
		if o.Common.PreventDups {
			opts.Known = o.Index.Has // not stored again: skip drops it
		}
		for res, e := range app.AppendAll(ctx, chunks, opts) {
			if e != nil {
				err = e
				break
			}
			a := res.Appended
			out := Outcome{Receipt: a.Receipt, Records: learnt(res.Tag)}
			if res.Skipped {
				out.Skipped = true
				sum.Skipped++
			} else {
				out.Appended = &a
				sum.Captured++
				sum.Records += out.Records
				sum.Bytes += a.Receipt.Length
			}
			emit(o, out)
		}
	}
	if known != nil {
		sum.Skipped += int(known.skipped.Load())
	}
	sum.Sensitive = flagged
	if errors.As(err, new(refusal)) {
		sum.Sensitive++ // the chunk refused has sensitive data too
	}
	sum.Seconds = time.Since(start).Seconds()
	log.Debug("import done", "connector", o.Connector, "captured", sum.Captured, "skipped", sum.Skipped)
	return sum, err
}

func emit(o ImportOptions, out Outcome) {
	if o.OnAsset != nil {
		o.OnAsset(out)
	}
}

// refusal is the error of a chunk refused by --sensitive=block.
type refusal struct{ error }

func (r refusal) Unwrap() error { return r.error }

// pending is what the runner learns of a chunk on the worker that
// prepares it, for the consumer to report in order (the chunk's Tag).
type pending struct {
	records int
	name    string             // describe's, for the warning
	found   *sensitive.Finding // the first sensitive finding, if any
}

// prepare completes a connector's chunk (its Finish), adds the common
// meta, scans it for sensitive data and fills ac, on the worker that
// stores it. Under --sensitive=block a finding is the error that stops
// the run.
func prepare(o ImportOptions, c Chunk, ac *appender.Chunk, p *pending) error {
	if err := c.Complete(); err != nil {
		return err
	}
	meta := maps.Clone(c.Meta)
	if meta == nil {
		meta = map[string]any{}
	}
	for k, v := range o.Common.Meta {
		meta[k] = v
	}
	meta["source"] = o.Connector
	if c.Key != "" {
		meta["key"] = c.Key
	}
	if o.Common.Sensitive != "off" {
		if found := sensitive.Scan(c.Data); len(found) > 0 {
			if o.Common.Sensitive == "block" {
				return refusal{fmt.Errorf("%s: %s: sensitive data (%s on line %d of the chunk); refused by --sensitive=block", o.Connector, describe(c), found[0].Kind, found[0].Line)}
			}
			p.found, p.name = &found[0], describe(c)
			meta["sensitive"] = found
		}
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("%s: meta: %w", o.Connector, err)
	}
	*ac = appender.Chunk{Data: c.Data, Type: c.Type, Meta: mb}
	return nil
}

// describe names a chunk for messages: its key and rows when known.
func describe(c Chunk) string {
	s := c.Key
	if rows, ok := c.Meta["rows"]; ok {
		s += fmt.Sprintf(" rows %v", rows)
	}
	if s == "" {
		s = "chunk"
	}
	return s
}

// state is the State connectors see under --prevent-dups, and
// resuming sources on every run.
type state struct {
	x       *index.Index
	notes   io.Writer
	skipped atomic.Int64 // assets passed over by the source (Skip)
}

var _ Skipper = (*state)(nil)

func (s *state) Skip(n int) { s.skipped.Add(int64(n)) }

func (s *state) Has(hash string) bool { return s.x.Has(hash) }

func (s *state) Last(key string) ([]byte, bool) { return s.x.Last(key) }

func (s *state) Note(format string, a ...any) {
	fmt.Fprintf(s.notes, "bhctl: "+format+"\n", a...)
}
