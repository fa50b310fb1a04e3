package filestore

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Every file of the store is written whole in tmp/ first and only then
// linked under its name (link(2) fails when the name exists), so a
// reader never sees half a file and a name is taken once.

// publish writes what fill writes to a new file, syncs it and links it at
// path. It returns an error matching fs.ErrExist when path exists.
func (d dir) publish(path string, fill func(io.Writer) error) error {
	return d.publishSynced(path, d.sync, false, fill)
}

// publishSynced is publish with the fsyncs only when sync is set; the
// asset store defers them to Sync (group commit). With direct, large
// writes bypass the page cache (see tempFile.Write).
func (d dir) publishSynced(path string, sync, direct bool, fill func(io.Writer) error) error {
	t, err := d.newTemp(direct)
	if err != nil {
		return permHint(err)
	}
	defer t.discard()
	if err := fill(t); err != nil {
		return err
	}
	if !sync {
		// The fsync comes later (the asset store's Sync, before a block
		// names the file): have the disk start on the bytes now, while
		// the capture goes on, so that Sync finds little left to write.
		t.startWriteback(0, 0)
	}
	return d.linkTemp(t, path, sync)
}

// replace writes what fill writes to a new file and renames it over path,
// so readers see the old file or the new one, never none. It is for
// repairing a damaged asset, which is rare: it always uses a named
// temporary file, which rename needs.
func (d dir) replace(path string, fill func(io.Writer) error) error {
	t, err := d.newNamedTemp(false)
	if err != nil {
		return permHint(err)
	}
	defer t.discard()
	if err := fill(t); err != nil {
		return err
	}
	if err := t.close(); err != nil {
		return err
	}
	if err := os.Rename(t.name, path); err != nil {
		return err
	}
	t.name = "" // nothing left to remove
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

// tempFile is a file being written in tmp/, through its descriptor with
// plain system calls: an *os.File would add four fcntl calls and an
// epoll registration that fails, per file.
//
// Where the system allows, it is an O_TMPFILE (Linux 3.11 or later; ext4,
// xfs, btrfs, tmpfs): a file with no name until it is linked. Making it
// does not lock tmp/ as creating a named file does, so parallel writers
// do not queue (and spin) behind each other there; publishing it needs no
// unlink; and a crash leaves nothing in tmp/. Elsewhere it is a named
// file, removed once linked.
type tempFile struct {
	fd     int
	dir    string // tmp/
	name   string // path in tmp/; "" for an O_TMPFILE
	closed bool
	// direct is set while the file is open with O_DIRECT.
	direct bool
}

// anonTemp records whether O_TMPFILE files can be made in a store's tmp/
// and linked through /proc/self/fd: probed on the first write of each
// open store folder.
type anonTemp struct {
	once sync.Once
	ok   bool
}

// tempSeq numbers the named temporary files of this process.
var tempSeq atomic.Uint64

// newTemp returns an empty temporary file, an O_TMPFILE where it works;
// with direct, opened with O_DIRECT where the file system takes it.
func (d dir) newTemp(direct bool) (*tempFile, error) {
	d.anon.once.Do(func() { d.anon.ok = probeAnonTemp(d.tmp) })
	if !d.anon.ok {
		return d.newNamedTemp(direct)
	}
	flags := unix.O_WRONLY | unix.O_TMPFILE | unix.O_CLOEXEC
	fd, err := openDirect(d.tmp, flags, direct)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: d.tmp, Err: err}
	}
	return &tempFile{fd: fd, dir: d.tmp, direct: direct}, nil
}

// newNamedTemp returns an empty temporary file with a name unique to this
// process; a name left by a crashed process of the same pid is skipped.
func (d dir) newNamedTemp(direct bool) (*tempFile, error) {
	prefix := filepath.Join(d.tmp, "w-"+tempOwner+"-")
	for range 1000 {
		name := prefix + strconv.FormatUint(tempSeq.Add(1), 10)
		fd, err := openDirect(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, direct)
		if err == unix.EEXIST {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &tempFile{fd: fd, dir: d.tmp, name: name, direct: direct}, nil
	}
	return nil, fmt.Errorf("open %s*: names taken", prefix)
}

// openDirect opens path with flags, and O_DIRECT when direct is set and
// the file system takes it (EINVAL: it does not, as on older tmpfs).
func openDirect(path string, flags int, direct bool) (int, error) {
	if direct {
		fd, err := openRetry(path, flags|unix.O_DIRECT, 0o600)
		if err != unix.EINVAL {
			return fd, err
		}
	}
	return openRetry(path, flags, 0o600)
}

// probeAnonTemp reports whether an O_TMPFILE made in dir can be linked
// there through /proc/self/fd: the file system must support O_TMPFILE
// and /proc must be mounted.
func probeAnonTemp(dir string) bool {
	fd, err := openRetry(dir, unix.O_WRONLY|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	name := filepath.Join(dir, "probe-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(tempSeq.Add(1), 10))
	if err := linkFD(fd, name); err != nil {
		return false
	}
	unix.Unlink(name)
	return true
}

// linkFD gives the O_TMPFILE fd the name path. linkat with AT_EMPTY_PATH
// would need CAP_DAC_READ_SEARCH; the /proc/self/fd link is the way
// open(2) documents for unprivileged processes.
func linkFD(fd int, path string) error {
	return unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
}

func openRetry(path string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Open(path, flags, mode)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// Write implements io.Writer.
//
// On a file opened with O_DIRECT, the whole 4 KiB blocks of a write of at
// least directMin bytes that starts on a page boundary go from p to the
// disk, without a copy into the page cache; the first write that cannot
// (a tail, a small or unaligned buffer) turns O_DIRECT off, and the rest
// of the file goes through the page cache. Why: an asset's pages would
// stay cached long after it is written, and on a virtual machine whose
// host takes back the memory the guest leaves free, filling new page
// cache costs a fault per page (4 to 6 s per GiB here, against about 1 s
// for the disk itself; see docs/BENCHMARKS.md). Either way the file is
// durable only once fsynced, as before.
func (t *tempFile) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		q := p[n:]
		if t.direct {
			m := len(q) &^ (directBlock - 1)
			if m < directMin || uintptr(unsafe.Pointer(&q[0]))%directBlock != 0 {
				if err := t.buffered(); err != nil {
					return n, err
				}
			} else {
				q = q[:m]
			}
		}
		m, err := unix.Write(t.fd, q)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EINVAL && t.direct { // the device wants another alignment
			if err := t.buffered(); err != nil {
				return n, err
			}
			continue
		}
		if err != nil {
			return n, &fs.PathError{Op: "write", Path: t.path(), Err: err}
		}
		n += m
	}
	return n, nil
}

// directBlock is the alignment of O_DIRECT writes (buffer, length and
// file offset): 4 KiB suits 512-byte and 4 KiB sector disks alike.
// directMin is the smallest write worth sending directly: a small one
// waits for the disk, where the page cache would take it at once.
const (
	directBlock = 4 << 10
	directMin   = 256 << 10
)

// buffered turns O_DIRECT off.
func (t *tempFile) buffered() error {
	fl, err := unix.FcntlInt(uintptr(t.fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(t.fd), unix.F_SETFL, fl&^unix.O_DIRECT)
	}
	if err != nil {
		return &fs.PathError{Op: "fcntl", Path: t.path(), Err: err}
	}
	t.direct = false
	return nil
}

// path names the file in errors.
func (t *tempFile) path() string {
	if t.name == "" {
		return filepath.Join(t.dir, "(O_TMPFILE)")
	}
	return t.name
}

func (t *tempFile) sync() error {
	if err := unix.Fsync(t.fd); err != nil {
		return &fs.PathError{Op: "sync", Path: t.path(), Err: err}
	}
	return nil
}

// link names the written file path; it fails with an error matching
// fs.ErrExist when path exists.
func (t *tempFile) link(path string) error {
	var err error
	if t.name == "" {
		err = linkFD(t.fd, path)
	} else {
		err = unix.Link(t.name, path)
	}
	if err != nil {
		return &os.LinkError{Op: "link", Old: t.path(), New: path, Err: err}
	}
	return nil
}

// startWriteback asks the kernel to start writing n bytes at off to the
// disk, without waiting; a hint, so its error is ignored (the fsync that
// makes the file durable reports any).
func (t *tempFile) startWriteback(off, n int64) {
	unix.SyncFileRange(t.fd, off, n, unix.SYNC_FILE_RANGE_WRITE)
}

func (t *tempFile) close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	if err := unix.Close(t.fd); err != nil {
		return &fs.PathError{Op: "close", Path: t.path(), Err: err}
	}
	return nil
}

// discard closes the file and removes its temporary name, if any: an
// O_TMPFILE that was not linked vanishes on close.
func (t *tempFile) discard() {
	t.close()
	if t.name != "" {
		unix.Unlink(t.name)
	}
}
