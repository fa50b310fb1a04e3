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
//	blocks/names/<key>         a chain name's claim: its root's id, created once
//	tmp/                       files being written
//
// Every write goes to a temporary file in tmp/ (unnamed, O_TMPFILE, where
// the system allows), is synced, and is published with link(2), which
// fails when the name exists: that makes block creation create-only and
// setting next or claiming a name a single atomic "set if unset" even
// between processes, with no read-then-write. Asset files are synced in
// groups (Sync) before a block names them; each is handed to the disk
// (sync_file_range) as soon as it is written, so that Sync has little
// left to wait for. Large asset writes (256 KiB or more, from
// page-aligned buffers: pipe chunks, spooled stdin) go O_DIRECT, past the
// page cache, where the file system takes it; the fsyncs are the same.
// Adding "?nosync=1" to the URL skips the fsyncs, for
// throwaway chains in tests and benchmarks only.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store"
	"github.com/blockhub/blockhub/chain/store/driver"
)

// Scheme is the URL scheme of this driver; plain paths map to it too.
const Scheme = "file"

func init() { store.Register(Scheme, opener{}) }

type opener struct{}

func (opener) OpenAssets(_ context.Context, u *url.URL, o *store.Options) (driver.AssetStore, error) {
	d, err := open(u, "assets")
	if err != nil {
		return nil, err
	}
	s := &AssetStore{d: d, log: o.Log()}
	s.d.madeShard = func() { s.newShard.Store(true) }
	return s, nil
}

func (opener) OpenBlocks(_ context.Context, u *url.URL, _ *store.Options) (driver.BlockStore, error) {
	d, err := open(u, "blocks")
	if err != nil {
		return nil, err
	}
	return openBlockStore(d)
}

// dir is one of the store's two folders (assets or blocks) plus its tmp.
type dir struct {
	dir  string // .../assets or .../blocks
	tmp  string
	sync bool
	anon *anonTemp
	// madeShard, when set, is told that publishSynced made a shard folder
	// without syncing its parent (the asset store's deferred fsyncs).
	madeShard func()
}

func open(u *url.URL, kind string) (dir, error) {
	root := u.Path
	if root == "" {
		return dir{}, errors.New("no folder in the URL: use a path or file:///abs/dir")
	}
	q := u.Query()
	d := dir{dir: filepath.Join(root, kind), tmp: filepath.Join(root, "tmp"), sync: q.Get("nosync") == "", anon: &anonTemp{}}
	// A missing home is made, with its missing parents, private to its
	// owner (as git init and restic init do); an existing one keeps its
	// mode.
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return dir{}, errors.New("a file, not a folder: pick another --home")
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return dir{}, permHint(err)
	}
	for _, p := range []string{d.dir, d.tmp} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return dir{}, permHint(err)
		}
	}
	removeStale(d.tmp)
	return d, nil
}

func permHint(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: check the folder's owner and mode, or pick another --home", err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%w: pick another --home", err)
	}
	return err
}

func (d dir) path(key, ext string) string {
	return filepath.Join(d.dir, key[:2], key+ext)
}

// AssetStore keeps assets as files.
type AssetStore struct {
	d        dir
	log      *slog.Logger
	mu       sync.Mutex
	unsynced []string    // asset files put, or found, since the last Sync
	newShard atomic.Bool // a shard folder was made since the last Sync
	flushing sync.Mutex  // held by Sync while it flushes
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

var (
	_ driver.AssetStore = (*AssetStore)(nil)
	_ driver.Syncer     = (*AssetStore)(nil)
)

// Put implements driver.AssetStore.
//
// The asset is written and linked but not synced: Sync makes every asset
// put before it durable, in one batch of fsyncs, which the builder calls
// before it links a block naming them (group commit). A file already
// under the asset's name is compared with the bytes, and replaced when
// it is damaged (see compareFile).
func (s *AssetStore) Put(_ context.Context, hash string, r io.Reader, size int64) error {
	path := s.d.path(hash, ".blob")
	f, err := os.Open(path)
	switch {
	case err == nil:
		defer f.Close()
		var rest io.Reader
		if rest, err = compareFile(f, r); err != nil {
			return err
		}
		if rest == nil {
			// Another process may have put it and not synced yet: the
			// block about to name it must wait for the same Sync.
			s.note(path)
			return chain.ErrExists
		}
		s.log.Warn("asset file damaged (a power loss before it was synced?): replacing it", "path", path)
		err = s.d.replace(path, func(w io.Writer) error { return copyAll(w, rest) })
	case errors.Is(err, fs.ErrNotExist):
		// O_DIRECT only where a write can use it (tempFile.Write): on a
		// small asset the fcntl turning it off would be wasted.
		err = s.d.publishSynced(path, false, size >= directMin, func(w io.Writer) error { return copyAll(w, r) })
		if errors.Is(err, fs.ErrExist) { // another process put it just now
			s.note(path)
			return chain.ErrExists
		}
	}
	if err == nil {
		s.note(path)
	}
	return err
}

// copyBufs are the buffers of copyAll, reused across puts.
var copyBufs = sync.Pool{New: func() any { return new([256 << 10]byte) }}

// copyAll copies r to w with a pooled buffer (unless r or w can do
// without one, as a bytes.Reader can).
func copyAll(w io.Writer, r io.Reader) error {
	buf := copyBufs.Get().(*[256 << 10]byte)
	defer copyBufs.Put(buf)
	_, err := io.CopyBuffer(w, r, buf[:])
	return err
}

// Sync implements driver.Syncer: it fsyncs the asset files put since the
// last Sync, eight at a time, then each of their folders once, so a few
// assets cost a few fsyncs whatever else the file system holds. Past
// syncfsOver files (a bulk import) one syncfs(2) of the file system is
// cheaper than that many fsyncs, and is used instead.
func (s *AssetStore) Sync(context.Context) error {
	// One flush at a time: a Sync that found the list empty while another
	// was still flushing what it took would return before those files
	// are durable, and its caller would link a block naming them.
	s.flushing.Lock()
	defer s.flushing.Unlock()
	s.mu.Lock()
	paths := s.unsynced
	s.unsynced = nil
	s.mu.Unlock()
	if len(paths) == 0 {
		return nil
	}
	// A shard folder made since the last Sync is named in the assets
	// folder, which must be synced too.
	var also []string
	newShard := s.newShard.Swap(false)
	if newShard {
		also = append(also, s.d.dir)
	}
	flush := func(paths []string) error { return syncFiles(paths, also...) }
	if len(paths) > syncfsOver {
		flush = func([]string) error { return syncFS(s.d.dir) }
	}
	if err := flush(paths); err != nil {
		s.mu.Lock()
		s.unsynced = append(paths, s.unsynced...) // try again next time
		s.mu.Unlock()
		if newShard {
			s.newShard.Store(true)
		}
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

// syncFiles fsyncs files, then their folders (so the names are durable)
// and the folders also names.
func syncFiles(paths []string, also ...string) error {
	var g errgroup.Group
	g.SetLimit(8)
	dirs := map[string]bool{}
	for _, d := range also {
		dirs[d] = true
	}
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
