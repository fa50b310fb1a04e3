package fs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blockhub/blockhub"
	"github.com/blockhub/blockhub/chain"
	"github.com/blockhub/blockhub/connectors"
	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/connectors/fs"
	"github.com/blockhub/blockhub/internal/emit"
)

// tree writes files (path: content) under a new folder.
func tree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fixture is a folder of emitted data: csv, json lines, a png, junk bytes
// and a file big enough to be cut in parts.
func fixture(t testing.TB) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	want := map[string][]byte{}
	add := func(name string, write func(*bytes.Buffer) error) {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		want[name] = b.Bytes()
	}
	add("orders.csv", func(b *bytes.Buffer) error { return emit.CSV(b, emit.Options{Kind: emit.Orders, Rows: 50, Seed: 1}) })
	add("sub/contacts.json", func(b *bytes.Buffer) error { return emit.JSON(b, emit.Options{Kind: emit.Contacts, Rows: 20, Seed: 2}) })
	add("sub/deeper/logo", func(b *bytes.Buffer) error { return emit.Image(b, emit.ImageOptions{Width: 16, Height: 16, Seed: 3}) })
	add("junk.bin", func(b *bytes.Buffer) error { return emit.Junk(b, 2500, 4) })
	add("empty.txt", func(*bytes.Buffer) error { return nil })
	return dir, want
}

func TestConnector(t *testing.T) {
	dir, want := fixture(t)
	connectortest.Run(t, connectortest.Harness{
		Name: "fs",
		New: func(t *testing.T, c connectors.Common) connectors.Source {
			src, err := fs.New(dir, &fs.Options{Recursive: true, ChunkSize: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return src
		},
		Check: func(t *testing.T, chunks []connectors.Chunk) {
			got := map[string][]byte{}
			types := map[string]string{}
			for _, c := range chunks {
				rel := c.Meta["path"].(string)
				got[rel] = append(got[rel], c.Data...)
				types[rel] = c.Type
				if c.Key != fs.Key(filepath.Join(dir, filepath.FromSlash(rel))) {
					t.Errorf("%s: key %s", rel, c.Key)
				}
			}
			if len(got) != len(want) {
				t.Errorf("files %v, want %d", slices.Sorted(mapsKeys(got)), len(want))
			}
			for name, data := range want {
				if !bytes.Equal(got[name], data) {
					t.Errorf("%s: %d bytes back, want %d", name, len(got[name]), len(data))
				}
			}
			wantTypes := map[string]string{"orders.csv": "text/csv", "sub/contacts.json": "application/json",
				"sub/deeper/logo": "image/png", "junk.bin": "application/octet-stream", "empty.txt": "text/plain; charset=utf-8"}
			for name, typ := range wantTypes {
				if types[name] != typ {
					t.Errorf("%s: type %q, want %q", name, types[name], typ)
				}
			}
			// Files in lexical order of their paths, parts in order.
			var order []string
			part := map[string]int{}
			for _, c := range chunks {
				rel := c.Meta["path"].(string)
				if len(order) == 0 || order[len(order)-1] != rel {
					order = append(order, rel)
				}
				part[rel]++
				if p, ok := c.Meta["part"].([]int64); ok && p[0] != int64(part[rel]) {
					t.Errorf("%s: part %v, want %d", rel, p, part[rel])
				}
			}
			if got, want := strings.Join(order, " "), "empty.txt junk.bin orders.csv sub/contacts.json sub/deeper/logo"; got != want {
				t.Errorf("order %s, want %s", got, want)
			}
			if part["junk.bin"] != 3 {
				t.Errorf("junk.bin in %d parts, want 3", part["junk.bin"])
			}
		},
	})
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// counting returns n bytes that do not repeat within 100: "000 001 002 ...".
func counting(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%03d ", i)
	}
	return b.String()[:n]
}

func TestParts(t *testing.T) {
	dir := tree(t, map[string]string{"big.txt": counting(250)})
	src, _ := fs.New(dir, &fs.Options{ChunkSize: 100})
	chunks := connectortest.Collect(t, src, nil)
	var got []string
	for _, c := range chunks {
		got = append(got, fmt.Sprint(c.Meta["part"], c.Meta["offset"], len(c.Data), c.Records, c.Meta["hash"] != nil))
	}
	want := "[1 3] [0 100] 100 0 false|[2 3] [100 200] 100 0 false|[3 3] [200 250] 50 1 true"
	if strings.Join(got, "|") != want {
		t.Errorf("parts %s, want %s", strings.Join(got, "|"), want)
	}
	m := chunks[2].Meta
	if sum := sha256.Sum256([]byte(counting(250))); m["hash"] != hex.EncodeToString(sum[:]) {
		t.Errorf("hash %v, want the file's sha256", m["hash"])
	}
	if m["size"] != int64(250) || m["mode"] != "0644" || m["abs_path"] != filepath.Join(dir, "big.txt") {
		t.Errorf("meta %v", m)
	}
	if _, err := time.Parse(time.RFC3339Nano, m["mtime"].(string)); err != nil || !strings.HasSuffix(m["mtime"].(string), "Z") {
		t.Errorf("mtime %v: want RFC 3339 in UTC", m["mtime"])
	}
}

func TestFilters(t *testing.T) {
	dir := tree(t, map[string]string{
		"a.csv": "1", "b.txt": "22", "big.csv": strings.Repeat("x", 2000),
		"2026-01/c.csv": "333", "2026-01/deep/d.csv": "4444", "old/e.csv": "55555",
	})
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(filepath.Join(dir, "old/e.csv"), old, old)
	os.Chtimes(filepath.Join(dir, "b.txt"), old, old)
	tests := []struct {
		name string
		o    fs.Options
		want string
	}{
		{"top only", fs.Options{}, "a.csv b.txt big.csv"},
		{"recursive", fs.Options{Recursive: true}, "2026-01/c.csv 2026-01/deep/d.csv a.csv b.txt big.csv old/e.csv"},
		{"include", fs.Options{Recursive: true, Include: []string{"*.txt", "c.*"}}, "2026-01/c.csv b.txt"},
		{"include path", fs.Options{Recursive: true, Include: []string{"2026-01/*"}}, "2026-01/c.csv"},
		{"exclude", fs.Options{Recursive: true, Exclude: []string{"*.csv"}}, "b.txt"},
		{"include and exclude", fs.Options{Recursive: true, Include: []string{"*.csv"}, Exclude: []string{"big*", "old/*"}}, "2026-01/c.csv 2026-01/deep/d.csv a.csv"},
		{"include regexp", fs.Options{Recursive: true, IncludeRE: []*regexp.Regexp{regexp.MustCompile(`^2026-01/.*\.csv$`), regexp.MustCompile(`txt$`)}}, "2026-01/c.csv 2026-01/deep/d.csv b.txt"},
		{"include glob or regexp", fs.Options{Recursive: true, Include: []string{"a.*"}, IncludeRE: []*regexp.Regexp{regexp.MustCompile(`^old/`)}}, "a.csv old/e.csv"},
		{"exclude regexp", fs.Options{Recursive: true, ExcludeRE: []*regexp.Regexp{regexp.MustCompile(`/|^b`)}}, "a.csv"},
		{"dir regex", fs.Options{Recursive: true, DirRegex: regexp.MustCompile(`^2026-`)}, "2026-01/c.csv 2026-01/deep/d.csv"},
		{"dir regex root", fs.Options{Recursive: true, DirRegex: regexp.MustCompile(`^\.$`)}, "a.csv b.txt big.csv"},
		{"min size", fs.Options{Recursive: true, MinSize: 4}, "2026-01/deep/d.csv big.csv old/e.csv"},
		{"max size", fs.Options{Recursive: true, MaxSize: 3}, "2026-01/c.csv a.csv b.txt"},
		{"since", fs.Options{Recursive: true, Since: old.Add(time.Second)}, "2026-01/c.csv 2026-01/deep/d.csv a.csv big.csv"},
		{"until", fs.Options{Recursive: true, Until: old.Add(time.Second)}, "b.txt old/e.csv"},
		{"until excludes its instant", fs.Options{Recursive: true, Until: old}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := fs.New(dir, &tt.o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range connectortest.Collect(t, src, nil) {
				got = append(got, c.Meta["path"].(string))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2026-01-02T03:04:05Z", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"2026-01-02T03:04:05.5+01:00", time.Date(2026, 1, 2, 2, 4, 5, 5e8, time.UTC), false},
		{"2026-01-02", time.Date(2026, 1, 2, 0, 0, 0, 0, time.Local), false},
		{"2026-01-02 03:04:05", time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local), false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"90m", now.Add(-90 * time.Minute), false},
		{"7d", now.Add(-7 * 24 * time.Hour), false},
		{"1d12h", now.Add(-36 * time.Hour), false},
		{"yesterday", time.Time{}, true},
		{"-5h", time.Time{}, true},
		{"200000d", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := fs.ParseTime(tt.in, now)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v (error: %t)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// importer runs --prevent-dups imports onto one chain.
type importer struct {
	t     *testing.T
	hub   *blockhub.Hub
	root  chain.Block
	notes syncBuffer
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newImporter(t *testing.T) *importer {
	hub, root := connectortest.NewChain(t)
	return &importer{t: t, hub: hub, root: root}
}

// run imports src until it ends or ctx does, calling onAsset for each
// captured asset's meta, and returns the summary once they are linked.
func (im *importer) run(ctx context.Context, src connectors.Source, onAsset func(map[string]any)) connectors.Summary {
	im.t.Helper()
	sum, err := connectors.Capture(ctx, im.hub, im.root, src, connectors.ImportOptions{
		Connector: "fs", Common: connectors.Common{PreventDups: true}, Notes: &im.notes,
		OnAsset: func(o connectors.Outcome) {
			if !o.Skipped && onAsset != nil {
				var m map[string]any
				json.Unmarshal(o.Receipt.Meta, &m)
				onAsset(m)
			}
		},
	})
	if err != nil && ctx.Err() == nil {
		im.t.Fatalf("import: %v", err)
	}
	return sum
}

func TestPreventDups(t *testing.T) {
	dir := tree(t, map[string]string{"a.txt": "alpha", "b.txt": "bravo", "big.txt": counting(250)})
	src, _ := fs.New(dir, &fs.Options{ChunkSize: 100})
	im := newImporter(t)
	ctx := context.Background()
	if sum := im.run(ctx, src, nil); sum.Captured != 5 {
		t.Fatalf("first import: %+v", sum)
	}
	// Each file is passed over unread, and its assets counted as skipped
	// (big.txt has 3).
	if sum := im.run(ctx, src, nil); sum.Captured != 0 || sum.Skipped != 5 {
		t.Fatalf("re-import: %+v; want nothing read, 5 assets skipped", sum)
	}

	// Same size and mtime: skipped without being read, even though the
	// bytes differ (that is what makes a re-run cheap).
	a := filepath.Join(dir, "a.txt")
	fi, _ := os.Stat(a)
	os.WriteFile(a, []byte("ALPHA"), 0o644)
	os.Chtimes(a, fi.ModTime(), fi.ModTime())
	if sum := im.run(ctx, src, nil); sum.Captured != 0 || sum.Skipped != 5 {
		t.Fatalf("same size and mtime: %+v; want it skipped unread", sum)
	}
	// A new mtime: read, and the new content captured.
	later := fi.ModTime().Add(time.Minute)
	os.Chtimes(a, later, later)
	if sum := im.run(ctx, src, nil); sum.Captured != 1 {
		t.Fatalf("changed file: %+v", sum)
	}
	// Touched only: read again, its content is on the chain already.
	b := filepath.Join(dir, "b.txt")
	os.Chtimes(b, later, later)
	// (The others are skipped unread: 4 assets, and b.txt's 1.)
	if sum := im.run(ctx, src, nil); sum.Captured != 0 || sum.Skipped != 5 {
		t.Fatalf("touched file: %+v; want it read and skipped", sum)
	}
	// Appended to: the unchanged parts are skipped by content. (b.txt is
	// read and skipped again: only captured assets tell a later run about
	// a file, and its last one has the old mtime.)
	f, _ := os.OpenFile(filepath.Join(dir, "big.txt"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(strings.Repeat("y", 100))
	f.Close()
	var parts []string
	sum := im.run(ctx, src, func(m map[string]any) { parts = append(parts, fmt.Sprint(m["part"])) })
	if sum.Captured != 2 || sum.Skipped != 4 || strings.Join(parts, " ") != "[3 4] [4 4]" {
		t.Fatalf("appended file: %+v, parts %v", sum, parts)
	}
}

func TestSymlinks(t *testing.T) {
	outside := tree(t, map[string]string{"secret.txt": "outside"})
	dir := tree(t, map[string]string{"in/a.txt": "inside"})
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(dir, "in/a.txt"), filepath.Join(dir, "link-in.txt")))
	must(os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "link-out.txt")))
	must(os.Symlink(outside, filepath.Join(dir, "outdir")))
	must(os.Symlink(dir, filepath.Join(dir, "in/loop")))
	must(os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "broken")))
	paths := func(o fs.Options) string {
		o.Recursive = true
		src, err := fs.New(dir, &o)
		must(err)
		var got []string
		for _, c := range connectortest.Collect(t, src, nil) {
			got = append(got, c.Meta["path"].(string))
		}
		return strings.Join(got, " ")
	}
	if got, want := paths(fs.Options{}), "in/a.txt link-in.txt"; got != want {
		t.Errorf("default: %q, want %q", got, want)
	}
	if got, want := paths(fs.Options{FollowSymlinks: true}), "in/a.txt link-in.txt link-out.txt outdir/secret.txt"; got != want {
		t.Errorf("--follow-symlinks: %q, want %q", got, want)
	}
	// The skipped links are noted.
	im := newImporter(t)
	src, _ := fs.New(dir, &fs.Options{Recursive: true})
	im.run(context.Background(), src, nil)
	for _, want := range []string{"link-out.txt: a link out of", "outdir: a link out of", "broken: broken link"} {
		if !strings.Contains(im.notes.String(), want) {
			t.Errorf("notes %q lack %q", im.notes.String(), want)
		}
	}
}

// FuzzParseTime: any input parses or fails without a panic, and a time it
// returns reads back the same from its RFC 3339 form.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-01-02", "2026-01-02T03:04:05Z", "24h", "7d", "1d12h30m", "-1h", "9999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := fs.ParseTime(s, now)
		if err != nil {
			return
		}
		back, err := fs.ParseTime(got.Format(time.RFC3339Nano), now)
		if err != nil || !back.Equal(got) {
			t.Errorf("ParseTime(%q) = %v; its RFC 3339 form reads back as %v, %v", s, got, back, err)
		}
	})
}

// TestUnmatched: a pattern that matches none of the files is told, on
// every run (a regular expression given to --include matches nothing).
func TestUnmatched(t *testing.T) {
	dir := tree(t, map[string]string{"a.csv": "1", "b.txt": "22", "sub/c.csv": "333"})
	var notes strings.Builder
	src, err := fs.New(dir, &fs.Options{Recursive: true, Include: []string{`.*\.csv$`, "*.txt"},
		ExcludeRE: []*regexp.Regexp{regexp.MustCompile(`\.json$`)}, Notes: &notes})
	if err != nil {
		t.Fatal(err)
	}
	chunks := connectortest.Collect(t, src, nil)
	if len(chunks) != 1 || chunks[0].Meta["path"] != "b.txt" {
		t.Fatalf("%d chunks, want b.txt alone", len(chunks))
	}
	lines := strings.Split(strings.TrimSpace(notes.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `--include ".*\\.csv$" matched 0 of 3 file(s)`) ||
		!strings.Contains(lines[0], "use --include-re") || !strings.Contains(lines[1], `--exclude-re "\\.json$" matched 0 of 3 file(s)`) {
		t.Fatalf("notes %q, want one for the glob and one for the regexp that matched nothing", lines)
	}
}

// TestBatch: the files are listed before they are read, so every asset's
// batch says [i, n], n the assets of the run (parts included).
func TestBatch(t *testing.T) {
	dir := tree(t, map[string]string{"a.txt": "alpha", "b.txt": counting(250), "c.txt": "charlie"})
	src, _ := fs.New(dir, &fs.Options{ChunkSize: 100})
	var got []string
	for _, c := range connectortest.Collect(t, src, nil) {
		got = append(got, fmt.Sprint(c.Meta["batch"]))
	}
	if want := "[1 5] [2 5] [3 5] [4 5] [5 5]"; strings.Join(got, " ") != want {
		t.Fatalf("batches %q, want %q", got, want)
	}
}
