package filestore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.Spooler = (*AssetStore)(nil)

// spoolBufs are the buffers of PutUnsummed, of spoolPiece bytes: a
// read(2) and a write(2) per piece, where io.Copy's 32 KiB would make 128
// of each.
var spoolBufs = sync.Pool{New: func() any { return new(spoolBuf) }}

// spoolPiece is the size of a spool buffer: one O_DIRECT write each,
// waited for before the next (4 MiB writes of a GiB took 0.81 to 0.87 s
// here, 1 MiB writes 0.92 to 1.37 s: the disk gets fewer, larger
// requests). spoolAhead is how many are in flight between the reader,
// the writer and the hasher.
const (
	spoolPiece = 4 << 20
	spoolAhead = 4
)

type spoolBuf = [spoolPiece]byte

// writebackEvery is how many bytes are written between two requests to
// start writing them back (sync_file_range), so that the disk works
// while the rest is read and hashed, and the final fsync has little left.
const writebackEvery = 8 << 20

// spool copies r into t and h, in three stages that overlap: this
// goroutine reads, a second writes what was read (an O_DIRECT write waits
// for the disk, so it must not hold the reading back), and a third hashes
// what was written; so a pipe costs about the slowest of the read, the
// write and the hash, not their sum. At most spoolAhead buffers are in
// flight.
func spool(ctx context.Context, t *tempFile, r io.Reader, h hash.Hash) (int64, error) {
	type piece struct {
		b *spoolBuf
		n int
	}
	free := make(chan *spoolBuf, spoolAhead)
	toWrite := make(chan piece, spoolAhead)
	toHash := make(chan piece, spoolAhead)
	for range spoolAhead {
		free <- spoolBufs.Get().(*spoolBuf)
	}
	var (
		werr    error // the writer's, read after written is closed
		failed  atomic.Bool
		written = make(chan struct{})
		hashed  = make(chan struct{})
	)
	go func() {
		defer close(written)
		defer close(toHash)
		var n, flushed int64
		for p := range toWrite {
			if werr == nil {
				if _, werr = t.Write(p.b[:p.n]); werr == nil {
					n += int64(p.n)
					if n-flushed >= writebackEvery {
						t.startWriteback(flushed, n-flushed)
						flushed = n
					}
					toHash <- p
					continue
				}
				failed.Store(true)
			}
			free <- p.b // after a failed write: drained, not hashed
		}
	}()
	go func() {
		defer close(hashed)
		for p := range toHash {
			h.Write(p.b[:p.n])
			free <- p.b
		}
	}()
	var n int64
	var err error
	for err == nil && !failed.Load() {
		if err = ctx.Err(); err != nil {
			break
		}
		b := <-free
		m, rerr := io.ReadFull(r, b[:])
		if m > 0 {
			n += int64(m)
			toWrite <- piece{b, m}
		} else {
			free <- b
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		err = rerr
	}
	close(toWrite)
	<-written
	<-hashed
	for range spoolAhead {
		spoolBufs.Put(<-free)
	}
	if werr != nil {
		return n, werr
	}
	return n, err
}

// PutUnsummed implements driver.Spooler: the bytes go straight into a
// temporary file in tmp/, hashed on the way, and the file is linked under
// the hash once r ends; so a pipe of any length is written and hashed
// once, in constant memory. Like Put, the file is synced by the next
// Sync, and a file found under the name already is checked (here by
// hashing it) and replaced when damaged.
func (s *AssetStore) PutUnsummed(ctx context.Context, r io.Reader, h hash.Hash) (string, int64, error) {
	t, err := s.d.newTemp(true)
	if err != nil {
		return "", 0, permHint(err)
	}
	defer t.discard()
	n, err := spool(ctx, t, r, h)
	if err != nil {
		return "", n, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	path := s.d.path(sum, ".blob")
	err = s.d.linkTemp(t, path, false)
	if errors.Is(err, fs.ErrExist) {
		return sum, n, s.keepOrReplace(path, sum, n, h, t)
	}
	if err != nil {
		return "", n, err
	}
	s.note(path)
	return sum, n, nil
}

// keepOrReplace handles a PutUnsummed whose name was taken: the file
// there is kept (chain.ErrExists) when its bytes hash to sum, and
// replaced by the spooled copy t when they do not.
func (s *AssetStore) keepOrReplace(path, sum string, n int64, h hash.Hash, t *tempFile) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h.Reset()
	buf := spoolBufs.Get().(*spoolBuf)
	defer spoolBufs.Put(buf)
	got, err := io.CopyBuffer(h, onlyReader{f}, buf[:])
	if err != nil {
		return err
	}
	if got == n && hex.EncodeToString(h.Sum(nil)) == sum {
		s.note(path)
		return chain.ErrExists
	}
	s.log.Warn("asset file damaged (a power loss before it was synced?): replacing it", "path", path)
	in, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", t.fd))
	if t.name != "" {
		in, err = os.Open(t.name)
	}
	if err != nil {
		return err
	}
	defer in.Close()
	if err := s.d.replace(path, func(w io.Writer) error { return copyAll(w, onlyReader{in}) }); err != nil {
		return err
	}
	s.note(path)
	return nil
}

// linkTemp links the written temporary file t at path, making the shard
// folder when needed; with sync set, t and the folders are synced first.
// It returns an error matching fs.ErrExist when path exists.
func (d dir) linkTemp(t *tempFile, path string, sync bool) error {
	if sync {
		if err := t.sync(); err != nil {
			return err
		}
	}
	err := t.link(path)
	if errors.Is(err, fs.ErrNotExist) { // shard folder not made yet
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return permHint(err)
		}
		// The new folder's name is in its parent: without a sync of the
		// parent a power loss can take the folder back with every file
		// linked in it, though each of them and the folder itself were
		// synced. Blocks sync it now; assets, whose fsyncs are deferred,
		// have their next Sync do it (madeShard). At most 256 times per
		// store folder.
		if sync {
			if err := syncDir(filepath.Dir(filepath.Dir(path))); err != nil {
				return err
			}
		} else if d.madeShard != nil {
			d.madeShard()
		}
		err = t.link(path)
	}
	if err != nil {
		return err
	}
	if err := t.close(); err != nil {
		return err
	}
	if sync {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

// onlyReader hides a reader's WriterTo, so io.CopyBuffer uses the buffer
// it is given.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
