package fs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blockhub/blockhub/connectors/connectortest"
	"github.com/blockhub/blockhub/connectors/fs"
)

// watcher runs a --watch import in the background and reports the paths
// it captures.
type watcher struct {
	t      *testing.T
	cancel context.CancelFunc
	got    chan string
	done   chan struct{}
}

func startWatch(t *testing.T, im *importer, dir string) *watcher {
	t.Helper()
	src, err := fs.New(dir, &fs.Options{Recursive: true, Watch: true, Settle: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	w := &watcher{t: t, cancel: cancel, got: make(chan string, 100), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		im.run(ctx, src, func(m map[string]any) { w.got <- m["path"].(string) })
	}()
	t.Cleanup(w.stop)
	return w
}

// expect waits for the next captured path.
func (w *watcher) expect(want string) {
	w.t.Helper()
	select {
	case got := <-w.got:
		if got != want {
			w.t.Fatalf("captured %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		w.t.Fatalf("%s not captured within 10s", want)
	}
}

// quiet checks that nothing is captured for a while.
func (w *watcher) quiet(d time.Duration) {
	w.t.Helper()
	select {
	case got := <-w.got:
		w.t.Fatalf("captured %s, want nothing", got)
	case <-time.After(d):
	}
}

// stop cancels the watch and waits for the import to end.
func (w *watcher) stop() {
	w.cancel()
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		w.t.Fatal("the watch did not end within 10s of its cancel")
	}
}

func TestWatch(t *testing.T) {
	dir := tree(t, map[string]string{"first.txt": "there before"})
	im := newImporter(t)
	w := startWatch(t, im, dir)
	w.expect("first.txt")

	// A new file, written in several steps: captured once, complete,
	// after it settled.
	f, err := os.Create(filepath.Join(dir, "new.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		f.WriteString(strings.Repeat("row,", i+1) + "\n")
		time.Sleep(10 * time.Millisecond)
	}
	f.Close()
	w.expect("new.csv")
	w.quiet(300 * time.Millisecond)

	// A new folder with a file in it, and a change to an old file.
	os.MkdirAll(filepath.Join(dir, "sub", "deep"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "deep", "x.json"), []byte(`{"x":1}`), 0o644)
	w.expect("sub/deep/x.json")
	os.WriteFile(filepath.Join(dir, "first.txt"), []byte("changed"), 0o644)
	w.expect("first.txt")
	w.stop()

	// A restart captures nothing that did not change meanwhile, then
	// what changes.
	w = startWatch(t, im, dir)
	w.quiet(400 * time.Millisecond)
	os.WriteFile(filepath.Join(dir, "after.txt"), []byte("after the restart"), 0o644)
	w.expect("after.txt")
	w.stop()
}

// TestWatchOpenWriter is issue 12 §2 for a watched folder: a file whose
// writer pauses in the middle of a line for longer than --settle is not
// captured while the writer holds it open; it is captured once, whole,
// when the writer closes it (even without a line end at its end).
func TestWatchOpenWriter(t *testing.T) {
	dir := tree(t, map[string]string{"first.txt": "there before"})
	im := newImporter(t)
	w := startWatch(t, im, dir)
	w.expect("first.txt")
	path := filepath.Join(dir, "slow.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("id,note\n1,fir")
	w.quiet(400 * time.Millisecond) // 8 times the settle time
	f.WriteString("st\n2,no line end")
	w.quiet(200 * time.Millisecond)
	f.Close()
	w.expect("slow.csv")
	w.quiet(300 * time.Millisecond)
	w.stop()
	var found int
	for _, r := range connectortest.Assets(t, im.hub, im.root) {
		if strings.Contains(string(r.Meta), `"path":"slow.csv"`) {
			found++
			if data := connectortest.Read(t, im.hub, r); string(data) != "id,note\n1,first\n2,no line end" {
				t.Errorf("captured %q, want the file as its writer closed it", data)
			}
		}
	}
	if found != 1 {
		t.Fatalf("slow.csv captured %d times, want once", found)
	}
}
