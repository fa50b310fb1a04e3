package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/sys/unix"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// BlockStore keeps blocks and next pointers as files.
type BlockStore struct {
	d dir
	// shards are the shard folders, each opened on first read and then
	// held: a block's files are opened relative to their folder (openat),
	// one name for the kernel to look up rather than every folder of
	// their path, on each of the two files a walk reads per block.
	shards [256]atomic.Pointer[os.File]
}

var (
	_ driver.BlockStore = (*BlockStore)(nil)
	_ driver.NextReader = (*BlockStore)(nil)
	_ driver.NextWaiter = (*BlockStore)(nil)
	_ driver.TailHinter = (*BlockStore)(nil)
)

func openBlockStore(d dir) (*BlockStore, error) {
	// names/ is made by the first claim (publish makes a missing folder),
	// so a store made before claims opens where it may not be written.
	for _, sub := range []string{"roots", "tails"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			return nil, permHint(err)
		}
	}
	return &BlockStore{d: d}, nil
}

// Create implements driver.BlockStore.
func (s *BlockStore) Create(_ context.Context, info driver.BlockInfo, doc []byte) error {
	err := s.d.publish(s.d.path(info.ID, ".block"), func(w io.Writer) error {
		_, err := w.Write(doc)
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		return chain.ErrExists
	}
	if err != nil {
		return err
	}
	if info.Height == 0 {
		err = s.d.publish(filepath.Join(s.d.dir, "roots", info.ID), func(io.Writer) error { return nil })
		if errors.Is(err, fs.ErrExist) {
			err = nil
		}
	}
	return err
}

// Get implements driver.BlockStore.
func (s *BlockStore) Get(ctx context.Context, id string) ([]byte, string, error) {
	doc, err := s.AppendDoc(ctx, nil, id)
	if err != nil {
		return nil, "", err
	}
	next, err := s.Next(ctx, id)
	return doc, next, err
}

// AppendDoc implements driver.NextReader: it reads <id>.block alone.
func (s *BlockStore) AppendDoc(_ context.Context, buf []byte, id string) ([]byte, error) {
	buf, err := s.readFile(buf, id, ".block")
	return buf, notFound(err)
}

// Next implements driver.NextReader: it reads <id>.next alone, so "" for
// an absent block too.
func (s *BlockStore) Next(_ context.Context, id string) (string, error) {
	var buf [128]byte // room for any id: the read allocates nothing
	next, err := s.readFile(buf[:0], id, ".next")
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(next), err
}

// readFile appends the whole file <id><ext> to buf, with openat, read and
// close only: os.ReadFile would also stat the file and try to register it
// with the runtime's poller, which doubles the system calls of walking a
// chain.
func (s *BlockStore) readFile(buf []byte, id, ext string) ([]byte, error) {
	dir, err := s.shard(id)
	if err != nil {
		return buf, err
	}
	fd, err := openAt(dir, id, ext)
	if err != nil {
		return buf, &fs.PathError{Op: "open", Path: s.d.path(id, ext), Err: err}
	}
	defer unix.Close(fd)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 2048)
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return buf, &fs.PathError{Op: "read", Path: s.d.path(id, ext), Err: err}
		}
		buf = buf[:len(buf)+n]
		// Linux reads a regular file in full up to the count asked, so a
		// read that leaves room is at the end of the file: stopping there
		// spares the read that would return 0, one system call per file.
		if n == 0 || len(buf) < cap(buf) {
			return buf, nil
		}
	}
}

// openAt opens the file <id><ext> of the folder dir for reading. It is
// unix.Openat without its two allocations of the name per call (the Go
// string, then a NUL-terminated copy): the name is built on the stack.
func openAt(dir int, id, ext string) (int, error) {
	var name [128]byte
	if len(id)+len(ext) >= len(name) {
		return -1, unix.ENAMETOOLONG
	}
	n := copy(name[:], id)
	copy(name[n:], ext) // the zero byte after it ends the name for the kernel
	for {
		fd, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(dir), uintptr(unsafe.Pointer(&name[0])),
			unix.O_RDONLY|unix.O_CLOEXEC, 0, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return -1, errno
		}
		return int(fd), nil
	}
}

// shard returns a descriptor of the folder of id's shard. A folder not
// made yet (no block of that shard was ever stored) is an error matching
// fs.ErrNotExist, and is looked for again next time.
func (s *BlockStore) shard(id string) (int, error) {
	i, err := strconv.ParseUint(id[:2], 16, 8) // ids reaching a driver are hex
	if err != nil {
		return -1, err
	}
	if f := s.shards[i].Load(); f != nil {
		return int(f.Fd()), nil
	}
	f, err := os.Open(filepath.Join(s.d.dir, id[:2]))
	if err != nil {
		return -1, err
	}
	if !s.shards[i].CompareAndSwap(nil, f) { // another goroutine opened it first
		f.Close()
		f = s.shards[i].Load()
	}
	return int(f.Fd()), nil
}

// SetNext implements driver.BlockStore.
func (s *BlockStore) SetNext(_ context.Context, id, next string) error {
	if _, err := os.Stat(s.d.path(id, ".block")); err != nil {
		return notFound(err)
	}
	path := s.d.path(id, ".next")
	err := s.d.publish(path, func(w io.Writer) error {
		_, err := io.WriteString(w, next)
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		cur, rerr := os.ReadFile(path)
		if rerr != nil {
			return rerr
		}
		if string(cur) == next {
			return nil
		}
		return fmt.Errorf("%w (to %s)", chain.ErrNextSet, cur)
	}
	return err
}

// ClaimName implements driver.BlockStore: the file names/<key>, holding
// the root id, is written whole in tmp/ and linked with link(2), which
// fails when the name exists; the file that was linked first wins.
func (s *BlockStore) ClaimName(_ context.Context, key, _, root string) (string, error) {
	path := filepath.Join(s.d.dir, "names", key)
	err := s.d.publish(path, func(w io.Writer) error {
		_, err := io.WriteString(w, root)
		return err
	})
	if err == nil {
		return root, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	cur, err := os.ReadFile(path)
	return strings.TrimSpace(string(cur)), err
}

// NameClaim implements driver.BlockStore.
func (s *BlockStore) NameClaim(_ context.Context, key string) (string, error) {
	cur, err := os.ReadFile(filepath.Join(s.d.dir, "names", key))
	return strings.TrimSpace(string(cur)), notFound(err)
}

// Roots implements driver.BlockStore.
func (s *BlockStore) Roots(context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		names, err := os.ReadDir(filepath.Join(s.d.dir, "roots"))
		if err != nil {
			yield("", err)
			return
		}
		for _, n := range names {
			if !chain.IsHex(n.Name()) {
				continue
			}
			if !yield(n.Name(), nil) {
				return
			}
		}
	}
}

// WaitNext implements driver.NextWaiter with an inotify watch (through
// fsnotify) on the folder where the next file will appear.
func (s *BlockStore) WaitNext(ctx context.Context, id string, timeout time.Duration) error {
	path := s.d.path(id, ".next")
	shard := filepath.Dir(path)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(shard); err != nil {
		return err
	}
	// Look after the watch is set, so a next linked in between is seen.
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev := <-w.Events:
			if ev.Name == path {
				return nil
			}
		case err := <-w.Errors:
			return err
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// TailHint implements driver.TailHinter.
func (s *BlockStore) TailHint(_ context.Context, chainID string) (string, error) {
	b, err := os.ReadFile(filepath.Join(s.d.dir, "tails", chainID))
	return strings.TrimSpace(string(b)), notFound(err)
}

// SetTailHint implements driver.TailHinter. The hint is replaced with a
// rename, unsynced: losing it costs a longer walk, never a wrong answer.
func (s *BlockStore) SetTailHint(_ context.Context, chainID, id string) error {
	f, err := os.CreateTemp(s.d.tmp, "tail-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(id); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(s.d.dir, "tails", chainID))
}

// Close implements driver.BlockStore: it closes the shard folders.
func (s *BlockStore) Close() error {
	var errs []error
	for i := range s.shards {
		if f := s.shards[i].Swap(nil); f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}
