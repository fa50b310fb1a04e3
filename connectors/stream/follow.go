package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/blockhub/blockhub/connectors"
)

// Chunks yields the chunks of the file (or of stdin). Without Follow it
// ends at the end of the input; with Follow when ctx ends, after
// yielding the partial batch.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		var err error
		if s.abs == "" {
			err = s.readStdin(ctx, yield)
		} else {
			r := &fileRun{s: s, key: Key(s.abs), st: st, yield: yield, b: newBatch(&s.o)}
			err = r.run(ctx)
		}
		if err != nil {
			yield(connectors.Chunk{}, err)
		}
	}
}

// tail is one open file, read from an offset on.
type tail struct {
	f    *os.File
	path string // where it was found
	id   identity
	head []byte // its first bytes, up to headSize
	l    lineBuf
	buf  []byte
}

// openTail opens the file at path; it returns nil, nil when there is none.
func openTail(path string) (*tail, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &tail{f: f, path: path, id: identityOf(fi), l: lineBuf{num: 1}}, nil
}

func (t *tail) close() { t.f.Close() }

func (t *tail) origin() origin { return origin{path: t.path, id: t.id, head: t.head, file: true} }

// seek makes the next line the one at offset off, numbered num; its head
// must be read already.
func (t *tail) seek(off int64, num int) { t.l.reset(off, num) }

// readHead reads the file's first min(n, headSize) bytes into head.
func (t *tail) readHead(n int64) error {
	t.head = make([]byte, min(n, headSize))
	m, err := t.f.ReadAt(t.head, 0)
	t.head = t.head[:m]
	if err == io.EOF {
		err = nil
	}
	return err
}

// headIs tells whether the file's first min(end, headSize) bytes have
// the fingerprint want (and keeps them as its head).
func (t *tail) headIs(end int64, want string) (bool, error) {
	if err := t.readHead(end); err != nil {
		return false, err
	}
	return headSum(t.head, end) == want, nil
}

// read reads what the file holds past what was read and hands each
// complete line to fn; it stops early when fn or ctx does.
func (t *tail) read(ctx context.Context, fn func(line []byte, num int, start, end int64) bool) (bool, error) {
	if t.buf == nil {
		t.buf = make([]byte, 64<<10)
	}
	for {
		if ctx.Err() != nil {
			return false, nil
		}
		pos := t.l.pos()
		n, err := t.f.ReadAt(t.buf, pos)
		if n > 0 {
			if pos < headSize && int64(len(t.head)) == pos {
				t.head = append(t.head, t.buf[:min(n, headSize-int(pos))]...)
			}
			if !t.l.feed(t.buf[:n], fn) {
				return false, nil
			}
		}
		if err == io.EOF || (err == nil && n == 0) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// fileRun is one run over a file path.
type fileRun struct {
	s       *Source
	key     string
	st      connectors.State
	yield   func(connectors.Chunk, error) bool
	b       *batch
	stopped bool // the consumer stopped
}

func (r *fileRun) note(format string, a ...any) {
	if r.st != nil {
		r.st.Note(format, a...)
	}
}

// flush yields the batch of t's lines, if any.
func (r *fileRun) flush(t *tail) bool {
	c, ok, err := r.b.take(t.origin(), r.key)
	if err != nil {
		r.yield(c, err)
		r.stopped = true
		return false
	}
	if ok && !r.yield(c, nil) {
		r.stopped = true
	}
	return !r.stopped
}

// drain reads t to its end, yielding full batches.
func (r *fileRun) drain(ctx context.Context, t *tail) (bool, error) {
	return t.read(ctx, func(line []byte, num int, start, end int64) bool {
		if r.b.add(line, num, start, end, time.Now()) {
			return r.flush(t)
		}
		return true
	})
}

// finish reads a file that will not grow any more (rotated away) to its
// end, its partial last line included, and yields its last batch.
func (r *fileRun) finish(ctx context.Context, t *tail) (bool, error) {
	defer t.close()
	if ok, err := r.drain(ctx, t); !ok || err != nil {
		return false, err
	}
	if !r.rest(t) {
		return false, nil
	}
	return r.flush(t), nil
}

// rest takes t's partial last line, if any, as a line: the file is
// complete (rotated away, or --final).
func (r *fileRun) rest(t *tail) bool {
	return t.l.rest(func(line []byte, num int, start, end int64) bool {
		if r.b.add(line, num, start, end, time.Now()) {
			return r.flush(t)
		}
		return true
	})
}

// lastMeta is what a run reads back of the latest chunk captured from
// the path.
type lastMeta struct {
	Path   string   `json:"path"`
	Dev    uint64   `json:"dev"`
	Ino    uint64   `json:"ino"`
	Head   string   `json:"head"`
	Lines  [2]int   `json:"lines"`
	Offset [2]int64 `json:"offset"`
}

// start opens the file at the path and decides where to read from: after
// the last capture when it is the same file, grown; else from its start,
// after the rest of the file of the last capture when it was rotated to
// another name in the same folder (old).
func (r *fileRun) start() (old, cur *tail, err error) {
	name := r.s.o.Path
	if cur, err = openTail(r.s.abs); err != nil {
		return nil, nil, fmt.Errorf("stream: %s: %w", name, unwrapPath(err))
	}
	if r.st == nil || r.s.o.FromStart {
		return nil, cur, nil
	}
	b, ok := r.st.Last(r.key)
	if !ok {
		return nil, cur, nil
	}
	var m lastMeta
	if err := json.Unmarshal(b, &m); err != nil || m.Offset[1] <= 0 || m.Head == "" {
		r.note("stream: %s has a last capture without the offsets this connector writes: reading it from the start", name)
		return nil, cur, nil
	}
	end := m.Offset[1]
	last := identity{m.Dev, m.Ino}
	if cur != nil && cur.id == last {
		fi, err := cur.f.Stat()
		if err != nil {
			cur.close()
			return nil, nil, fmt.Errorf("stream: %s: %w", name, err)
		}
		same, err := cur.headIs(end, m.Head)
		if err != nil {
			cur.close()
			return nil, nil, fmt.Errorf("stream: %s: %w", name, err)
		}
		if same && fi.Size() >= end {
			cur.seek(end, m.Lines[1]+1)
			return nil, cur, nil
		}
		cur.head = nil
		r.note("stream: %s was truncated or rewritten since its last capture: reading it from the start", name)
		return nil, cur, nil
	}
	if last != (identity{}) {
		old = r.findRotated(last, end, m)
	}
	if old != nil {
		r.note("stream: %s was rotated to %s since its last capture: reading the rest of that first", name, old.path)
	} else if cur != nil {
		r.note("stream: %s is another file than at its last capture: reading it from the start", name)
	}
	return old, cur, nil
}

// findRotated looks in the path's folder for the file of the last
// capture, renamed: same identity, at least as long, same head.
func (r *fileRun) findRotated(id identity, end int64, m lastMeta) *tail {
	dir := filepath.Dir(r.s.abs)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() || identityOf(fi) != id || fi.Size() < end {
			continue
		}
		t, err := openTail(filepath.Join(dir, e.Name()))
		if err != nil || t == nil {
			continue
		}
		if same, err := t.headIs(end, m.Head); err == nil && same && t.id == id {
			t.seek(end, m.Lines[1]+1)
			return t
		}
		t.close()
	}
	return nil
}

// run reads the path: to its end, or following it until ctx ends.
func (r *fileRun) run(ctx context.Context) error {
	name := r.s.o.Path
	old, cur, err := r.start()
	if err != nil {
		return err
	}
	if old != nil {
		if ok, err := r.finish(ctx, old); !ok || err != nil {
			if cur != nil {
				cur.close()
			}
			return r.ended(ctx, err)
		}
	}
	if !r.s.o.Follow {
		if cur == nil {
			return fmt.Errorf("stream: %s: %w", name, fs.ErrNotExist)
		}
		defer cur.close()
		if ok, err := r.drain(ctx, cur); !ok || err != nil {
			return r.ended(ctx, err)
		}
		if r.s.o.Final && !r.rest(cur) {
			return nil
		}
		r.flush(cur)
		return nil
	}
	return r.follow(ctx, cur)
}

// ended is the error of a run that stopped early: err, or ctx's.
func (r *fileRun) ended(ctx context.Context, err error) error {
	switch {
	case err != nil:
		return fmt.Errorf("stream: %s: %w", r.s.o.Path, err)
	case r.stopped:
		return nil
	}
	return ctx.Err()
}

// follow reads the file at the path as it grows, as tail -F does, until
// ctx ends; then it yields the partial batch.
func (r *fileRun) follow(ctx context.Context, t *tail) error {
	name := r.s.o.Path
	defer func() {
		if t != nil {
			t.close()
		}
	}()
	var events <-chan fsnotify.Event
	var werrs <-chan error
	if !r.s.o.NoEvents {
		if w, err := fsnotify.NewWatcher(); err == nil {
			defer w.Close()
			if w.Add(filepath.Dir(r.s.abs)) == nil {
				events, werrs = w.Events, w.Errors
			}
		}
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if t == nil {
			var err error
			if t, err = openTail(r.s.abs); err != nil {
				return fmt.Errorf("stream: %s: %w", name, unwrapPath(err))
			}
		}
		if t != nil {
			if ok, err := r.drain(ctx, t); err != nil {
				return fmt.Errorf("stream: %s: %w", name, err)
			} else if !ok && r.stopped {
				return nil
			}
			switch change, err := r.changed(t); {
			case err != nil:
				return fmt.Errorf("stream: %s: %w", name, err)
			case change == rotated:
				if ok, err := r.finish(ctx, t); !ok || err != nil {
					t = nil
					return r.ended(ctx, err)
				}
				t = nil
				continue
			case change == truncated:
				if !r.flush(t) {
					return nil
				}
				r.note("stream: %s was truncated: reading it from the start", name)
				t.head = nil
				t.seek(0, 1)
				continue
			}
		}
		wait := r.s.o.Poll
		if due, left := r.b.due(time.Now()); due && t != nil {
			if !r.flush(t) {
				return nil
			}
		} else if left > 0 && left < wait {
			wait = left
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			if t != nil {
				r.flush(t)
			}
			return nil
		case <-events:
		case <-werrs:
		case <-timer.C:
		}
	}
}

type change int

const (
	unchanged change = iota
	rotated          // another file is at the path
	truncated        // the file is shorter than what was read, or its head changed
)

// changed tells whether t is still the file at the path, and whole.
func (r *fileRun) changed(t *tail) (change, error) {
	if fi, err := os.Stat(r.s.abs); err == nil {
		if ft, err := t.f.Stat(); err == nil && !os.SameFile(fi, ft) {
			return rotated, nil
		}
	}
	fi, err := t.f.Stat()
	if err != nil {
		return unchanged, err
	}
	if fi.Size() < t.l.pos() {
		return truncated, nil
	}
	if len(t.head) > 0 {
		b := make([]byte, len(t.head))
		if n, err := t.f.ReadAt(b, 0); (err != nil && err != io.EOF) || !bytes.Equal(b[:n], t.head) {
			return truncated, nil // copied and truncated, then written past where we were
		}
	}
	return unchanged, nil
}
