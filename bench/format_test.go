package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFormatExample keeps the worked example of docs/FORMAT.md true: the
// example made by the code now must appear there as it is, and every
// `printf '%s' '...' | sha256sum` line of the page must print the digest
// written under it.
func TestFormatExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "docs", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	ex, err := MakeExample(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rootOut, _ := ex.Root.Encode()
	blockOut, _ := ex.Block.Encode()
	want := []struct{ what, text string }{
		{"settings command", "printf '%s' '" + string(ex.Settings) + "' | sha256sum\n# " + ex.SettingsHash + "  -"},
		{"root command", "printf '%s' '" + string(ex.RootDoc) + "' | sha256sum\n# " + ex.Root.ID + "  -"},
		{"data command", "printf 'hello\\n' | sha256sum\n# " + ex.DataHash + "  -"},
		{"block command", "printf '%s' '" + string(ex.BlockDoc) + "' | sha256sum\n# " + ex.Block.ID + "  -"},
		{"walk output", string(rootOut) + "\n" + string(blockOut) + "\n"},
	}
	for _, f := range ex.Files {
		want = append(want, struct{ what, text string }{"file", "\n" + f.Path + " "})
	}
	for _, w := range want {
		if !strings.Contains(doc, w.text) {
			t.Errorf("docs/FORMAT.md lacks the %s the code makes now (go run ./bench/formatexample):\n%s", w.what, w.text)
		}
	}

	lines := strings.Split(doc, "\n")
	checked := 0
	for i, l := range lines {
		in, ok := strings.CutPrefix(l, "printf '%s' '")
		if !ok {
			continue
		}
		in, ok = strings.CutSuffix(in, "' | sha256sum")
		if !ok || i+1 == len(lines) {
			t.Errorf("FORMAT.md line %d: unexpected command %q", i+1, l)
			continue
		}
		sum := sha256.Sum256([]byte(in))
		if got, want := "# "+hex.EncodeToString(sum[:])+"  -", lines[i+1]; got != want {
			t.Errorf("FORMAT.md line %d hashes to %q, the page says %q", i+1, got, want)
		}
		checked++
	}
	if checked != 3 {
		t.Errorf("checked %d printf lines of FORMAT.md, want 3", checked)
	}
}
