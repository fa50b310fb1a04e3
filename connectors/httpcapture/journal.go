package httpcapture

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/blockhub/blockhub/appender"
	"github.com/blockhub/blockhub/builder"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/walk"
)

// Journal is the server's log of acknowledged requests: an append-only
// file in the home that holds the two receipts (body and request
// document) of every request answered 201, and the bytes of both assets
// when the body was small enough to be held in memory. Appends come in
// groups (see groupCommit): the group's records are written and fsynced
// (after a sync of the asset store when a record's bytes are only
// there), and only then are the requests answered. So a 201 means the
// assets and their receipts are durable, even when the server is killed
// (or the power fails) before it links them; Recover, on the next start,
// stores again what the asset store lost and links what is not on the
// chain yet. The asset files are synced, as always, before a block names
// them.
//
// A journal is a series of segment files, each held with a flock by the
// server appending to it (so a second server on the same home leaves it
// alone) and each starting with a header that names the chain and the
// height of its tail when the segment began: no record of the segment can
// be linked below that height, so recovery walks only the blocks above
// it. A segment is removed once every record in it is linked; the current
// one is replaced by a new one once it passes JournalOptions.RotateAt.
type Journal struct {
	o   JournalOptions
	log *slog.Logger

	mu     sync.Mutex
	broken error // a write that failed part way: nothing more is appended
	cur    *segment
	segs   map[*segment]struct{} // every segment of this journal not removed yet
	wg     sync.WaitGroup        // watchers of records not linked yet
}

// JournalOptions say where a journal lives and what it syncs.
type JournalOptions struct {
	// Dir is the journal's folder (made when missing): the CLI uses
	// <home>/journal.
	Dir string
	// Chain is the chain's id.
	Chain string
	// Blocks is the chain's block store: the tail's height for segment
	// headers, and what recovery walks.
	Blocks *store.Blocks
	// Sync makes every asset stored so far durable (store.Assets.Sync); it
	// runs before a group holding a record without its bytes is written.
	Sync func(context.Context) error
	// RotateAt is the size past which a new segment is begun; default
	// 8 MiB.
	RotateAt int64
	Logger   *slog.Logger
}

// segment is one journal file.
type segment struct {
	path    string
	f       *os.File
	size    int64
	open    int  // records not linked yet
	retired bool // no longer appended to
}

// journalHeader is the first line of a segment.
type journalHeader struct {
	Journal string `json:"journal"` // "serve http"
	Chain   string `json:"chain"`
	From    uint64 `json:"from"` // the tail's height when the segment began
}

// journalRecord is one acknowledged request: its two receipts and, for a
// body held in memory (up to 1 MiB), the bytes of both assets, so that
// the journal's one fsync makes them durable (a log, as databases keep
// one). A larger body was spooled into the asset store, which the group's
// flush syncs instead.
type journalRecord struct {
	Body     chain.Receipt `json:"body"`
	Info     chain.Receipt `json:"info"`
	BodyData []byte        `json:"body_data,omitempty"`
	InfoData []byte        `json:"info_data,omitempty"`
}

// journalEntry is a record on its way through the group commit; the flush
// tells it the segment it went to.
type journalEntry struct {
	line []byte
	// syncAssets: the record does not hold its bytes, so the asset store
	// must be synced before the record is durable.
	syncAssets bool
	seg        *segment
}

const segmentExt = ".journal"

// OpenJournal begins a new segment in o.Dir. Call Recover next to link
// what older segments hold.
func OpenJournal(ctx context.Context, o JournalOptions) (*Journal, error) {
	if o.Dir == "" || o.Chain == "" || o.Blocks == nil || o.Sync == nil {
		return nil, errors.New("httpcapture: journal: Dir, Chain, Blocks and Sync are required")
	}
	if o.RotateAt <= 0 {
		o.RotateAt = 8 << 20
	}
	j := &Journal{o: o, log: o.Logger, segs: map[*segment]struct{}{}}
	if j.log == nil {
		j.log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("httpcapture: journal: %w", err)
	}
	seg, err := j.newSegment(ctx)
	if err != nil {
		return nil, err
	}
	j.cur = seg
	return j, nil
}

// prefix begins the names of this chain's segments.
func (j *Journal) prefix() string { return "http-" + j.o.Chain + "-" }

// newSegment creates, locks and syncs a segment that starts at the chain's
// current tail.
func (j *Journal) newSegment(ctx context.Context) (*segment, error) {
	tail, err := j.o.Blocks.Tail(ctx, j.o.Chain)
	if err != nil {
		return nil, fmt.Errorf("httpcapture: journal: %w", err)
	}
	name := j.prefix() + strconv.FormatInt(time.Now().UnixNano(), 10) + "-" + strconv.Itoa(os.Getpid()) + segmentExt
	path := filepath.Join(j.o.Dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("httpcapture: journal: %w", err)
	}
	fail := func(err error) (*segment, error) {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("httpcapture: journal %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return fail(err)
	}
	head, _ := json.Marshal(journalHeader{Journal: "serve http", Chain: j.o.Chain, From: tail.Height})
	head = append(head, '\n')
	if _, err := f.Write(head); err != nil {
		return fail(err)
	}
	// The segment is written full of zeros first, as databases prepare
	// their logs: a group's append then overwrites allocated blocks, and
	// its fdatasync has no file size or extent to commit, only the data.
	if err := preallocate(f, int64(len(head)), j.o.RotateAt); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := syncDir(j.o.Dir); err != nil {
		return fail(err)
	}
	seg := &segment{path: path, f: f, size: int64(len(head))}
	j.mu.Lock()
	j.segs[seg] = struct{}{}
	j.mu.Unlock()
	return seg, nil
}

// zeros is what segments are prepared with.
var zeros = make([]byte, 256<<10)

// preallocate writes zeros into f from off to size.
func preallocate(f *os.File, off, size int64) error {
	for off < size {
		n, err := f.WriteAt(zeros[:min(int64(len(zeros)), size-off)], off)
		if err != nil {
			return err
		}
		off += int64(n)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// flush is the group commit's flush: sync the assets, then write and
// fsync the group's records (one write, one fsync).
func (j *Journal) flush(entries []*journalEntry) error {
	ctx := context.Background()
	start := time.Now()
	if j.broken != nil {
		return j.broken
	}
	for _, e := range entries {
		if e.syncAssets {
			if err := j.o.Sync(ctx); err != nil {
				return fmt.Errorf("sync assets: %w", err)
			}
			break
		}
	}
	seg := j.cur
	if seg.size >= j.o.RotateAt {
		next, err := j.newSegment(ctx)
		if err != nil {
			return err
		}
		j.mu.Lock()
		j.cur = next
		j.mu.Unlock()
		j.retire(seg)
		seg = next
	}
	var buf bytes.Buffer
	for _, e := range entries {
		buf.Write(e.line)
	}
	_, err := seg.f.WriteAt(buf.Bytes(), seg.size)
	if err == nil {
		// Past the prepared zeros the file grows, and a full fsync is
		// needed to make its new size durable.
		if seg.size+int64(buf.Len()) <= j.o.RotateAt {
			err = unix.Fdatasync(int(seg.f.Fd()))
		} else {
			err = seg.f.Sync()
		}
	}
	if err != nil {
		// A torn group may be on disk: append nothing after it (the
		// requests of this group and later ones fail; a restart
		// recovers what was acknowledged).
		err = fmt.Errorf("journal %s: %w", seg.path, err)
		j.broken = err
		return err
	}
	seg.size += int64(buf.Len())
	j.log.Debug("journal: group committed", "records", len(entries), "bytes", buf.Len(), "took", time.Since(start))
	j.mu.Lock()
	seg.open += len(entries)
	j.mu.Unlock()
	for _, e := range entries {
		e.seg = seg
	}
	return nil
}

// retire stops appending to seg and removes it once all its records are
// linked.
func (j *Journal) retire(seg *segment) {
	j.mu.Lock()
	seg.retired = true
	drop := seg.open == 0
	j.mu.Unlock()
	if drop {
		j.remove(seg)
	}
}

// remove deletes a segment whose records are all linked.
func (j *Journal) remove(seg *segment) {
	j.mu.Lock()
	delete(j.segs, seg)
	j.mu.Unlock()
	if err := os.Remove(seg.path); err != nil {
		j.log.Warn("journal: removing a linked segment", "path", seg.path, "err", err)
	}
	seg.f.Close()
}

// watch waits until both receipts of a journaled request are linked; then
// its record is done. It returns a channel that receives the body's
// Linked (or the first error) for ?wait=block.
func (j *Journal) watch(seg *segment, body, info <-chan builder.Linked) <-chan builder.Linked {
	out := make(chan builder.Linked, 1)
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		b := <-body
		i := <-info
		if b.Err == nil && i.Err != nil {
			b = i
		}
		out <- b
		if b.Err != nil {
			return // the record stays: the next start links it
		}
		j.mu.Lock()
		seg.open--
		drop := seg.open == 0 && seg.retired
		j.mu.Unlock()
		if drop {
			j.remove(seg)
		}
	}()
	return out
}

// Close waits for the records whose receipts are queued (close the
// builder first, which links them or fails them) and removes every
// segment whose records are all linked; one with records left stays for
// the next start to recover.
func (j *Journal) Close() error {
	j.wg.Wait()
	j.mu.Lock()
	var left []*segment
	for seg := range j.segs {
		seg.retired = true
		if seg.open == 0 {
			left = append(left, seg)
		}
	}
	kept := len(j.segs) - len(left)
	j.mu.Unlock()
	for _, seg := range left {
		j.remove(seg)
	}
	if kept > 0 {
		return fmt.Errorf("httpcapture: journal: %d segment(s) hold receipts not linked yet; the next start links them", kept)
	}
	return nil
}

// Recovered counts what Recover did.
type Recovered struct {
	// Segments is the number of segments left by servers that stopped
	// without linking everything they acknowledged.
	Segments int
	// Records is the number of requests in them; Linked the receipts that
	// were not on the chain and are now; Missing the receipts whose asset
	// the asset store no longer holds (they cannot be linked).
	Records, Linked, Missing int
}

// Recover links the receipts of the segments that servers of this chain
// left behind (killed before linking what they acknowledged), each
// exactly once: a receipt already on the chain above the segment's start
// is not linked again. It skips segments that a live server holds, waits
// until what it queued is linked, and removes the segments it recovered.
// A run killed during recovery leaves the segments for the next one.
func (j *Journal) Recover(ctx context.Context, app *appender.Appender, assets *store.Assets) (Recovered, error) {
	var rec Recovered
	entries, err := os.ReadDir(j.o.Dir)
	if err != nil {
		return rec, fmt.Errorf("httpcapture: journal: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, j.prefix()) || !strings.HasSuffix(name, segmentExt) {
			continue
		}
		path := filepath.Join(j.o.Dir, name)
		j.mu.Lock()
		mine := j.cur != nil && j.cur.path == path
		j.mu.Unlock()
		if mine {
			continue
		}
		n, err := j.recoverSegment(ctx, path, app, assets)
		if errors.Is(err, errHeld) || errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return rec, err
		}
		rec.Segments++
		rec.Records += n.Records
		rec.Linked += n.Linked
		rec.Missing += n.Missing
	}
	return rec, nil
}

var errHeld = errors.New("segment held by a live server")

func (j *Journal) recoverSegment(ctx context.Context, path string, app *appender.Appender, assets *store.Assets) (Recovered, error) {
	var rec Recovered
	f, err := os.Open(path)
	if err != nil {
		return rec, err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return rec, errHeld
		}
		return rec, fmt.Errorf("httpcapture: journal %s: %w", path, err)
	}
	head, records, err := readSegment(f)
	if err != nil {
		return rec, fmt.Errorf("httpcapture: journal %s: %w", path, err)
	}
	rec.Records = len(records)
	if len(records) > 0 {
		if head.Chain != j.o.Chain {
			return rec, fmt.Errorf("httpcapture: journal %s: for chain %s, not %s", path, head.Chain, j.o.Chain)
		}
		on, err := j.onChain(ctx, head.From)
		if err != nil {
			return rec, err
		}
		var waits []<-chan builder.Linked
		for _, r := range records {
			for _, a := range []struct {
				rc   chain.Receipt
				data []byte
			}{{r.Body, r.BodyData}, {r.Info, r.InfoData}} {
				rc := a.rc
				key := receiptKey(rc)
				if on[key] {
					continue
				}
				on[key] = true // a record journaled twice is linked once
				if a.data != nil || rc.Length == 0 {
					// Stored again from the journal: a file the power
					// loss took or tore is replaced (Put checks the hash).
					if _, err := assets.PutSummed(ctx, rc.Hash, a.data); err != nil && !errors.Is(err, chain.ErrExists) {
						return rec, fmt.Errorf("httpcapture: journal %s: %w", path, err)
					}
				} else if ok, err := assets.Has(ctx, rc.Hash); err != nil {
					return rec, err
				} else if !ok {
					rec.Missing++
					j.log.Warn("journal: acknowledged asset missing from the asset store; cannot link it", "hash", rc.Hash, "journal", path)
					continue
				}
				ch, err := app.Queue(rc)
				if err != nil {
					return rec, err
				}
				waits = append(waits, ch)
			}
		}
		for _, ch := range waits {
			select {
			case l := <-ch:
				if l.Err != nil {
					return rec, fmt.Errorf("httpcapture: journal %s: link: %w", path, l.Err)
				}
				rec.Linked++
			case <-ctx.Done():
				return rec, ctx.Err()
			}
		}
	}
	if err := os.Remove(path); err != nil {
		return rec, fmt.Errorf("httpcapture: journal: %w", err)
	}
	return rec, nil
}

// readSegment reads a segment's header and its records, up to the zeros
// the segment was prepared with. A last record without its newline was
// being written when the server died: its request was never answered, and
// it is left out.
func readSegment(r io.Reader) (journalHeader, []journalRecord, error) {
	var head journalHeader
	var out []journalRecord
	br := bufio.NewReaderSize(r, 64<<10)
	for i := 0; ; i++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF || len(line) > 0 && line[0] == 0 {
			return head, out, nil // a torn last line, or the prepared zeros
		}
		if err != nil {
			return head, out, err
		}
		if i == 0 {
			if err := json.Unmarshal(line, &head); err != nil || head.Journal == "" {
				return head, out, fmt.Errorf("bad header: %q", bytes.TrimSpace(line))
			}
			continue
		}
		var rec journalRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return head, out, fmt.Errorf("record %d: %w", i, err)
		}
		out = append(out, rec)
	}
}

// onChain returns the keys (receiptKey) of the http receipts linked above
// height from.
func (j *Journal) onChain(ctx context.Context, from uint64) (map[string]bool, error) {
	on := map[string]bool{}
	w := walk.New(j.o.Blocks, j.o.Chain)
	for b, err := range w.All(ctx, &walk.Options{From: strconv.FormatUint(from, 10), Mode: walk.Skip}) {
		if err != nil {
			return nil, fmt.Errorf("httpcapture: journal: walk: %w", err)
		}
		for _, r := range b.Assets {
			if k := receiptKey(r); k != "" {
				on[k] = true
			}
		}
	}
	return on, nil
}

// receiptKey names one request's receipt on the chain: the request
// document's hash (it holds the time and the peer, so it is one request's
// own), and for a body its hash with the request document's (identical
// bodies of two requests are two receipts). Receipts of other sources
// have no key.
func receiptKey(r chain.Receipt) string {
	var m struct {
		Source string `json:"source"`
		Role   string `json:"role"`
		Info   string `json:"info"`
	}
	if json.Unmarshal(r.Meta, &m) != nil || m.Source != "http" {
		return ""
	}
	if m.Role == "body" {
		return r.Hash + " of " + m.Info
	}
	return r.Hash
}
