package filestore

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestPublish runs publish with an O_TMPFILE (where this system has
// them) and with the named temporary file used elsewhere.
func TestPublish(t *testing.T) {
	for _, tt := range []struct {
		name  string
		named bool
	}{{"O_TMPFILE", false}, {"named", true}} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			d := dir{dir: filepath.Join(root, "assets"), tmp: filepath.Join(root, "tmp"), sync: true, anon: &anonTemp{}}
			if err := os.MkdirAll(d.tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.named {
				d.anon.once.Do(func() {}) // as if the probe had failed
			} else if !probeAnonTemp(d.tmp) {
				t.Skip("no O_TMPFILE here")
			}
			path := d.path("ab12", ".blob") // its shard folder does not exist yet
			write := func(s string) func(io.Writer) error {
				return func(w io.Writer) error {
					_, err := io.WriteString(w, s)
					return err
				}
			}
			if err := d.publish(path, write("first")); err != nil {
				t.Fatal(err)
			}
			if err := d.publish(path, write("second")); !errors.Is(err, fs.ErrExist) {
				t.Fatalf("publish over an existing name = %v; want fs.ErrExist", err)
			}
			failed := errors.New("fill failed")
			if err := d.publish(d.path("cd34", ".blob"), func(io.Writer) error { return failed }); !errors.Is(err, failed) {
				t.Fatalf("publish with a failing fill = %v", err)
			}
			if err := d.replace(path, write("third")); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != "third" {
				t.Fatalf("file = %q, %v; want third", b, err)
			}
			if _, err := os.Stat(d.path("cd34", ".blob")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a failed publish left a file: %v", err)
			}
			if left, err := os.ReadDir(d.tmp); err != nil || len(left) > 0 {
				t.Errorf("tmp/ holds %v (%v); want it empty", left, err)
			}
		})
	}
}
