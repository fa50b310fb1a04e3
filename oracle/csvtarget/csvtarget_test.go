package csvtarget

import (
	"context"
	"os"
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
