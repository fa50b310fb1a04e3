package csvtarget

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockhub/blockhub/oracle"
)

func batch(name string, asset int, rows ...[]any) *oracle.Batch {
	return &oracle.Batch{Name: name, Pos: oracle.Position{Chain: "c", Block: "b", Height: 1, Asset: asset},
		Sets: []oracle.RowSet{{Mode: oracle.Upsert, Columns: []string{"id", "v"}, Rows: rows}}}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every crash point of a write leaves the file and its position in step.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	for _, crash := range []string{"before commit", "after commit", "clean"} {
		t.Run(crash, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.csv")
			tg, err := Open(path, []string{"id"})
			if err != nil {
				t.Fatal(err)
			}
			tg.Apply(ctx, batch("r", 0, []any{"1", "a"}))
			if err := tg.Close(); err != nil {
				t.Fatal(err)
			}
			firstData, firstSide := read(t, path), read(t, Sidecar(path))
			// A second batch, then the files as a crash would leave them.
			tg2, err := Open(path, []string{"id"})
			if err != nil {
				t.Fatal(err)
			}
			close(tg2.stop)
			<-tg2.done
			tg2.Apply(ctx, batch("r", 1, []any{"2", "b"}))
			tg2.mu.Lock()
			if err := tg2.write(); err != nil {
				t.Fatal(err)
			}
			tg2.mu.Unlock()
			tg2.lock.Close() // the crash: the kernel drops the lock
			switch crash {
			case "before commit": // FILE.next written, the sidecar not yet renamed
				os.WriteFile(path+".next", []byte(read(t, path)), 0o644)
				os.WriteFile(path, []byte(firstData), 0o644)
				os.WriteFile(Sidecar(path), []byte(firstSide), 0o644)
			case "after commit": // sidecar renamed, FILE.next not yet
				os.WriteFile(path+".next", []byte(read(t, path)), 0o644)
				os.WriteFile(path, []byte("id,v\n1,a\n"), 0o644)
			}
			tg3, err := Open(path, []string{"id"})
			if err != nil {
				t.Fatal(err)
			}
			defer tg3.Close()
			p, _, _ := tg3.Position(ctx, "r", "c")
			got := read(t, path)
			want := map[string]string{"before commit": "id,v\n1,a\n", "after commit": "id,v\n1,a\n2,b\n", "clean": "id,v\n1,a\n2,b\n"}[crash]
			wantAsset := map[string]int{"before commit": 0, "after commit": 1, "clean": 1}[crash]
			if got != want || p.Asset != wantAsset {
				t.Errorf("after a crash %s: file %q at asset %d; want %q at asset %d", crash, got, p.Asset, want, wantAsset)
			}
			if _, err := os.Stat(path + ".next"); !os.IsNotExist(err) {
				t.Errorf("%s.next left behind", path)
			}
		})
	}
}

func TestRefusesEditedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	tg, _ := Open(path, []string{"id"})
	tg.Apply(context.Background(), batch("r", 0, []any{"1", "a"}))
	tg.Close()
	os.WriteFile(path, []byte("id,v\n1,edited\n"), 0o644)
	if _, err := Open(path, nil); err == nil || !strings.Contains(err.Error(), "does not match its checkpoint") {
		t.Fatalf("Open(edited) = %v; want a refusal", err)
	}
	other := filepath.Join(t.TempDir(), "mine.csv")
	os.WriteFile(other, []byte("a,b\n"), 0o644)
	if _, err := Open(other, nil); err == nil || !strings.Contains(err.Error(), "not written by an oracle") {
		t.Fatalf("Open(foreign file) = %v; want a refusal", err)
	}
}

// Two replays into one CSV file at once would each rewrite it from their
// own table, dropping what the other wrote: the second Open is refused,
// in the same process and from another process, until the first closes.
func TestOneWriterAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	first, err := Open(path, []string{"id"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, []string{"id"}); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Open while the first is open: err = %v; want ErrBusy", err)
	}
	// Another process: flock(1) on the same lock file fails at once.
	if flock, err := exec.LookPath("flock"); err == nil {
		if out, err := exec.Command(flock, "-n", path+".bh-lock", "true").CombinedOutput(); err == nil {
			t.Fatalf("another process took the lock while a target holds it (%s)", out)
		}
	}
	first.Apply(context.Background(), batch("a", 0, []any{"1", "a"}))
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := Open(path, []string{"id"})
	if err != nil {
		t.Fatalf("Open after the first closed: %v", err)
	}
	second.Apply(context.Background(), batch("b", 0, []any{"2", "b"}))
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, path), "id,v\n1,a\n2,b\n"; got != want {
		t.Errorf("file %q; want %q (both replays' rows)", got, want)
	}
}
