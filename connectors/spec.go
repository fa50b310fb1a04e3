package connectors

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
)

// Kind is the type of an option's value.
type Kind int

// Option kinds.
const (
	String Kind = iota
	Int
	Bool
	Size     // bytes with units: 10M, 4kb, 1.2gb
	Duration // 1h, 30s
	List     // repeatable, or a comma list
)

// Option is one connector-specific flag. The CLI makes a flag --Name with
// the env variable BH_<CONNECTOR>_<NAME> from it, and the docs list it.
type Option struct {
	Name     string
	Kind     Kind
	Default  string
	Help     string
	Required bool
	// Secret options are never printed, logged or put in meta.
	Secret bool
}

// Spec describes a connector: what bhctl import NAME shows and builds.
type Spec struct {
	Name      string
	Usage     string // one line
	Help      string // paragraphs for bhctl help and the docs page
	ArgsUsage string // e.g. "FILE..."
	Options   []Option
	Examples  []string
	// New returns the source for args and option values; errors are
	// usage errors when they matter to how the command was typed.
	New func(args []string, v Values, c Common) (Source, error)
}

// Source is a connector ready to run: it yields chunks in order.
type Source interface {
	// Chunks yields the source's chunks. st tells what the chain already
	// holds (nil without --prevent-dups, unless the source is a Resumer),
	// so a connector can resume where an earlier capture stopped. An error ends the run; the chunks
	// yielded before it are kept.
	Chunks(ctx context.Context, st State) iter.Seq2[Chunk, error]
}

// Resumer is implemented by sources that keep their place on the chain,
// such as a followed log or a watched folder: when Resumes names what
// they read, they are handed the State on every run, with or without
// --prevent-dups, so a restart carries on where the last run stopped.
// (--prevent-dups adds the skipping of chunks whose content the chain
// already holds.) Two runs resuming the same name on one chain would
// both capture what is new, so Capture lets only one run at a time.
type Resumer interface {
	// Resumes returns what this run resumes (such as "stream:" and the
	// file's path), or "" when it starts afresh.
	Resumes() string
}

// resumes returns what src resumes, "" for none.
func resumes(src Source) string {
	if r, ok := src.(Resumer); ok {
		return r.Resumes()
	}
	return ""
}

// Sizer is implemented by sources that know their input size in bytes,
// for the progress bar.
type Sizer interface {
	Size() int64
}

// State is what a connector may ask about the chain it appends to.
type State interface {
	// Has reports whether an asset with this hash is on the chain.
	Has(hash string) bool
	// Last returns the meta of the latest asset captured under key.
	Last(key string) ([]byte, bool)
	// Note tells the user something about the run (one line on stderr).
	Note(format string, a ...any)
}

// Skipper is implemented by the State the runner hands to sources. A
// source that passes over something whose capture the chain holds
// already, without yielding it (an unchanged file it does not read),
// reports how many assets that capture had, so the summary counts them
// as skipped.
type Skipper interface {
	Skip(n int)
}

// Skip tells st, when it is a Skipper, that n assets already on the chain
// were passed over.
func Skip(st State, n int) {
	if s, ok := st.(Skipper); ok {
		s.Skip(n)
	}
}

// Chunk is one asset-to-be, as a connector yields it.
type Chunk struct {
	Data []byte
	Type string
	// Meta is the connector's meta; the runner adds "source", "key" and
	// the user's --meta pairs.
	Meta map[string]any
	// Key names what the chunk was read from (e.g. "csv:/abs/orders.csv"),
	// so a later run can find its latest capture with State.Last.
	Key string
	// Records is how many records (rows, lines, documents) the chunk holds.
	Records int
	// Done is how many input bytes have been read once this chunk is
	// yielded, for progress.
	Done int64
	// Finish, when set, completes the chunk (Data, Type, Meta) on the
	// goroutine that stores it, so that the connector can yield it and go
	// on reading before the slow part of it is ready (csv: the digest of
	// the file up to the chunk's end, computed beside the scan; the
	// encoding of --format). The runner calls it once; a caller reading
	// Chunks itself calls Complete.
	Finish func(*Chunk) error
}

// Complete runs c's Finish, if any, once.
func (c *Chunk) Complete() error {
	f := c.Finish
	if f == nil {
		return nil
	}
	c.Finish = nil
	return f(c)
}

var (
	mu    sync.RWMutex
	specs = map[string]Spec{}
)

// Register adds a connector; it panics on a duplicate name.
func Register(s Spec) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := specs[s.Name]; dup {
		panic("connectors: " + s.Name + " registered twice")
	}
	specs[s.Name] = s
}

// Lookup returns the connector named name.
func Lookup(name string) (Spec, error) {
	mu.RLock()
	defer mu.RUnlock()
	if s, ok := specs[name]; ok {
		return s, nil
	}
	return Spec{}, fmt.Errorf("unknown connector %q (known: %s)", name, strings.Join(namesLocked(), ", "))
}

// All returns every registered connector, sorted by name.
func All() []Spec {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Spec, 0, len(specs))
	for _, n := range namesLocked() {
		out = append(out, specs[n])
	}
	return out
}

func namesLocked() []string {
	n := make([]string, 0, len(specs))
	for k := range specs {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Values are option values by name, as typed (the CLI fills them from
// flags, env variables and defaults). The typed getters parse them.
type Values map[string][]string

// String returns the value of a String option.
func (v Values) String(name string) string {
	if s := v[name]; len(s) > 0 {
		return s[len(s)-1]
	}
	return ""
}

// Strings returns every value of a List option, comma lists split.
func (v Values) Strings(name string) []string {
	var out []string
	for _, s := range v[name] {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// Int parses an Int option; empty is 0.
func (v Values) Int(name string) (int, error) {
	s := v.String(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("--%s %q: want a whole number", name, s)
	}
	return n, nil
}

// Bool parses a Bool option.
func (v Values) Bool(name string) bool {
	b, _ := strconv.ParseBool(v.String(name))
	return b
}

// Size parses a Size option ("10M", "4kb", "1.2gb"); empty is 0.
func (v Values) Size(name string) (int64, error) {
	return ParseSize(name, v.String(name))
}

// ParseSize parses a size with units for the option named name.
func ParseSize(name, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil || n > 1<<62 {
		return 0, fmt.Errorf("--%s %q: want a size such as 512, 4kb, 10M or 1.2gb", name, s)
	}
	return int64(n), nil
}

// Duration parses a Duration option; empty is 0.
func (v Values) Duration(name string) (time.Duration, error) {
	s := v.String(name)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("--%s %q: want a duration such as 30s or 1h", name, s)
	}
	return d, nil
}
