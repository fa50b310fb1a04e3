package appender

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// SpoolPrefix begins the names of the spool files AppendReader makes.
const SpoolPrefix = "spool-"

// SpoolIn makes AppendReader spool in dir (made when missing) instead of
// the system's temporary folder. The hub points it at the home's tmp/, so
// that a run killed while spooling leaves its file where the next run
// finds and removes it (CleanSpools) and `bhctl verify --orphans` counts
// it (StaleSpools).
func (a *Appender) SpoolIn(dir string) { a.spoolDir = dir }

// newSpool creates a spool file in dir and holds an exclusive flock on it
// for as long as it is open: the lock tells a live spool from one a
// killed process left behind (the kernel drops the lock with the process).
func newSpool(dir string) (*os.File, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	for {
		f, err := os.CreateTemp(dir, SpoolPrefix+"*")
		if err != nil {
			return nil, err
		}
		// A cleaner in another process may hold the lock for a moment
		// (it probes every spool it finds, this new one too): wait for it.
		if err := flockWait(f); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		// A cleaner may have taken the file for stale between its creation
		// and the lock, and removed it: then make another.
		fi, err1 := f.Stat()
		ni, err2 := os.Stat(f.Name())
		if err1 == nil && err2 == nil && os.SameFile(fi, ni) {
			return f, nil
		}
		f.Close()
	}
}

// flockWait takes an exclusive flock on f, waiting while another holds it.
func flockWait(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

// StaleSpool is a spool file that no live process holds.
type StaleSpool struct {
	Path string
	Size int64
}

// StaleSpools yields the spool files in dir that no live process holds
// (left by a run killed while it spooled). A missing dir holds none.
func StaleSpools(dir string) iter.Seq2[StaleSpool, error] {
	return func(yield func(StaleSpool, error) bool) {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			yield(StaleSpool{}, fmt.Errorf("spools: %w", err))
			return
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), SpoolPrefix) || !e.Type().IsRegular() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			stale, size, err := probeSpool(p)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue // removed meanwhile
				}
				if !yield(StaleSpool{}, fmt.Errorf("spools: %w", err)) {
					return
				}
				continue
			}
			if stale && !yield(StaleSpool{Path: p, Size: size}, nil) {
				return
			}
		}
	}
}

// probeSpool reports whether no process holds the spool file at p.
func probeSpool(p string) (stale bool, size int64, err error) {
	f, err := os.Open(p)
	if err != nil {
		return false, 0, err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return false, 0, nil
		}
		return false, 0, fmt.Errorf("lock %s: %w", p, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return false, 0, err
	}
	return true, fi.Size(), nil
}

// CleanSpools removes the stale spool files in dir and returns how many
// and how many bytes it freed.
func CleanSpools(dir string) (n int, size int64, err error) {
	for s, err := range StaleSpools(dir) {
		if err != nil {
			return n, size, err
		}
		removed, err := removeStale(s.Path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, size, fmt.Errorf("spools: %w", err)
		}
		if removed {
			n++
			size += s.Size
		}
	}
	return n, size, nil
}

// removeStale removes p if no process holds it. It removes while holding
// the lock, so that no new owner can take the name in between (newSpool
// checks that its file still has its name once locked).
func removeStale(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return false, nil // held again meanwhile: not stale
	}
	return true, os.Remove(p)
}
