package oracle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/internal/openurl"
)

// Position is how far a replay got: the last asset applied (its block
// and its index in the block). Assets up to and including it are covered.
type Position struct {
	Chain  string `json:"chain"`
	Block  string `json:"block"`
	Height uint64 `json:"height"`
	Asset  int    `json:"asset_index"`
}

// RowSet is a run of records with the same columns and the same mode, in
// chain order.
type RowSet struct {
	Mode    Mode
	Columns []string
	Rows    [][]any
	// At is where each row came from, for targets that name rows without
	// a key by their place on the chain.
	At []RecordPos
}

// RecordPos is a record's place on the chain: block height, asset index
// in the block, record number in the asset (from 1).
type RecordPos struct {
	Height uint64
	Asset  int
	Record int
}

// String is height/asset/record, a stable name for a keyless record.
func (p RecordPos) String() string { return fmt.Sprintf("%d/%d/%d", p.Height, p.Asset, p.Record) }

// Batch is what a target applies in one transaction: row sets in order,
// then the position they bring the replay named Name to.
type Batch struct {
	Name string
	Sets []RowSet
	Pos  Position
	// From is the position the replay stood at before this batch: the one
	// Target.Position returned, then the previous batch's Pos; zero on a
	// first run. A target that can move its stored position from From to
	// Pos atomically with the rows (a compare-and-set) refuses the batch
	// with ErrMoved when the stored position is no longer From: another
	// replay of the same name applied it first.
	From Position
}

// ErrMoved is returned by a target's Apply when another replay of the same
// name moved the stored position since this replay read it: two replays
// of one name ran at once, and this one stops rather than apply twice.
var ErrMoved = errors.New("another replay of the same name moved the checkpoint: run one replay per name at a time")

// Rows is the number of records in the batch.
func (b *Batch) Rows() int {
	n := 0
	for _, s := range b.Sets {
		n += len(s.Rows)
	}
	return n
}

// Target is where records go. Implementations are registered by URL
// scheme with RegisterTarget.
type Target interface {
	// Position returns the position stored under name, and false when
	// there is none (a first run). It fails when the stored position
	// belongs to another chain.
	Position(ctx context.Context, name, chainID string) (Position, bool, error)
	// Apply applies the batch's row sets in order and stores its position
	// under its name, atomically: after a crash either all of it is there
	// or none of it is.
	Apply(ctx context.Context, b *Batch) error
	// Close flushes what is pending and releases the target.
	Close() error
}

// Emptier is a Target that can tell whether it holds no records at all:
// its table or file is missing, or empty. A replay whose position is
// stored in such a target starts again from the root instead of going on
// from that position, since the rows the position stands for are gone
// (the table was dropped or emptied). Replaying is idempotent, so a
// target emptied by the replay itself (every record deleted) ends the
// same after the replay from the root.
type Emptier interface {
	Empty(ctx context.Context) (bool, error)
}

// DDLPrinter is a Target that can say how it would create its table for
// records with the given columns (for --print-ddl).
type DDLPrinter interface {
	DDL(cols []Column) string
}

// TargetOptions configure a target.
type TargetOptions struct {
	// Table is the table (MySQL), collection (MongoDB) or ignored (CSV).
	Table string
	// Key names the record key columns.
	Key []string
	// Create makes the table (and missing columns) from the records.
	Create bool
	// Stdout is where a target named "-" writes (csv:-); default
	// os.Stdout.
	Stdout io.Writer
	Logger *slog.Logger
}

// Log returns the logger, never nil.
func (o *TargetOptions) Log() *slog.Logger {
	if o == nil || o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// TargetOpener opens targets of one URL scheme.
type TargetOpener interface {
	OpenTarget(ctx context.Context, u *url.URL, opts *TargetOptions) (Target, error)
}

var targets = openurl.New[TargetOpener]("oracle: target scheme")

// RegisterTarget makes a target driver available under scheme. It panics
// when the scheme is registered twice.
func RegisterTarget(scheme string, o TargetOpener) { targets.Register(scheme, o) }

// TargetSchemes lists the registered target schemes, sorted.
func TargetSchemes() []string { return targets.Schemes() }

// OpenTarget opens the target named by rawURL: mysql://..., mongodb://...
// or csv:path (csv:///abs/path works too).
func OpenTarget(ctx context.Context, rawURL string, opts *TargetOptions) (Target, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("oracle: target %s: want mysql://user:pass@host:3306/db, mongodb://host/db or csv:file.csv", store.Redact(rawURL))
	}
	o, ok := targets.Lookup(u.Scheme)
	if !ok {
		return nil, fmt.Errorf("oracle: target %s: unknown scheme %q (there are: %s)", store.Redact(rawURL), u.Scheme, strings.Join(TargetSchemes(), ", "))
	}
	t, err := o.OpenTarget(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("oracle: target %s: %w", store.Redact(rawURL), err)
	}
	return t, nil
}
