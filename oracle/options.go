package oracle

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Mode is what applying a record does to the target.
type Mode int

const (
	// Upsert inserts the record, or updates the row with its key.
	Upsert Mode = iota
	// Insert inserts the record; a row with its key is left as it is.
	Insert
	// Update updates the row with the record's key; no row, no change.
	Update
	// Delete deletes the row with the record's key.
	Delete
)

var modeNames = []string{"upsert", "insert", "update", "delete"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ParseMode reads a mode name: upsert, insert, update or delete (also the
// usual aliases of an operation field: create, c, u, d, remove, merge).
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "upsert", "merge", "replace":
		return Upsert, nil
	case "insert", "create", "c", "i":
		return Insert, nil
	case "update", "u":
		return Update, nil
	case "delete", "remove", "d":
		return Delete, nil
	}
	return 0, fmt.Errorf("mode %q: want upsert, insert, update or delete", s)
}

// Options say what to replay and how. The zero value replays the whole
// chain, upserting nothing (a key is needed for upsert, update and
// delete).
type Options struct {
	// Name names the replay's stored position in the target; default the
	// table name.
	Name string
	// Key names the record key fields.
	Key []string
	// Mode applies to every record, unless OpField names a field holding
	// each record's own operation.
	Mode    Mode
	OpField string
	// Filter is an expr-lang boolean expression over a record's fields
	// (numeric-looking strings compare as numbers) and _asset (the asset's
	// meta, type, block, height and index). Records it rejects are skipped.
	Filter string
	// Fields keeps only these fields; Hide drops these. Key fields must
	// stay.
	Fields, Hide []string
	// Source keeps only assets whose meta source, path (or its base name),
	// table or key is one of these.
	Source []string
	// At stops the replay at the first block later than At (zero: no
	// limit). With TSFields, At bounds the documents' own times instead.
	At time.Time
	// Height, when HeightSet, stops the replay after the block at this
	// height.
	Height    uint64
	HeightSet bool
	// Live follows the chain after its tail until the context ends.
	Live bool
	// BatchRows is how many records a transaction holds at most (default
	// 50000); in Live mode every block also ends a transaction.
	BatchRows int
	// TSFields, when set, order records by the time in the first of these
	// fields present (see Order).
	TSFields []string
	// TZ is the zone of naive times (default UTC).
	TZ *time.Location
	// Limit, when positive, stops the replay once it has applied this many
	// records. A limited replay stores no position (it may stop inside an
	// asset, which a position cannot name): it is a look at the first
	// records, into csv:- or a scratch table, not a step of a replay.
	Limit int
	// Window is the number of assets records may be reordered across
	// (default 20).
	Window int
	// Provenance writes with every row the asset hash, block height and
	// record number its values came from (see ProvenanceStyle; names in
	// docs/oracle.md).
	Provenance bool
	// Exceptions receives one JSON line per record not applied because of
	// its time (missing, conflicting, unreadable, outside the window).
	Exceptions io.Writer
	Logger     *slog.Logger
}

func (o *Options) log() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Check reports options that cannot be used together.
func (o *Options) Check() error {
	if o.OpField == "" && o.Mode != Insert && len(o.Key) == 0 {
		return fmt.Errorf("--mode %s needs --key", o.Mode)
	}
	if o.OpField != "" && len(o.Key) == 0 {
		return fmt.Errorf("--op-field needs --key")
	}
	if len(o.Fields) > 0 && len(o.Hide) > 0 {
		return fmt.Errorf("--fields and --hide: give one or the other")
	}
	for _, k := range o.Key {
		for _, h := range o.Hide {
			if h == k {
				return fmt.Errorf("--hide %s: a key field cannot be hidden", k)
			}
		}
		if len(o.Fields) > 0 && !slices.Contains(o.Fields, k) {
			return fmt.Errorf("--fields: must include the key field %s", k)
		}
	}
	if o.Live && len(o.TSFields) > 0 {
		return fmt.Errorf("--live and --ts-field: time-ordered replays are not live yet (replay into a fresh table instead)")
	}
	if o.Live && (!o.At.IsZero() || o.HeightSet) {
		return fmt.Errorf("--live follows the chain's tail: it takes no --at or --height")
	}
	if o.Limit < 0 {
		return fmt.Errorf("--limit %d: want a positive number of records", o.Limit)
	}
	if o.Window < 0 {
		return fmt.Errorf("--window %d: want a positive number of assets", o.Window)
	}
	return nil
}
