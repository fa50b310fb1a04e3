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
// page cache. The copy is removed afterwards. -passes hash or write runs
// only one of them.
package main

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "folder the durable write goes to (on the disk the store uses)")
	passes := flag.String("passes", "both", "hash, write or both")
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
		if writeS, n, err = timeWrite(file, dir, buf); err != nil {
			return err
		}
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
