package fs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	iofs "io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/blockhub/blockhub/connectors"
)

// Defaults.
const (
	// DefaultChunkSize is the most bytes one asset holds; bigger files are
	// captured in parts.
	DefaultChunkSize = 64 << 20
	// DefaultSettle is how long, with Watch, a file must stay unchanged
	// before it is captured.
	DefaultSettle = 200 * time.Millisecond
)

// Options tune a Source; the zero value (or nil) captures the files
// directly in the folder, whole up to 64 MiB.
type Options struct {
	// Recursive descends into subfolders.
	Recursive bool
	// Include, when set, keeps only files matching one of these globs;
	// Exclude drops files matching any. A glob with a "/" matches the
	// path relative to the folder, any other the file's base name
	// (path.Match syntax: *, ?, [a-z]; * does not cross a "/").
	Include, Exclude []string
	// IncludeRE and ExcludeRE are regular expressions (Go syntax)
	// matched against the path relative to the folder, slash-separated,
	// anywhere in it unless anchored: a file must match a glob of Include
	// or an expression of IncludeRE (when there are any), and none of
	// Exclude and ExcludeRE.
	IncludeRE, ExcludeRE []*regexp.Regexp
	// DirRegex, when set, keeps only files whose folder (relative to the
	// root, "." for the root itself) matches it.
	DirRegex *regexp.Regexp
	// MinSize and MaxSize bound the file sizes (0: no bound).
	MinSize, MaxSize int64
	// Since and Until bound the modification times: Since <= mtime < Until.
	Since, Until time.Time
	// ChunkSize is the most bytes per asset (0: DefaultChunkSize).
	ChunkSize int64
	// FollowSymlinks follows symbolic links that lead out of the folder;
	// links that stay inside it are always followed.
	FollowSymlinks bool
	// Watch keeps running after the first pass, capturing files as they
	// appear or change, until the context ends. It needs a State (that
	// is, --prevent-dups).
	Watch bool
	// Settle is how long a watched file must stay unchanged before it is
	// captured (0: DefaultSettle).
	Settle time.Duration
	// Notes receives one-line notes for the user on every run (a filter
	// that matched none of the files); nil leaves them to the State.
	Notes io.Writer
}

// Source captures the files of a folder, one asset per file (or per
// ChunkSize part of a big file).
type Source struct {
	dir  string // as given
	root string // absolute
	real string // root with symbolic links resolved
	o    Options
	f    filter
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Sizer   = (*Source)(nil)
	_ connectors.Resumer = (*Source)(nil)
)

// New returns a source over the folder dir.
func New(dir string, o *Options) (*Source, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	switch {
	case opts.ChunkSize < 0:
		return nil, connectors.Usagef("fs: --chunk-size %d: want a positive size", opts.ChunkSize)
	case opts.MinSize < 0 || opts.MaxSize < 0:
		return nil, connectors.Usagef("fs: --min-size and --max-size must not be negative")
	case opts.MaxSize > 0 && opts.MinSize > opts.MaxSize:
		return nil, connectors.Usagef("fs: --min-size %d is above --max-size %d", opts.MinSize, opts.MaxSize)
	case !opts.Since.IsZero() && !opts.Until.IsZero() && !opts.Since.Before(opts.Until):
		return nil, connectors.Usagef("fs: --since %s is not before --until %s", opts.Since.Format(time.RFC3339), opts.Until.Format(time.RFC3339))
	}
	if err := checkGlobs("include", opts.Include); err != nil {
		return nil, &connectors.UsageError{Err: fmt.Errorf("fs: %w", err)}
	}
	if err := checkGlobs("exclude-files", opts.Exclude); err != nil {
		return nil, &connectors.UsageError{Err: fmt.Errorf("fs: %w", err)}
	}
	if opts.ChunkSize == 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.Settle <= 0 {
		opts.Settle = DefaultSettle
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("fs: %s: %w", dir, err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("fs: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("fs: %s: not a folder", dir)
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("fs: %w", err)
	}
	return &Source{
		dir: filepath.Clean(dir), root: root, real: real, o: opts,
		f: filter{include: opts.Include, exclude: opts.Exclude, includeRE: opts.IncludeRE, excludeRE: opts.ExcludeRE, dirRegex: opts.DirRegex,
			minSize: opts.MinSize, maxSize: opts.MaxSize, since: opts.Since, until: opts.Until},
	}, nil
}

// Key is the source key of the file at abs (an absolute path).
func Key(abs string) string { return "fs:" + abs }

// Resumes implements connectors.Resumer: a watch is handed the chain's
// index on every run, so a restart skips the files it captured before.
func (s *Source) Resumes() string {
	if !s.o.Watch {
		return ""
	}
	return "fs-watch:" + s.root
}

// Size is the total size of the files a first pass would read (-1 with
// Watch, which has no end).
func (s *Source) Size() int64 {
	if s.o.Watch {
		return -1
	}
	var n int64
	r := &run{src: s, ctx: context.Background(), visited: map[string]bool{}}
	r.walk(s.root, ".", s.real, func(f file) error {
		n += f.info.Size()
		return nil
	})
	return n
}

// errStop ends a run whose consumer stopped.
var errStop = errors.New("stop")

// Chunks yields the chunks of every file that passes the filters, in
// lexical order of their paths (with Watch, then of files as they appear
// or change). With st (--prevent-dups) it skips, without reading it, a
// file whose size and modification time are those of its last complete
// capture.
//
// A file or folder that cannot be read is skipped with a note; the run
// goes on with the others and, without Watch, ends with an error naming
// them. One removed between its listing and its reading is only noted.
func (s *Source) Chunks(ctx context.Context, st connectors.State) iter.Seq2[connectors.Chunk, error] {
	return func(yield func(connectors.Chunk, error) bool) {
		r := &run{src: s, ctx: ctx, st: st, yield: yield, visited: map[string]bool{}, seen: map[string]stamp{}}
		var err error
		if s.o.Watch {
			err = r.watch()
		} else {
			err = r.pass()
			if err == nil {
				err = r.failed()
			}
		}
		if err != nil && err != errStop {
			yield(connectors.Chunk{}, err)
		}
	}
}

// run is one pass of a Source.
type run struct {
	src     *Source
	ctx     context.Context
	st      connectors.State
	yield   func(connectors.Chunk, error) bool
	visited map[string]bool  // real paths of the folders walked
	seen    map[string]stamp // files captured by this run (for Watch)
	done    int64            // bytes read
	bad     []string         // files that could not be read
	nbad    int
	onDir   func(abs string) // called for every folder walked (Watch)
	tally   *tally           // what the name filters matched, in a pass
	// batch is the index of the last chunk yielded, of batches: the
	// chunks of a pass, or of one file a watch captures.
	batch, batches int64
}

// pass captures the files of a walk: it lists them first (the filters
// applied, and files unchanged since their last capture passed over), so
// that every chunk's batch says [i, n], then reads them in order.
func (r *run) pass() error {
	r.tally = &tally{}
	var todo []file
	var n int64
	err := r.walk(r.src.root, ".", r.src.real, func(f file) error {
		if parts := r.wanted(f); parts > 0 {
			todo = append(todo, f)
			n += parts
		}
		return nil
	})
	for _, line := range r.src.f.unmatched(r.tally) {
		r.tell("fs: %s in %s", line, r.src.dir)
	}
	r.tally = nil
	if err != nil {
		return err
	}
	r.batch, r.batches = 0, n
	for _, f := range todo {
		if err := r.read(f); err != nil {
			return err
		}
	}
	return nil
}

// tell writes a note the user gets on every run: to Options.Notes, or
// else through the State.
func (r *run) tell(format string, a ...any) {
	if r.src.o.Notes != nil {
		connectors.Common{Notes: r.src.o.Notes}.Note(format, a...)
		return
	}
	r.note(format, a...)
}

// stamp is what tells whether a file changed.
type stamp struct {
	size  int64
	mtime string
}

// file is a candidate: a regular file (or a link to one) under the root.
type file struct {
	abs, rel string
	info     iofs.FileInfo // of the file, links followed
}

// note tells the user something, when there is a State to tell it with.
func (r *run) note(format string, a ...any) {
	if r.st != nil {
		r.st.Note(format, a...)
	}
}

// unreadable records a file or folder that could not be read.
func (r *run) unreadable(name string, err error) {
	r.note("fs: skipped %s: %v", name, unwrapPath(err))
	r.nbad++
	if len(r.bad) < 3 {
		r.bad = append(r.bad, fmt.Sprintf("%s (%v)", name, unwrapPath(err)))
	}
}

func (r *run) failed() error {
	if r.nbad == 0 {
		return nil
	}
	more := ""
	if r.nbad > len(r.bad) {
		more = fmt.Sprintf(" and %d more", r.nbad-len(r.bad))
	}
	return fmt.Errorf("fs: %d file(s) or folder(s) could not be read: %s%s", r.nbad, strings.Join(r.bad, ", "), more)
}

// unwrapPath drops the path from an *fs.PathError, which the messages
// already name.
func unwrapPath(err error) error {
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// walk calls fn for every file under the folder abs (whose path relative
// to the root is rel and whose real path is real) that passes the name
// filters, in lexical order.
func (r *run) walk(abs, rel, real string, fn func(file) error) error {
	if r.visited[real] {
		return nil // reached twice through links
	}
	r.visited[real] = true
	if r.onDir != nil {
		r.onDir(abs)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		switch {
		case rel == ".":
			return fmt.Errorf("fs: %w", err)
		case !errors.Is(err, iofs.ErrNotExist): // else removed since it was listed
			r.unreadable(abs, err)
		}
		return nil
	}
	for _, e := range entries {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		childAbs := filepath.Join(abs, name)
		childRel := path.Join(rel, name)
		childReal := filepath.Join(real, name)
		typ := e.Type()
		if typ&iofs.ModeSymlink != 0 {
			target, ok := r.follow(childAbs)
			if !ok {
				continue
			}
			info, err := os.Stat(childAbs)
			if err != nil {
				r.unreadable(childAbs, err)
				continue
			}
			childReal, typ = target, info.Mode().Type()
		}
		switch {
		case typ.IsDir():
			if r.src.o.Recursive {
				if err := r.walk(childAbs, childRel, childReal, fn); err != nil {
					return err
				}
			}
		case typ.IsRegular():
			if !r.src.f.byName(childRel, r.tally) {
				continue
			}
			var info iofs.FileInfo
			if e.Type()&iofs.ModeSymlink != 0 {
				info, err = os.Stat(childAbs)
			} else {
				info, err = e.Info()
			}
			if errors.Is(err, iofs.ErrNotExist) {
				continue // removed since it was listed
			}
			if err != nil {
				r.unreadable(childAbs, err)
				continue
			}
			if err := fn(file{abs: childAbs, rel: childRel, info: info}); err != nil {
				return err
			}
		}
		// Devices, pipes and sockets are not files to capture.
	}
	return nil
}

// follow resolves a symbolic link and reports whether to follow it: a link
// out of the root only with FollowSymlinks.
func (r *run) follow(link string) (string, bool) {
	target, err := filepath.EvalSymlinks(link)
	if err != nil {
		r.note("fs: skipped %s: broken link (%v)", link, unwrapPath(err))
		return "", false
	}
	rel, err := filepath.Rel(r.src.real, target)
	inside := err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	if !inside && !r.src.o.FollowSymlinks {
		r.note("fs: skipped %s: a link out of %s, to %s (see --follow-symlinks)", link, r.src.dir, target)
		return "", false
	}
	return target, true
}

// last is what a file's last capture says, as State.Last returns it.
type last struct {
	Size  int64   `json:"size"`
	MTime string  `json:"mtime"`
	Hash  string  `json:"hash"`
	Part  []int64 `json:"part"`
}

// stampOf is the stamp of a file as listed.
func stampOf(f file) stamp {
	return stamp{f.info.Size(), f.info.ModTime().UTC().Format(time.RFC3339Nano)}
}

// wanted returns how many chunks a capture of f yields: 0 when it does
// not pass the size and time filters, or is unchanged since its last
// complete capture (then the State is told its assets were skipped).
func (r *run) wanted(f file) int64 {
	if !r.src.f.byStat(f.info.Size(), f.info.ModTime()) {
		return 0
	}
	key, now := Key(f.abs), stampOf(f)
	if prev, ok := r.seen[key]; ok && prev == now {
		return 0
	}
	if r.st != nil {
		if b, ok := r.st.Last(key); ok {
			var l last
			if json.Unmarshal(b, &l) == nil && l.Hash != "" && (stamp{l.Size, l.MTime}) == now {
				r.remember(key, now)
				n := 1
				if len(l.Part) == 2 {
					n = int(l.Part[1])
				}
				connectors.Skip(r.st, n)
				return 0
			}
		}
	}
	return r.partsOf(now.size)
}

// partsOf is the number of chunks of a file of size bytes.
func (r *run) partsOf(size int64) int64 {
	return max((size+r.src.o.ChunkSize-1)/r.src.o.ChunkSize, 1)
}

// capture yields the chunks of one file, a batch of their own, unless
// wanted says there are none.
func (r *run) capture(f file) error {
	n := r.wanted(f)
	if n == 0 {
		return nil
	}
	r.batch, r.batches = 0, n
	return r.read(f)
}

// read yields the chunks of a file, as it was listed.
func (r *run) read(f file) error {
	key, now := Key(f.abs), stampOf(f)
	fh, err := os.Open(f.abs)
	if errors.Is(err, iofs.ErrNotExist) {
		r.note("fs: %s was removed before it was read", f.abs)
		return nil
	}
	if err != nil {
		r.unreadable(f.abs, err)
		return nil
	}
	defer fh.Close()
	if err := r.parts(fh, f, key, now); err != nil {
		if err == errStop || r.ctx.Err() != nil {
			return err
		}
		r.unreadable(f.abs, err)
		return nil
	}
	r.remember(key, now)
	return nil
}

// remember notes, in a watch, the stamp of a file captured or found on
// the chain: the index the State reads is not updated during a run.
func (r *run) remember(key string, st stamp) {
	if r.src.o.Watch {
		r.seen[key] = st
	}
}

// parts reads a file in ChunkSize parts, as it was when stat'ed: bytes
// appended since are left for the next capture.
func (r *run) parts(fh *os.File, f file, key string, st stamp) error {
	chunk := r.src.o.ChunkSize
	n := r.partsOf(st.size)
	var h hash.Hash = sha256.New()
	typ := ""
	for i := int64(1); i <= n; i++ {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		start := (i - 1) * chunk
		data := make([]byte, min(chunk, st.size-start))
		if _, err := io.ReadFull(fh, data); err != nil {
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				return fmt.Errorf("shrank from %d bytes while being read", st.size)
			}
			return err
		}
		h.Write(data)
		if typ == "" {
			typ = contentType(f.abs, data[:min(len(data), 512)])
		}
		meta := map[string]any{
			"path":     f.rel,
			"abs_path": f.abs,
			"size":     st.size,
			"mode":     fmt.Sprintf("%#o", f.info.Mode().Perm()),
			"mtime":    st.mtime,
		}
		r.batch++
		meta["batch"] = []int64{r.batch, max(r.batch, r.batches)}
		if n > 1 {
			meta["part"] = []int64{i, n}
			meta["offset"] = []int64{start, start + int64(len(data))}
		}
		records := 0
		if i == n {
			meta["hash"] = hex.EncodeToString(h.Sum(nil))
			records = 1
		}
		r.done += int64(len(data))
		c := connectors.Chunk{Data: data, Type: typ, Meta: meta, Key: key, Records: records, Done: r.done}
		if !r.yield(c, nil) {
			return errStop
		}
	}
	return nil
}
