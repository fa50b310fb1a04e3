package blockhub_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockhub/blockhub"
)

func TestFindHome(t *testing.T) {
	top := t.TempDir()
	deep := filepath.Join(top, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if h, ok := blockhub.FindHome(deep); ok && strings.HasPrefix(h, top) {
		t.Fatalf("FindHome found %s before any .bh was made under %s", h, top)
	}
	if err := os.Mkdir(filepath.Join(top, "a", ".bh"), 0o700); err != nil {
		t.Fatal(err)
	}
	// A file named .bh is not a home.
	if err := os.WriteFile(filepath.Join(top, "a", "b", ".bh"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{deep, filepath.Join(top, "a", "b"), filepath.Join(top, "a")} {
		h, ok := blockhub.FindHome(dir)
		if want := filepath.Join(top, "a", ".bh"); !ok || h != want {
			t.Errorf("FindHome(%s) = %s, %v; want %s", dir, h, ok, want)
		}
	}
}
