// Package contract turns matched assets into named events. A Contract
// has filters (predicates over one record and the meta of its asset),
// events (a name, the filters that must all match, correlated by a key
// computed from each matched record, within a window of assets or of
// time) and handlers the events are handed to: a command reading the
// event as JSON on stdin, a URL the event is POSTed to, or a chain it is
// appended to (Load reads them from a YAML file), or any Go function
// (set Filters and Handlers yourself).
//
// Events come out in a deterministic order, (max height, max asset index,
// event name, key), each with a stable id (a hash of its name, key and the
// matched assets), and are handed out once per id across restarts: a run
// keeps its position in a checkpoint file, written after each handler
// succeeds; a failing handler is retried with exponential backoff, and
// after MaxTries the run stops with an error naming the event. The
// checkpoint also keeps where matching got to, with the matches still
// waiting for the rest of their event, so that a restart goes on from
// there instead of reading the chain again from its root.
//
// It imports oracle (for the chain source and record decoding) and
// internal/records; never connectors or cmd.
package contract

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/sys/unix"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/walk"
	"github.com/blockhub/blockhub/internal/records"
	"github.com/blockhub/blockhub/oracle"
)

// Record is one record of an asset, as filters and keys see it.
type Record struct {
	// Fields are the record's fields, numbers where they read as numbers.
	Fields map[string]any
	// Meta is the asset's meta.
	Meta  map[string]any
	Asset AssetRef
}

// AssetRef is a matched asset's place on the chain.
type AssetRef struct {
	Block  string    `json:"block"`
	Height uint64    `json:"height"`
	Index  int       `json:"index"`
	Hash   string    `json:"hash"`
	Type   string    `json:"type"`
	Time   time.Time `json:"time"`
}

// Filter reports whether a record matches.
type Filter func(Record) (bool, error)

// KeyFunc computes the key that correlates an event's matches.
type KeyFunc func(Record) (string, error)

// Handler receives an event; an error makes the runner retry it.
type Handler func(ctx context.Context, ev Event) error

// EventSpec defines an event: when records matching every one of Filters
// share a key within the window, the event fires.
type EventSpec struct {
	Name    string
	Filters []string
	Key     KeyFunc
	// WindowAssets drops matches more than this many assets old (0: no
	// limit); WindowTime those whose block is older than this (0: no
	// limit).
	WindowAssets int
	WindowTime   time.Duration
	// Handlers name the handlers the event goes to, in order.
	Handlers []string
}

// Match is one matched record in an event.
type Match struct {
	Filter string         `json:"filter"`
	Asset  AssetRef       `json:"asset"`
	Record int            `json:"record"`
	Fields map[string]any `json:"fields"`
}

// Event is what handlers receive (as JSON for commands and URLs).
type Event struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Key     string         `json:"key"`
	Height  uint64         `json:"height"`
	Index   int            `json:"index"`
	Matches []Match        `json:"matches"`
	Assets  []AssetRef     `json:"assets"`
	Meta    map[string]any `json:"meta,omitempty"`
}

// Contract is a set of filters, events and handlers.
type Contract struct {
	Name     string
	Filters  map[string]Filter
	Events   []EventSpec
	Handlers map[string]Handler
	// Version names the contract's logic (Load sets it to a hash of the
	// file). A checkpoint's waiting matches are reused only by a contract
	// of the same Version and events; after a change a run reads the
	// chain from its root again (still handing out no event twice).
	Version string
}

// Check reports events naming unknown filters or handlers.
func (c *Contract) Check() error {
	if c.Name == "" {
		return errors.New("contract: no name")
	}
	if len(c.Events) == 0 {
		return fmt.Errorf("contract %s: no events", c.Name)
	}
	names := map[string]bool{}
	for _, e := range c.Events {
		if names[e.Name] {
			return fmt.Errorf("contract %s: two events called %s", c.Name, e.Name)
		}
		names[e.Name] = true
		if e.Name == "" || len(e.Filters) == 0 || e.Key == nil {
			return fmt.Errorf("contract %s: event %q needs a name, filters and a key", c.Name, e.Name)
		}
		for _, f := range e.Filters {
			if c.Filters[f] == nil {
				return fmt.Errorf("contract %s: event %s: no filter %q", c.Name, e.Name, f)
			}
		}
		for _, h := range e.Handlers {
			if c.Handlers[h] == nil {
				return fmt.Errorf("contract %s: event %s: no handler %q", c.Name, e.Name, h)
			}
		}
	}
	return nil
}

// RunOptions tune a run.
type RunOptions struct {
	// Live follows the chain after its tail until ctx ends.
	Live bool
	// Checkpoint is the file keeping the run's position; empty keeps none
	// (every run hands out every event).
	Checkpoint string
	// MaxTries is how many times a handler is tried (default 5);
	// InitialBackoff the first wait (default 100ms).
	MaxTries       uint
	InitialBackoff time.Duration
	// OnEvent, if set, is called after an event has been handed out.
	OnEvent func(Event)
	Logger  *slog.Logger
}

// Summary counts what a run did.
type Summary struct {
	Events  int // handed out in this run
	Skipped int // already handed out by an earlier run
}

// checkpoint is the position after the last event handed out: every event
// ordered before it has been handled.
type checkpoint struct {
	Chain  string `json:"chain"`
	Height uint64 `json:"height"`
	Index  int    `json:"index"`
	// Done are the events handled at that asset.
	Done []string `json:"done"`
	// Scan is where matching got to, at most about a second before the
	// run stopped; nil: read the chain from its root.
	Scan *scan `json:"scan,omitempty"`
}

// scan is the matching state after one asset: every record up to it was
// matched and every event it completed handed out. It can lag behind the
// events handed out (their own position above says what not to hand out
// again), never run ahead of them.
type scan struct {
	Contract string    `json:"contract"` // the contract's fingerprint
	Block    string    `json:"block"`
	Height   uint64    `json:"height"`
	Index    int       `json:"index"`
	Seq      int       `json:"seq"`
	Waiting  []waiting `json:"waiting,omitempty"`
}

// waiting is one match waiting for the rest of its event. Its record's
// fields are not saved: a restart reads them again from the asset, so an
// event's fields are the same whether or not the run was restarted.
type waiting struct {
	Event  string    `json:"event"`
	Key    string    `json:"key"`
	Filter string    `json:"filter"`
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Asset  AssetRef  `json:"asset"`
	Record int       `json:"record"`
}

// scanEvery is how often, at most, a run saves its matching state while
// no event is handed out: a kill loses at most this much matching work.
const scanEvery = time.Second

type pending struct {
	seq   int
	at    time.Time
	match Match
}

// Run walks the chain of src and hands every event out once.
func (c *Contract) Run(ctx context.Context, src oracle.Source, opts *RunOptions) (Summary, error) {
	if opts == nil {
		opts = &RunOptions{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var sum Summary
	if err := c.Check(); err != nil {
		return sum, err
	}
	var cp checkpoint
	if opts.Checkpoint != "" {
		unlock, err := lockCheckpoint(opts.Checkpoint)
		if err != nil {
			return sum, fmt.Errorf("contract %s: %w", c.Name, err)
		}
		defer unlock()
		b, err := os.ReadFile(opts.Checkpoint)
		switch {
		case err == nil:
			if err := json.Unmarshal(b, &cp); err != nil {
				return sum, fmt.Errorf("contract %s: checkpoint %s: %w", c.Name, opts.Checkpoint, err)
			}
			if cp.Chain != src.Root.ID {
				return sum, fmt.Errorf("contract %s: checkpoint %s is of chain %s, not %s", c.Name, opts.Checkpoint, cp.Chain, src.Root.ID)
			}
		case !errors.Is(err, os.ErrNotExist):
			return sum, err
		}
	}
	byFilter := map[string][]int{} // filter name to the events using it
	for i, e := range c.Events {
		for _, f := range e.Filters {
			if !slices.Contains(byFilter[f], i) {
				byFilter[f] = append(byFilter[f], i)
			}
		}
	}
	filterNames := make([]string, 0, len(byFilter))
	for f := range byFilter {
		filterNames = append(filterNames, f)
	}
	sort.Strings(filterNames)
	// state[event][key][filter] holds the matches waiting for the rest.
	state := make([]map[string]map[string][]pending, len(c.Events))
	for i := range state {
		state[i] = map[string]map[string][]pending{}
	}
	seq := 0
	walkOpts := &walk.Options{Live: opts.Live}
	resumeAfter := -1 // in the first block walked, the assets up to this one were matched
	if sc := cp.Scan; sc != nil && sc.Contract == c.fingerprint() {
		if err := c.restore(ctx, src, sc, state); err != nil {
			return sum, err
		}
		seq, walkOpts.From, resumeAfter = sc.Seq, sc.Block, sc.Index
		log.Debug("resuming", "contract", c.Name, "height", sc.Height, "index", sc.Index, "waiting", len(sc.Waiting))
	} else if sc != nil {
		log.Info("the contract changed since its checkpoint: matching the chain again from its root", "contract", c.Name)
	}
	lastSave := time.Now()
	saveScan := func(b chain.Block, ai int) error {
		cp.Chain = src.Root.ID
		cp.Scan = c.snapshot(b, ai, seq, state)
		lastSave = time.Now()
		return saveCheckpoint(opts.Checkpoint, cp)
	}
	var (
		at      chain.Block // the block of the last asset matched
		atIndex = -1
	)
	w := walk.New(src.Blocks, src.Root.ID)
	for b, err := range w.All(ctx, walkOpts) {
		if err != nil {
			return sum, fmt.Errorf("contract %s: walk: %w", c.Name, err)
		}
		if b.IsRoot() {
			continue
		}
		bt, _ := b.At()
		for ai, rc := range b.Assets {
			if ai <= resumeAfter || records.FormatOf(rc.Type) == "" {
				continue
			}
			seq++
			var meta map[string]any
			json.Unmarshal(rc.Meta, &meta)
			tab, err := readRecords(ctx, src, rc.Hash, rc.Type)
			if err != nil {
				return sum, fmt.Errorf("contract %s: block %s asset %d: %w", c.Name, b.ID, ai, err)
			}
			ref := AssetRef{Block: b.ID, Height: b.Height, Index: ai, Hash: rc.Hash, Type: rc.Type, Time: bt}
			var fired []Event
			for ri := range tab.Rows {
				rec := Record{Fields: fields(tab, ri), Meta: meta, Asset: ref}
				for _, fn := range filterNames {
					ok, err := c.Filters[fn](rec)
					if err != nil {
						return sum, fmt.Errorf("contract %s: filter %s: block %s asset %d record %d: %w", c.Name, fn, b.ID, ai, ri+1, err)
					}
					if !ok {
						continue
					}
					for _, ei := range byFilter[fn] {
						e := &c.Events[ei]
						key, err := e.Key(rec)
						if err != nil {
							return sum, fmt.Errorf("contract %s: event %s key: block %s asset %d record %d: %w", c.Name, e.Name, b.ID, ai, ri+1, err)
						}
						if key == "" {
							continue
						}
						m := state[ei][key]
						if m == nil {
							m = map[string][]pending{}
							state[ei][key] = m
						}
						m[fn] = append(m[fn], pending{seq: seq, at: bt, match: Match{Filter: fn, Asset: ref, Record: ri + 1, Fields: rec.Fields}})
						if ev, ok := complete(e, key, m, seq, bt); ok {
							delete(state[ei], key) // the matched assets are used up
							fired = append(fired, ev)
						}
					}
				}
			}
			slices.SortFunc(fired, func(a, b Event) int {
				return strings.Compare(a.Name+"\x00"+a.Key, b.Name+"\x00"+b.Key)
			})
			for _, ev := range fired {
				ev.Height, ev.Index = b.Height, ai
				if b.Height < cp.Height || (b.Height == cp.Height && ai < cp.Index) ||
					(b.Height == cp.Height && ai == cp.Index && slices.Contains(cp.Done, ev.ID)) {
					sum.Skipped++
					continue
				}
				if err := c.deliver(ctx, ev, opts, log); err != nil {
					return sum, err
				}
				sum.Events++
				if opts.OnEvent != nil {
					opts.OnEvent(ev)
				}
				if b.Height != cp.Height || ai != cp.Index {
					cp.Height, cp.Index, cp.Done = b.Height, ai, nil
				}
				cp.Chain = src.Root.ID
				cp.Done = append(cp.Done, ev.ID)
				// The scan saved with it is an older one: still true.
				if err := saveCheckpoint(opts.Checkpoint, cp); err != nil {
					return sum, err
				}
			}
			prune(c.Events, state, seq, bt)
			at, atIndex = b, ai
			if opts.Checkpoint != "" && time.Since(lastSave) >= scanEvery {
				if err := saveScan(at, atIndex); err != nil {
					return sum, err
				}
			}
		}
		resumeAfter = -1
	}
	if opts.Checkpoint != "" && atIndex >= 0 {
		if err := saveScan(at, atIndex); err != nil {
			return sum, err
		}
	}
	if err := ctx.Err(); err != nil && !opts.Live {
		return sum, err
	}
	return sum, nil
}

// readRecords reads an asset and decodes its records.
func readRecords(ctx context.Context, src oracle.Source, hash, contentType string) (records.Table, error) {
	data, err := src.Assets.ReadAll(ctx, hash)
	if err != nil {
		return records.Table{}, err
	}
	return records.Decode(contentType, data)
}

// fields returns row ri of tab as a record's fields, numbers where they
// read as numbers.
func fields(tab records.Table, ri int) map[string]any {
	f := make(map[string]any, len(tab.Header))
	for i, h := range tab.Header {
		f[h] = oracle.Value(tab.Rows[ri][i])
	}
	return f
}

// fingerprint names the contract's logic as far as the waiting matches
// depend on it: its Version, and its events' names, filters and windows.
func (c *Contract) fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q", c.Version)
	for _, e := range c.Events {
		fmt.Fprintf(h, "\x00%q %q %d %d", e.Name, e.Filters, e.WindowAssets, e.WindowTime)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// snapshot returns the matching state after block b's asset ai, the
// waiting matches in a stable order.
func (c *Contract) snapshot(b chain.Block, ai, seq int, state []map[string]map[string][]pending) *scan {
	sc := &scan{Contract: c.fingerprint(), Block: b.ID, Height: b.Height, Index: ai, Seq: seq}
	for ei, keys := range state {
		for key, m := range keys {
			for f, ps := range m {
				for _, p := range ps {
					sc.Waiting = append(sc.Waiting, waiting{Event: c.Events[ei].Name, Key: key, Filter: f,
						Seq: p.seq, At: p.at, Asset: p.match.Asset, Record: p.match.Record})
				}
			}
		}
	}
	slices.SortFunc(sc.Waiting, func(a, b waiting) int {
		return cmp.Or(strings.Compare(a.Event, b.Event), strings.Compare(a.Key, b.Key),
			strings.Compare(a.Filter, b.Filter), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Record, b.Record))
	})
	return sc
}

// restore puts a saved scan's waiting matches back into state, reading
// their records again from their assets.
func (c *Contract) restore(ctx context.Context, src oracle.Source, sc *scan, state []map[string]map[string][]pending) error {
	events := map[string]int{}
	for i, e := range c.Events {
		events[e.Name] = i
	}
	tabs := map[string]records.Table{} // by asset hash
	for _, wt := range sc.Waiting {
		ei, ok := events[wt.Event]
		if !ok {
			return fmt.Errorf("contract %s: checkpoint names event %s, which the contract has not", c.Name, wt.Event)
		}
		tab, ok := tabs[wt.Asset.Hash]
		if !ok {
			var err error
			if tab, err = readRecords(ctx, src, wt.Asset.Hash, wt.Asset.Type); err != nil {
				return fmt.Errorf("contract %s: resuming: block %s asset %d: %w", c.Name, wt.Asset.Block, wt.Asset.Index, err)
			}
			tabs[wt.Asset.Hash] = tab
		}
		if wt.Record < 1 || wt.Record > len(tab.Rows) {
			return fmt.Errorf("contract %s: checkpoint names record %d of block %s asset %d, which has %d", c.Name, wt.Record, wt.Asset.Block, wt.Asset.Index, len(tab.Rows))
		}
		m := state[ei][wt.Key]
		if m == nil {
			m = map[string][]pending{}
			state[ei][wt.Key] = m
		}
		m[wt.Filter] = append(m[wt.Filter], pending{seq: wt.Seq, at: wt.At,
			match: Match{Filter: wt.Filter, Asset: wt.Asset, Record: wt.Record, Fields: fields(tab, wt.Record-1)}})
	}
	return nil
}

// complete returns the event when every filter of e has a match for key
// within the window, with the earliest match of each.
func complete(e *EventSpec, key string, m map[string][]pending, seq int, now time.Time) (Event, bool) {
	ev := Event{Name: e.Name, Key: key}
	h := sha256.New()
	h.Write([]byte(e.Name + "\x00" + key))
	seen := map[string]bool{}
	for _, f := range e.Filters {
		var found *pending
		for i := range m[f] {
			p := &m[f][i]
			if inWindow(e, p, seq, now) {
				found = p
				break
			}
		}
		if found == nil {
			return Event{}, false
		}
		ev.Matches = append(ev.Matches, found.match)
		a := found.match.Asset
		fmt.Fprintf(h, "\x00%s:%d:%d:%s:%d", f, a.Height, a.Index, a.Hash, found.match.Record)
		id := fmt.Sprintf("%d/%d", a.Height, a.Index)
		if !seen[id] {
			seen[id] = true
			ev.Assets = append(ev.Assets, a)
		}
	}
	ev.ID = hex.EncodeToString(h.Sum(nil))[:32]
	return ev, true
}

func inWindow(e *EventSpec, p *pending, seq int, now time.Time) bool {
	if e.WindowAssets > 0 && seq-p.seq >= e.WindowAssets {
		return false
	}
	if e.WindowTime > 0 && now.Sub(p.at) > e.WindowTime {
		return false
	}
	return true
}

// prune drops matches that have left their event's window.
func prune(events []EventSpec, state []map[string]map[string][]pending, seq int, now time.Time) {
	for ei := range events {
		e := &events[ei]
		if e.WindowAssets == 0 && e.WindowTime == 0 {
			continue
		}
		for key, m := range state[ei] {
			n := 0
			for f, ps := range m {
				ps = slices.DeleteFunc(ps, func(p pending) bool { return !inWindow(e, &p, seq+1, now) })
				if len(ps) == 0 {
					delete(m, f)
				} else {
					m[f] = ps
					n += len(ps)
				}
			}
			if n == 0 {
				delete(state[ei], key)
			}
		}
	}
}

// deliver hands ev to its handlers, retrying each with backoff.
func (c *Contract) deliver(ctx context.Context, ev Event, opts *RunOptions, log *slog.Logger) error {
	spec := c.spec(ev.Name)
	tries := opts.MaxTries
	if tries == 0 {
		tries = 5
	}
	first := opts.InitialBackoff
	if first == 0 {
		first = 100 * time.Millisecond
	}
	for _, hn := range spec.Handlers {
		h := c.Handlers[hn]
		bo := backoff.NewExponentialBackOff()
		bo.InitialInterval = first
		n := 0
		var last error
		_, err := backoff.Retry(ctx, func() (struct{}, error) {
			n++
			last = h(ctx, ev)
			return struct{}{}, last
		}, backoff.WithBackOff(bo), backoff.WithMaxTries(tries), backoff.WithMaxElapsedTime(0),
			backoff.WithNotify(func(err error, d time.Duration) {
				log.Warn("handler failed; retrying", "event", ev.Name, "id", ev.ID, "handler", hn, "in", d, "err", err)
			}))
		if err != nil {
			// Retry gives the context's error when the run ends between
			// tries: keep the handler's own failure too.
			if last != nil && err != last {
				err = fmt.Errorf("%w (last try: %v)", err, last)
			}
			times := fmt.Sprintf("%d times", n)
			if n == 1 {
				times = "once"
			}
			return fmt.Errorf("contract %s: event %s %s (key %s, height %d asset %d): handler %s failed %s: %w", c.Name, ev.Name, ev.ID, ev.Key, ev.Height, ev.Index, hn, times, err)
		}
	}
	return nil
}

func (c *Contract) spec(name string) *EventSpec {
	for i := range c.Events {
		if c.Events[i].Name == name {
			return &c.Events[i]
		}
	}
	return nil
}

// ErrCheckpointBusy is Run's error when another run, in this process or
// another, holds the same checkpoint: two runs would both hand out the
// events after it.
var ErrCheckpointBusy = errors.New("another run uses this checkpoint (one run per checkpoint at a time)")

// lockCheckpoint takes the lock of the checkpoint at path for one run: an
// exclusive flock(2) on path.lock, which the kernel drops when the process
// ends however it ends. The lock file stays (removing it would race with a
// run opening it).
func lockCheckpoint(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock checkpoint %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("checkpoint %s: %w", path, ErrCheckpointBusy)
		}
		return nil, fmt.Errorf("lock checkpoint %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// saveCheckpoint replaces the checkpoint at path: written to a temporary
// file of its own in the same folder, synced, and renamed into place.
func saveCheckpoint(path string, cp checkpoint) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())              // after the rename, nothing to remove
	if err := f.Chmod(0o644); err != nil { // as os.Create would
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
