// Package csvtarget is the oracle's CSV file target (csv:out.csv): the
// table is kept in memory, keyed by the record key, and written out as a
// whole (header first) at most every Interval and on Close.
//
// Exactly once: the file and its position are written side by side. The
// data goes to FILE.next; then the sidecar FILE.bh-checkpoint.json, which
// names the position and the SHA-256 of that data, is written to a
// temporary file and renamed into place: that rename is the commit. Then
// FILE.next is renamed to FILE. A restart finishes an interrupted rename
// (FILE.next whose hash the sidecar names) or drops an uncommitted
// FILE.next, so the file always holds exactly what the position covers.
// A file removed or emptied while its sidecar stays is read as an empty
// table (see Empty): the replay starts again from the root.
//
// csv:- writes the table to standard output (TargetOptions.Stdout) once,
// when the replay ends; it keeps no position, so every run replays from
// the root.
package csvtarget

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/blockhub/blockhub/oracle"
)

// Scheme is the URL scheme: csv:out.csv (relative) or csv:///abs/out.csv.
const Scheme = "csv"

// Interval is how often pending changes are written out at most.
var Interval = 200 * time.Millisecond

func init() { oracle.RegisterTarget(Scheme, opener{}) }

type opener struct{}

func (opener) OpenTarget(ctx context.Context, u *url.URL, opts *oracle.TargetOptions) (oracle.Target, error) {
	p := u.Opaque
	if p == "" {
		p = u.Path
	}
	if p == "" {
		return nil, errors.New("want csv:file.csv, or csv:- for standard output")
	}
	var key []string
	var out io.Writer = os.Stdout
	if opts != nil {
		key = opts.Key
		if opts.Stdout != nil {
			out = opts.Stdout
		}
	}
	if p == Stdout {
		return OpenWriter(out, key), nil
	}
	return Open(p, key)
}

// checkpoint is the sidecar's content.
type checkpoint struct {
	Positions map[string]oracle.Position `json:"positions"`
	SHA256    string                     `json:"sha256"`
}

// Stdout is the path that names standard output.
const Stdout = "-"

// Target is a CSV file with a table of records.
type Target struct {
	path string
	key  []string
	// out, when set, receives the table at Close; there is no file and
	// no position then.
	out io.Writer

	mu      sync.Mutex
	header  []string
	col     map[string]int
	rows    [][]string     // nil: deleted
	byKey   map[string]int // key to row index
	pos     map[string]oracle.Position
	dirty   bool
	written time.Time
	err     error // of the last background write
	stop    chan struct{}
	done    chan struct{}
	lock    *os.File // held, flock(2)ed, while open
}

var _ oracle.Target = (*Target)(nil)

// Sidecar is the checkpoint file of the CSV file at path.
func Sidecar(path string) string { return path + ".bh-checkpoint.json" }

// Open reads the file at path (and recovers an interrupted write) or
// starts an empty one. One Target at a time may have a file open, in
// every process: each one rewrites the whole file from its own table, so a
// second one would drop what the first wrote. Open fails with
// ErrBusy while another holds it.
func Open(path string, key []string) (*Target, error) {
	lock, err := lockFile(path)
	if err != nil {
		return nil, err
	}
	t := &Target{path: path, key: key, col: map[string]int{}, byKey: map[string]int{}, pos: map[string]oracle.Position{},
		stop: make(chan struct{}), done: make(chan struct{}), lock: lock}
	if err := t.recover(); err != nil {
		lock.Close()
		return nil, err
	}
	go t.loop()
	return t, nil
}

// OpenWriter starts an empty table that Close writes to w. It stores no
// position: Position always reports a first run.
func OpenWriter(w io.Writer, key []string) *Target {
	return &Target{path: Stdout, key: key, out: w, col: map[string]int{}, byKey: map[string]int{}, pos: map[string]oracle.Position{}}
}

// ErrBusy is Open's error when another target, in this process or another,
// has the file open.
var ErrBusy = errors.New("another oracle is writing it (one replay into a CSV file at a time)")

// lockFile takes the lock of the CSV file at path: an exclusive flock(2) on
// FILE.bh-lock, which the kernel drops when the process ends however it
// ends. The lock file stays (removing it would race with an Open).
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".bh-lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", path, ErrBusy)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

func (t *Target) recover() error {
	var cp checkpoint
	b, err := os.ReadFile(Sidecar(t.path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		os.Remove(t.path + ".next")
		if _, err := os.Stat(t.path); err == nil {
			return fmt.Errorf("%s exists but has no %s: it was not written by an oracle (remove it or pick another file)", t.path, filepath.Base(Sidecar(t.path)))
		}
		return nil
	case err != nil:
		return err
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return fmt.Errorf("%s: %w", Sidecar(t.path), err)
	}
	if next, err := os.ReadFile(t.path + ".next"); err == nil {
		if sum(next) == cp.SHA256 {
			if err := os.Rename(t.path+".next", t.path); err != nil {
				return err
			}
		} else {
			os.Remove(t.path + ".next")
		}
	}
	data, err := os.ReadFile(t.path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(data) == 0) {
		// The file was removed or emptied: the positions stand for rows
		// that are gone. The table starts empty, and a replay finding
		// its position in an empty target starts from the root (Empty).
		t.pos = cp.Positions
		if t.pos == nil {
			t.pos = map[string]oracle.Position{}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w (its checkpoint exists)", t.path, err)
	}
	if sum(data) != cp.SHA256 {
		return fmt.Errorf("%s: content does not match its checkpoint %s (edited by hand?)", t.path, Sidecar(t.path))
	}
	t.pos = cp.Positions
	if t.pos == nil {
		t.pos = map[string]oracle.Position{}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", t.path, err)
	}
	if len(recs) == 0 {
		return nil
	}
	t.header = recs[0]
	for i, h := range t.header {
		t.col[h] = i
	}
	for _, rec := range recs[1:] {
		for len(rec) < len(t.header) {
			rec = append(rec, "")
		}
		t.rows = append(t.rows, rec)
		if k, ok := t.keyOf(rec); ok {
			t.byKey[k] = len(t.rows) - 1
		}
	}
	return nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// keyOf returns a full row's key.
func (t *Target) keyOf(row []string) (string, bool) {
	if len(t.key) == 0 {
		return "", false
	}
	var b strings.Builder
	for _, k := range t.key {
		i, ok := t.col[k]
		if !ok {
			return "", false
		}
		b.WriteString(strconv.Quote(row[i]))
	}
	return b.String(), true
}

// Position returns the position stored under name.
func (t *Target) Position(_ context.Context, name, chainID string) (oracle.Position, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.pos[name]
	if ok && p.Chain != chainID {
		return p, false, fmt.Errorf("replay %q is at a position on chain %s, not %s: pick another --name", name, p.Chain, chainID)
	}
	return p, ok, nil
}

// Apply changes the table in memory; it reaches the file within Interval,
// together with the position.
func (t *Target) Apply(_ context.Context, b *oracle.Batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return t.err
	}
	for _, s := range b.Sets {
		idx := make([]int, len(s.Columns))
		for i, c := range s.Columns {
			j, ok := t.col[c]
			if !ok {
				j = len(t.header)
				t.col[c] = j
				t.header = append(t.header, c)
			}
			idx[i] = j
		}
		for _, r := range s.Rows {
			row := make([]string, len(t.header))
			for i, v := range r {
				row[idx[i]] = text(v)
			}
			t.put(s.Mode, idx, row)
		}
	}
	if b.Name != "" && t.out == nil {
		t.pos[b.Name] = b.Pos
	}
	t.dirty = true
	return nil
}

// put applies one record; set lists the columns the record has.
func (t *Target) put(m oracle.Mode, set []int, row []string) {
	k, keyed := t.keyOf(row)
	i, exists := t.byKey[k]
	if !keyed {
		exists = false
	}
	switch {
	case m == oracle.Delete:
		if exists {
			t.rows[i] = nil
			delete(t.byKey, k)
		}
	case exists && m == oracle.Insert:
	case exists: // upsert, update
		old := t.rows[i]
		for len(old) < len(t.header) {
			old = append(old, "")
		}
		for _, j := range set {
			old[j] = row[j]
		}
		t.rows[i] = old
	case m == oracle.Update:
	default:
		t.rows = append(t.rows, row)
		if keyed {
			t.byKey[k] = len(t.rows) - 1
		}
	}
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

func (t *Target) loop() {
	defer close(t.done)
	tick := time.NewTicker(Interval)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
			t.mu.Lock()
			if t.dirty && t.err == nil {
				t.err = t.write()
			}
			t.mu.Unlock()
		}
	}
}

// encode writes the table, header first, to out.
func (t *Target) encode(out io.Writer) error {
	w := csv.NewWriter(out)
	w.Write(t.header)
	for _, r := range t.rows {
		if r == nil {
			continue
		}
		for len(r) < len(t.header) {
			r = append(r, "")
		}
		w.Write(r)
	}
	w.Flush()
	return w.Error()
}

// write commits the table and positions; t.mu is held.
func (t *Target) write() error {
	var b bytes.Buffer
	if err := t.encode(&b); err != nil {
		return err
	}
	data := b.Bytes()
	if err := writeFile(t.path+".next", data); err != nil {
		return err
	}
	cp, err := json.Marshal(checkpoint{Positions: t.pos, SHA256: sum(data)})
	if err != nil {
		return err
	}
	side := Sidecar(t.path)
	if err := writeFile(side+".tmp", cp); err != nil {
		return err
	}
	if err := os.Rename(side+".tmp", side); err != nil { // the commit
		return err
	}
	if err := os.Rename(t.path+".next", t.path); err != nil {
		return err
	}
	syncDir(filepath.Dir(t.path))
	t.dirty = false
	t.written = time.Now()
	return nil
}

func writeFile(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Close writes what is pending (csv:-: the whole table).
func (t *Target) Close() error {
	if t.out != nil {
		t.mu.Lock()
		defer t.mu.Unlock()
		if len(t.header) == 0 {
			return nil
		}
		return t.encode(t.out)
	}
	close(t.stop)
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.lock.Close() // after the last write
	if t.err != nil {
		return t.err
	}
	if t.dirty {
		return t.write()
	}
	return nil
}
