// Package filestore is the embedded default store: assets and blocks as
// files in a local folder, under the file:// scheme and plain paths.
//
// Layout under the store's folder (docs/FORMAT.md has the details):
//
//	assets/ab/abcd....blob     one file per asset, sharded by the first two hex digits
//	blocks/ab/abcd....block    the block's canonical JSON, without next
//	blocks/ab/abcd....next     the id of the following block, created once
//	blocks/roots/<id>          one empty file per chain root
//	blocks/tails/<chain id>    the last tail seen (a hint, rewritten freely)
//	tmp/                       files being written
//
// Every write goes to a temporary file in tmp/, is synced, and is published
// with link(2), which fails when the name exists: that makes block creation
// create-only and setting next a single atomic "set if unset" even between
// processes, with no read-then-write. Adding "?nosync=1" to the URL skips
// the fsyncs, for throwaway chains in tests and benchmarks only.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"

	"github.com/fsnotify/fsnotify"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Scheme is the URL scheme of this driver; plain paths map to it too.
const Scheme = "file"

func init() { store.Register(Scheme, opener{}) }

type opener struct{}

func (opener) OpenAssets(_ context.Context, u *url.URL, _ *store.Options) (driver.AssetStore, error) {
	d, err := open(u, "assets")
	if err != nil {
		return nil, err
	}
	return &AssetStore{d: d}, nil
}

func (opener) OpenBlocks(_ context.Context, u *url.URL, _ *store.Options) (driver.BlockStore, error) {
	d, err := open(u, "blocks")
	if err != nil {
		return nil, err
	}
	for _, sub := range []string{"roots", "tails"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			return nil, permHint(err)
		}
	}
	return &BlockStore{d}, nil
}

// dir is one of the store's two folders (assets or blocks) plus its tmp.
type dir struct {
	dir  string // .../assets or .../blocks
	tmp  string
	sync bool
}

func open(u *url.URL, kind string) (dir, error) {
	root := u.Path
	if root == "" {
		return dir{}, errors.New("no folder in the URL: use a path or file:///abs/dir")
	}
	q := u.Query()
	d := dir{dir: filepath.Join(root, kind), tmp: filepath.Join(root, "tmp"), sync: q.Get("nosync") == ""}
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		parent := filepath.Dir(root)
		if _, err := os.Stat(parent); err != nil {
			return dir{}, fmt.Errorf("folder %s does not exist and neither does its parent: create it or pick another --home", root)
		}
	}
	for _, p := range []string{d.dir, d.tmp} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return dir{}, permHint(err)
		}
	}
	return d, nil
}

func permHint(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%w: check the folder's owner and mode, or pick another --home", err)
	}
	return err
}

func (d dir) path(key, ext string) string {
	return filepath.Join(d.dir, key[:2], key+ext)
}

// publish writes what fill writes to a temporary file, syncs it and links
// it at path. It returns an error matching fs.ErrExist when path exists.
func (d dir) publish(path string, fill func(io.Writer) error) error {
	return d.publishSynced(path, d.sync, fill)
}

// publishSynced is publish with the fsyncs only when sync is set; the
// asset store defers them to Sync (group commit).
func (d dir) publishSynced(path string, sync bool, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(d.tmp, "w-*")
	if err != nil {
		return permHint(err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	err = os.Link(tmp, path)
	if errors.Is(err, fs.ErrNotExist) { // shard folder not made yet
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return permHint(err)
		}
		err = os.Link(tmp, path)
	}
	if err != nil {
		return err
	}
	if sync {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// AssetStore keeps assets as files.
type AssetStore struct {
	d        dir
	mu       sync.Mutex
	unsynced []string // asset files put, or found, since the last Sync
}

// note remembers an asset file for the next Sync.
func (s *AssetStore) note(path string) {
	if !s.d.sync {
		return
	}
	s.mu.Lock()
	s.unsynced = append(s.unsynced, path)
	s.mu.Unlock()
}

// BlockStore keeps blocks and next pointers as files.
type BlockStore struct{ d dir }

var (
	_ driver.AssetStore = (*AssetStore)(nil)
	_ driver.Syncer     = (*AssetStore)(nil)
	_ driver.BlockStore = (*BlockStore)(nil)
	_ driver.NextWaiter = (*BlockStore)(nil)
	_ driver.TailHinter = (*BlockStore)(nil)
)

// Put implements driver.AssetStore.
//
// The asset is written and linked but not synced: Sync makes every asset
// put before it durable, in one batch of fsyncs, which the builder calls
// before it links a block naming them (group commit). A file of the wrong size
// under an asset's name (left by a power loss before Sync) is replaced.
func (s *AssetStore) Put(_ context.Context, hash string, r io.Reader, size int64) error {
	path := s.d.path(hash, ".blob")
	if fi, err := os.Stat(path); err == nil {
		if size < 0 || fi.Size() == size {
			// Another process may have put it and not synced yet: the
			// block about to name it must wait for the same Sync.
			s.note(path)
			return chain.ErrExists
		}
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	err := s.d.publishSynced(path, false, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		s.note(path)
		return chain.ErrExists
	}
	if err == nil {
		s.note(path)
	}
	return err
}

// Sync implements driver.Syncer: it fsyncs the asset files put since the
// last Sync, eight at a time, then each of their folders once, so a few
// assets cost a few fsyncs whatever else the file system holds. Past
// syncfsOver files (a bulk import) one syncfs(2) of the file system is
// cheaper than that many fsyncs, and is used instead.
func (s *AssetStore) Sync(context.Context) error {
	s.mu.Lock()
	paths := s.unsynced
	s.unsynced = nil
	s.mu.Unlock()
	if len(paths) == 0 {
		return nil
	}
	flush := syncFiles
	if len(paths) > syncfsOver {
		flush = func([]string) error { return syncFS(s.d.dir) }
	}
	if err := flush(paths); err != nil {
		s.mu.Lock()
		s.unsynced = append(paths, s.unsynced...) // try again next time
		s.mu.Unlock()
		return fmt.Errorf("sync %s: %w", s.d.dir, err)
	}
	return nil
}

// syncfsOver is the number of unsynced assets past which Sync flushes the
// whole file system at once.
const syncfsOver = 64

// syncFS flushes the file system that holds dir.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}

// syncFiles fsyncs files, then their folders (so the names are durable).
func syncFiles(paths []string) error {
	var g errgroup.Group
	g.SetLimit(8)
	dirs := map[string]bool{}
	for _, p := range paths {
		dirs[filepath.Dir(p)] = true
		g.Go(func() error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Sync()
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for d := range dirs {
		g.Go(func() error { return syncDir(d) })
	}
	return g.Wait()
}

// Get implements driver.AssetStore.
func (s *AssetStore) Get(_ context.Context, hash string) (io.ReadCloser, error) {
	f, err := os.Open(s.d.path(hash, ".blob"))
	return f, notFound(err)
}

// Stat implements driver.AssetStore.
func (s *AssetStore) Stat(_ context.Context, hash string) (int64, error) {
	fi, err := os.Stat(s.d.path(hash, ".blob"))
	if err != nil {
		return 0, notFound(err)
	}
	return fi.Size(), nil
}

// All implements driver.AssetStore.
func (s *AssetStore) All(context.Context) iter.Seq2[string, error] {
	return s.d.list(".blob")
}

// Close implements driver.AssetStore.
func (s *AssetStore) Close() error { return nil }

func (d dir) list(ext string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		shards, err := os.ReadDir(d.dir)
		if err != nil {
			yield("", err)
			return
		}
		for _, sh := range shards {
			if !sh.IsDir() || len(sh.Name()) != 2 {
				continue
			}
			names, err := os.ReadDir(filepath.Join(d.dir, sh.Name()))
			if err != nil {
				yield("", err)
				return
			}
			for _, n := range names {
				key, ok := strings.CutSuffix(n.Name(), ext)
				if !ok || !chain.IsHex(key) {
					continue
				}
				if !yield(key, nil) {
					return
				}
			}
		}
	}
}

func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return chain.ErrNotFound
	}
	return err
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
// The document and the next pointer are read at once: walking a chain is
// two small reads per block, and they need not wait for each other.
func (s *BlockStore) Get(_ context.Context, id string) ([]byte, string, error) {
	type read struct {
		b   []byte
		err error
	}
	nextc := make(chan read, 1)
	go func() {
		b, err := readSmall(s.d.path(id, ".next"))
		nextc <- read{b, err}
	}()
	doc, err := readSmall(s.d.path(id, ".block"))
	next := <-nextc
	if err != nil {
		return nil, "", notFound(err)
	}
	if errors.Is(next.err, fs.ErrNotExist) {
		return doc, "", nil
	}
	return doc, string(next.b), next.err
}

// readSmall reads a whole small file with open, read and close only:
// os.ReadFile also stats the file and registers it with the runtime's
// poller, which doubles the system calls of walking a chain.
func readSmall(path string) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 2048)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
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

// Close implements driver.BlockStore.
func (s *BlockStore) Close() error { return nil }
