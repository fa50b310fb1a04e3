// Command limit measures what this machine can do with some bytes, the
// limit a capture of them is held to: hashing them with Go's crypto/sha256
// (SHA-NI where the CPU has it) and writing them durably (write(2) then
// fsync(2) of a fresh file in a folder on the store's disk). A capture
// must do both, so its limit is the slower of the two; with two cores it
// can overlap them.
//
//	limit -dir /store/disk FILE    # prints: hash_s write_s max_s bytes
//
// Both passes read FILE through one reused 1 MiB buffer (memory is flat
// whatever its size); read it once before, so that both find it in the
// page cache. -passes hash or write runs only one of them.
//
// The durable write runs -writes times (default 3), each copy removed
// before the next, and the fastest is printed. The first is often far
// slower, and not because of the disk: a profile puts its time in the
// kernel's copy into new page cache pages (copy_folio_from_iter_atomic).
// On this virtual machine memory the guest has not touched lately (free
// pages reported to the host) costs a fault to the hypervisor on first
// touch, about 4 to 6 s per GiB, while pages freed a moment ago are
// reused at once: the same write took 3.5 s or 0.5 s depending on what
// ran before it (cp + sync of the same file, 0.98 s, had happened to run
// in warm memory). That is the page cache's state, not the limit of a
// durable write, so the limit is the fastest pass; stderr tells every
// pass, and the same copy written with O_DIRECT (no page cache) for
// comparison. The last copy is removed when limit ends, so a command run
// right after it finds warm memory too.
package main

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "folder the durable write goes to (on the disk the store uses)")
	passes := flag.String("passes", "both", "hash, write or both")
	flag.IntVar(&writes, "writes", 3, "durable writes to time (the fastest is printed)")
	flag.BoolVar(&direct, "direct", true, "also time an O_DIRECT write, told on stderr")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: limit [-dir DIR] [-passes hash|write|both] FILE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *dir, *passes); err != nil {
		fmt.Fprintln(os.Stderr, "limit:", err)
		os.Exit(1)
	}
}

var (
	writes int
	direct bool
)

func run(file, dir, passes string) error {
	buf := make([]byte, 1<<20)
	var hashS, writeS float64
	var n int64
	var err error
	if passes == "both" || passes == "hash" {
		if hashS, n, err = timeHash(file, buf); err != nil {
			return err
		}
	}
	if passes == "both" || passes == "write" {
		var each []string
		for i := range max(writes, 1) {
			s, m, err := timeWrite(file, dir, buf)
			if err != nil {
				return err
			}
			if i == 0 || s < writeS {
				writeS = s
			}
			n = m
			each = append(each, fmt.Sprintf("%.3f", s))
		}
		note := "limit: write+fsync s: " + strings.Join(each, " ")
		if direct {
			s, err := timeDirect(file, dir)
			if err != nil {
				note += "; O_DIRECT: " + err.Error()
			} else {
				note += fmt.Sprintf("; O_DIRECT+fsync s: %.3f", s)
			}
		}
		fmt.Fprintln(os.Stderr, note)
	}
	if passes != "both" && passes != "hash" && passes != "write" {
		return fmt.Errorf("-passes %q: want hash, write or both", passes)
	}
	fmt.Printf("%.3f %.3f %.3f %d\n", hashS, writeS, max(hashS, writeS), n)
	return nil
}

// timeHash reads file and hashes it.
func timeHash(file string, buf []byte) (float64, int64, error) {
	start := time.Now()
	f, err := os.Open(file)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, onlyReader{f}, buf)
	if err != nil {
		return 0, 0, fmt.Errorf("hash %s: %w", file, err)
	}
	_ = h.Sum(nil)
	return time.Since(start).Seconds(), n, nil
}

// timeWrite reads file, writes it to a new file in dir and fsyncs that
// file and dir, as a store does before it names an asset in a block.
func timeWrite(file, dir string, buf []byte) (secs float64, n int64, err error) {
	start := time.Now()
	in, err := os.Open(file)
	if err != nil {
		return 0, 0, err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, "limit-*.copy")
	if err != nil {
		return 0, 0, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	// onlyReader and onlyWriter keep io.CopyBuffer from taking a
	// shortcut (copy_file_range shares the extents instead of writing).
	n, err = io.CopyBuffer(onlyWriter{out}, onlyReader{in}, buf)
	if err == nil {
		err = out.Sync()
	}
	if err == nil {
		err = syncDir(filepath.Dir(out.Name()))
	}
	if err != nil {
		return 0, 0, fmt.Errorf("write %s: %w", out.Name(), err)
	}
	return time.Since(start).Seconds(), n, errors.Join(out.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

// timeDirect writes file to a new file in dir with O_DIRECT (1 MiB
// aligned writes, no page cache; a tail shorter than a block is written
// after O_DIRECT is turned off) and fsyncs it and dir.
func timeDirect(file, dir string) (float64, error) {
	in, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	name := filepath.Join(dir, fmt.Sprintf("limit-%d.direct", os.Getpid()))
	start := time.Now()
	fd, err := unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_DIRECT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", name, err)
	}
	defer os.Remove(name)
	defer unix.Close(fd)
	// An anonymous mapping is page aligned, as O_DIRECT wants.
	buf, err := unix.Mmap(-1, 0, 1<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return 0, err
	}
	defer unix.Munmap(buf)
	for {
		n, err := io.ReadFull(in, buf)
		if n > 0 {
			m := n &^ 4095
			if m > 0 {
				if _, err := unix.Write(fd, buf[:m]); err != nil {
					return 0, fmt.Errorf("write %s: %w", name, err)
				}
			}
			if m < n { // the tail: through the page cache
				fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
				if err == nil {
					_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl&^unix.O_DIRECT)
				}
				if err == nil {
					_, err = unix.Write(fd, buf[m:n])
				}
				if err != nil {
					return 0, fmt.Errorf("write %s: %w", name, err)
				}
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if err := unix.Fsync(fd); err != nil {
		return 0, err
	}
	if err := syncDir(dir); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds(), nil
}
