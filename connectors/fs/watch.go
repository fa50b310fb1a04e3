package fs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// pendingFile is a file that changed and waits to settle.
type pendingFile struct {
	st    stamp
	since time.Time // when it last changed
}

// watch captures every file once (as a run without Watch does), then
// files as they appear or change, each once it has stayed unchanged for
// Settle and no process has it open for writing (where the system can
// tell, see openForWriting), until the context ends. So a file being
// written, whose last line may be cut, is captured once its writer has
// closed it, however long the writer pauses.
func (r *run) watch() error {
	if r.st == nil {
		return errors.New("fs: --watch needs the chain's index (connectors.ImportOptions.Index), so that a restart does not capture every file again")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	// Folders are watched as the first pass reaches them, before their
	// files are read, so that no change falls between the two.
	r.onDir = func(abs string) {
		if err := w.Add(abs); err != nil {
			r.note("fs: cannot watch %s: %v", abs, err)
		}
	}
	if err := r.pass(); err != nil {
		return r.quiet(err)
	}
	settle := r.src.o.Settle
	tick := time.NewTicker(max(settle/4, 10*time.Millisecond))
	defer tick.Stop()
	pending := map[string]*pendingFile{}
	mark := func(f file) error {
		pending[f.abs] = &pendingFile{since: time.Now()}
		return nil
	}
	for {
		select {
		case <-r.ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			switch {
			case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
				delete(pending, ev.Name) // a new name comes as a Create
			case ev.Has(fsnotify.Create) && r.src.o.Recursive && isDir(ev.Name):
				// A new folder: watch it, and take the files that were
				// put in it before the watch was added.
				if err := r.newDir(ev.Name, mark); err != nil {
					return r.quiet(err)
				}
			default:
				pending[ev.Name] = &pendingFile{since: time.Now()}
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				r.note("fs: watch: %v", err)
				continue
			}
			r.note("fs: watch: %v; looking at every file again", err)
			clear(r.visited)
			if err := r.walk(r.src.root, ".", r.src.real, mark); err != nil {
				return r.quiet(err)
			}
		case now := <-tick.C:
			for abs, p := range pending {
				info, err := os.Stat(abs)
				if err != nil {
					delete(pending, abs) // gone again
					continue
				}
				st := stamp{info.Size(), info.ModTime().UTC().Format(time.RFC3339Nano)}
				if st != p.st {
					p.st, p.since = st, now
					continue
				}
				if now.Sub(p.since) < settle {
					continue
				}
				if openForWriting(abs) {
					continue // still being written: wait for its close
				}
				delete(pending, abs)
				if err := r.consider(abs); err != nil {
					return r.quiet(err)
				}
			}
		}
	}
}

// quiet turns the end of the context into the end of the watch.
func (r *run) quiet(err error) error {
	if r.ctx.Err() != nil {
		return nil
	}
	return err
}

func isDir(name string) bool {
	fi, err := os.Lstat(name)
	return err == nil && fi.IsDir()
}

// relPath returns the slash-separated path of abs relative to the root, or
// false when abs is not under it.
func (r *run) relPath(abs string) (string, bool) {
	rel, err := filepath.Rel(r.src.root, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// newDir walks a folder that appeared under the root.
func (r *run) newDir(abs string, fn func(file) error) error {
	rel, ok := r.relPath(abs)
	if !ok {
		return nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil // gone again
	}
	return r.walk(abs, rel, real, fn)
}

// consider captures a file that changed, if it is one the run captures.
func (r *run) consider(abs string) error {
	rel, ok := r.relPath(abs)
	if !ok || (!r.src.o.Recursive && strings.Contains(rel, "/")) || !r.src.f.byName(rel, nil) {
		return nil
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return nil
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		if _, ok := r.follow(abs); !ok {
			return nil
		}
		if fi, err = os.Stat(abs); err != nil {
			return nil
		}
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	return r.capture(file{abs: abs, rel: rel, info: fi})
}
