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

	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/chain/store/driver"
)

var _ driver.Spooler = (*AssetStore)(nil)

// spoolBufs are the 1 MiB buffers of PutUnsummed: a read(2) and a
// write(2) per MiB, where io.Copy's 32 KiB would make 32 of each.
var spoolBufs = sync.Pool{New: func() any { return new([1 << 20]byte) }}

// PutUnsummed implements driver.Spooler: the bytes go straight into a
// temporary file in tmp/, hashed on the way, and the file is linked under
// the hash once r ends; so a pipe of any length is written and hashed
// once, in constant memory. Like Put, the file is synced by the next
// Sync, and a file found under the name already is checked (here by
// hashing it) and replaced when damaged.
func (s *AssetStore) PutUnsummed(ctx context.Context, r io.Reader, h hash.Hash) (string, int64, error) {
	t, err := s.d.newTemp()
	if err != nil {
		return "", 0, permHint(err)
	}
	defer t.discard()
	buf := spoolBufs.Get().(*[1 << 20]byte)
	defer spoolBufs.Put(buf)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", n, err
		}
		m, rerr := io.ReadFull(r, buf[:])
		if m > 0 {
			h.Write(buf[:m])
			if _, err := t.Write(buf[:m]); err != nil {
				return "", n, err
			}
			n += int64(m)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return "", n, rerr
		}
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
	buf := spoolBufs.Get().(*[1 << 20]byte)
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
